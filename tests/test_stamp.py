"""The "tested with" stamp: what sessions record, how records merge, and what a page may claim."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tested_docs import labels
from tested_docs.__main__ import main
from tested_docs.page_stamp import stamp_html
from tested_docs.pages import LANGUAGES
from tested_docs.stamp import (
    STAMP_ENV,
    StampError,
    claims,
    combine,
    empty_record,
    file_hash,
    load_stamp,
    merge_records,
    update,
)

# --- rendering what is claimed -------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
WORDS = {language: labels.load(ROOT).of(language) for language in LANGUAGES}


def result(outcome: str, **extra) -> dict:
    return {
        "outcome": outcome,
        "passed": int(outcome == "passed"),
        "failed": int(outcome == "failed"),
        "date": "2026-11-24",
        "lightning": "2.6.6",
        "wandb": "0.31.0",
        "torch": "2.13.0",
        "python": "3.11.7",
        "device": None,
        **extra,
    }


NAMES = ["snippets/guide/trainer.py", "snippets/guide/fabric.py"]


def claimed(names: list[str], **accelerators) -> dict:
    return {name: {"sha256": "x", "accelerators": dict(accelerators)} for name in names}


def test_stamp_says_what_passed_in_each_language():
    stamp = claimed(NAMES, cpu=result("passed"))
    en = stamp_html(NAMES, stamp, WORDS["en"])
    assert "tested-with--passed" in en
    assert "lightning 2.6.6, wandb 0.31.0 and torch 2.13.0 on CPU (2026-11-24)" in en
    assert "GPU" not in en  # the GPU cases did not run: the stamp says nothing of them
    assert "CPU でテスト済み" in stamp_html(NAMES, stamp, WORDS["ja"])
    assert "在 CPU 上" in stamp_html(NAMES, stamp, WORDS["zh"])
    assert "테스트 통과" in stamp_html(NAMES, stamp, WORDS["ko"])
    both = claimed(NAMES, cpu=result("passed"), gpu=result("passed", device="NVIDIA H100"))
    assert "on CPU and GPU (NVIDIA H100)" in stamp_html(NAMES, both, WORDS["en"])


def test_a_page_claims_only_what_every_script_it_shows_claims():
    assert stamp_html(NAMES, {}, WORDS["en"]) == ""
    assert stamp_html(NAMES, claimed(NAMES[:1], cpu=result("passed")), WORDS["en"]) == ""
    mixed = claimed(NAMES, cpu=result("passed"))
    mixed[NAMES[0]]["accelerators"]["gpu"] = result("passed", device="H100")
    assert "GPU" not in stamp_html(NAMES, mixed, WORDS["en"])  # GPU ran one script of two
    other = claimed(NAMES, cpu=result("passed"))
    other[NAMES[1]]["accelerators"]["cpu"] = result("passed", wandb="0.30.0")
    assert stamp_html(NAMES, other, WORDS["en"]) == ""  # no one version line is true


def test_a_failure_is_shown():
    failed = stamp_html(NAMES, claimed(NAMES, cpu=result("failed")), WORDS["en"])
    assert "tested-with--failed" in failed and "failed on CPU" in failed


# --- what a record claims ------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project root with one topic: two scripts and their test module."""
    guide = tmp_path / "snippets" / "guide"
    guide.mkdir(parents=True)
    for name in ("trainer.py", "fabric.py", "test_guide.py"):
        (guide / name).write_text(f"print({name!r})\n")
    return tmp_path


MODULE = "snippets/guide/test_guide.py"


def test_record(root: Path, outcome: str, accelerator: str | None, *scripts: str) -> dict:
    return {
        "outcome": outcome,
        "accelerator": accelerator,
        "device": None,
        "module_sha256": file_hash(root / MODULE),
        "scripts": {s: file_hash(root / s) for s in scripts},
        **{k: v for k, v in result(outcome).items() if k not in ("outcome", "passed", "failed")},
    }


test_record.__test__ = False  # a helper, not a test


def record_of(**tests: dict) -> dict:
    named = {f"{MODULE}::{name}": test for name, test in tests.items()}
    return {**empty_record(), "collected": sorted(named), "modules": [MODULE], "tests": named}


def test_a_script_is_claimed_when_every_test_that_ran_it_passed(project):
    trainer, fabric = NAMES
    record = record_of(
        a=test_record(project, "passed", "cpu", trainer),
        b=test_record(project, "passed", "cpu", trainer, fabric),
        c=test_record(project, "skipped", "gpu"),  # no CUDA: skipped before running anything
    )
    got = claims(record, project)
    assert got[trainer]["accelerators"]["cpu"]["passed"] == 2
    assert set(got[trainer]["accelerators"]) == {"cpu"}
    assert got[fabric]["sha256"] == file_hash(project / fabric)
    assert set(claims(record, project, [fabric])) == {fabric}


def test_a_failure_of_any_test_that_ran_a_script_wins(project):
    trainer = NAMES[0]
    record = record_of(
        a=test_record(project, "failed", "cpu", trainer),
        b=test_record(project, "passed", "cpu", trainer),
        c=test_record(project, "passed", "gpu", trainer),
        d=test_record(project, "failed", None, NAMES[1]),  # a test without a case
        e=test_record(project, "passed", "cpu", NAMES[1]),
    )
    got = claims(record, project)
    assert got[trainer]["accelerators"]["cpu"]["outcome"] == "failed"
    assert got[trainer]["accelerators"]["gpu"]["outcome"] == "passed"
    assert got[NAMES[1]]["accelerators"]["cpu"]["outcome"] == "failed"


def test_nothing_is_claimed_that_was_not_tested_as_it_is_now(project):
    trainer, fabric = NAMES
    record = record_of(
        a=test_record(project, "passed", "cpu", trainer),
        b=test_record(project, "passed", "cpu", fabric),
    )
    assert set(claims(record, project)) == {trainer, fabric}
    (project / trainer).write_text("print('edited since the tests ran')\n")
    assert set(claims(record, project)) == {fabric}
    (project / MODULE).write_text("# the test itself changed\n")
    assert claims(record, project) == {}
    assert claims(None, project) == {}


def test_a_test_that_never_ran_blocks_the_scripts_of_its_folder(project):
    record = record_of(a=test_record(project, "passed", "cpu", *NAMES))
    record["collected"].append(f"{MODULE}::deselected")
    (project / "snippets" / "other").mkdir()
    (project / "snippets" / "other" / "x.py").write_text("x = 1\n")
    record["tests"][f"{MODULE}::a"]["scripts"]["snippets/other/x.py"] = file_hash(
        project / "snippets/other/x.py"
    )
    assert set(claims(record, project)) == {"snippets/other/x.py"}


def test_a_script_a_test_ran_and_then_skipped_is_not_claimed(project):
    record = record_of(
        a=test_record(project, "passed", "cpu", NAMES[0]),
        b=test_record(project, "skipped", "cpu", NAMES[0]),
    )
    assert claims(record, project) == {}


# --- merging records ------------------------------------------------------------------------------


def test_a_later_session_replaces_only_what_it_ran(project):
    trainer = NAMES[0]
    full = record_of(
        a=test_record(project, "failed", "cpu", trainer),
        b=test_record(project, "passed", "cpu", trainer),
    )
    narrowed = record_of(b=test_record(project, "passed", "cpu", trainer))
    narrowed["collected"] = [f"{MODULE}::a", f"{MODULE}::b"]  # a was deselected
    after = update(full, narrowed)
    assert after["tests"][f"{MODULE}::a"]["outcome"] == "failed"
    assert claims(after, project)[trainer]["accelerators"]["cpu"]["outcome"] == "failed"
    # The same test passing again, as the files are now, is a new outcome for that test.
    rerun = record_of(a=test_record(project, "passed", "cpu", trainer))
    rerun["collected"] = narrowed["collected"]
    fixed = update(after, rerun)
    assert claims(fixed, project)[trainer]["accelerators"]["cpu"]["outcome"] == "passed"


def test_a_test_the_module_no_longer_has_is_forgotten(project):
    old = record_of(
        renamed=test_record(project, "failed", "cpu", NAMES[0]),
        b=test_record(project, "passed", "cpu", NAMES[0]),
    )
    new = record_of(b=test_record(project, "passed", "cpu", NAMES[0]))
    assert set(update(old, new)["tests"]) == {f"{MODULE}::b"}
    new["modules"] = []  # collected as test_guide.py::b only: the module was not seen whole
    assert set(update(old, new)["tests"]) == {f"{MODULE}::b", f"{MODULE}::renamed"}


def test_shards_combine_into_the_union_and_a_failure_anywhere_wins(project, tmp_path):
    trainer, fabric = NAMES
    both = [f"{MODULE}::a", f"{MODULE}::b"]
    one = {**record_of(a=test_record(project, "passed", "cpu", trainer)), "collected": both}
    two = {**record_of(b=test_record(project, "passed", "cpu", fabric)), "collected": both}
    assert claims(one, project) == {}  # alone, a shard does not know what b ran
    merged = combine([one, two])
    assert set(claims(merged, project)) == {trainer, fabric}
    again = record_of(a=test_record(project, "failed", "cpu", trainer))  # a ran twice
    assert combine([one, two, again])["tests"][f"{MODULE}::a"]["outcome"] == "failed"
    assert combine([again, one, two])["tests"][f"{MODULE}::a"]["outcome"] == "failed"
    paths = []
    for n, record in enumerate([one, two]):
        paths.append(tmp_path / f"shard-{n}.json")
        paths[-1].write_text(json.dumps(record))
    assert merge_records(paths) == merged


def test_merging_bad_records_names_the_file(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"format": 2, "scripts": {}}))
    for path, says in [(bad, "not JSON"), (old, "format 3"), (tmp_path / "none.json", "read")]:
        with pytest.raises(StampError, match=says) as error:
            merge_records([path])
        assert str(path) in str(error.value)
    with pytest.raises(StampError, match="no test records"):
        merge_records([])
    out = tmp_path / "out.json"
    assert main(["stamp", "merge", str(bad), "-o", str(out)]) == 2
    assert str(bad) in capsys.readouterr().err and not out.exists()


# --- sessions, as pytest runs them -----------------------------------------------------------------

SNIPPET_TEST = """
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def test_one(wandb_offline, accelerator):
    wandb_offline.run_script(HERE / "ok.py")


@pytest.mark.parametrize("n", [1, 2])
def test_two(wandb_offline, accelerator, n):
    wandb_offline.run_script(HERE / "other.py")
    assert n < 2


def test_without_accelerator(wandb_offline):
    wandb_offline.run_script(HERE / "unstamped.py")
"""


@pytest.fixture
def snippets(pytester, monkeypatch) -> Path:
    """A project whose `snippets/guide` holds three scripts and their tests; the stamp's path."""
    path = pytester.path / "out" / "tested-with.json"
    monkeypatch.setenv(STAMP_ENV, str(path))
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")  # the GPU cases skip, even on a GPU machine
    pytester.makefile(".toml", pyproject="[tool.pytest.ini_options]\n")
    pytester.makeconftest('pytest_plugins = ["tested_docs.pytest_plugin"]\n')
    pytester.mkpydir("snippets")
    guide = pytester.mkpydir("snippets/guide")
    (guide / "test_guide.py").write_text(SNIPPET_TEST)
    for name in ("ok.py", "other.py", "unstamped.py"):
        (guide / name).write_text("x = 1\n")
    return path


OK, OTHER = "snippets/guide/ok.py", "snippets/guide/other.py"


@pytest.mark.parametrize("workers", [[], ["-p", "xdist", "-n", "2"]], ids=["plain", "xdist"])
def test_a_snippets_session_writes_the_stamp_once(pytester, snippets, workers):
    done = pytester.runpytest_subprocess("snippets", *workers, "-p", "no:randomly")
    done.assert_outcomes(passed=3, failed=1, skipped=3)
    record = load_stamp(snippets)
    assert record is not None
    assert len(record["collected"]) == 7 and record["modules"] == ["snippets/guide/test_guide.py"]
    got = claims(record, pytester.path)
    assert set(got) == {OK, OTHER}  # unstamped.py: its only test has no accelerator case
    ok = got[OK]
    assert ok["sha256"] == file_hash(pytester.path / OK)
    assert set(ok["accelerators"]) == {"cpu"}  # the GPU case skipped before running anything
    assert ok["accelerators"]["cpu"]["outcome"] == "passed"
    other = got[OTHER]["accelerators"]["cpu"]
    assert (other["outcome"], other["passed"], other["failed"]) == ("failed", 1, 1)
    assert other["lightning"] and other["wandb"] and other["torch"] and other["date"]
    assert sorted(p.name for p in snippets.parent.iterdir()) == [
        ".tested-with.json.lock",
        "tested-with.json",
    ]


def page_stamp(root: Path, path: Path) -> str:
    return stamp_html([OTHER], claims(load_stamp(path), root, [OTHER]), WORDS["en"])


def test_a_narrowed_run_never_turns_a_failure_into_a_pass(pytester, snippets):
    """The sequence that once stamped a failing page: a full run stores `cpu: failed` for
    other.py, then `-k` runs another test of the same script, which passes."""
    pytester.runpytest_subprocess("snippets", "-p", "no:randomly").assert_outcomes(
        passed=3, failed=1, skipped=3
    )
    assert "failed on CPU" in page_stamp(pytester.path, snippets)
    narrowed = pytester.runpytest_subprocess(
        "snippets", "-k", "test_two and 1", "-p", "no:randomly"
    )
    narrowed.assert_outcomes(passed=1, skipped=1, deselected=5)
    assert "tested-with--passed" not in page_stamp(pytester.path, snippets)
    assert "failed on CPU" in page_stamp(pytester.path, snippets)


def test_a_first_narrowed_run_claims_no_script_of_a_folder_it_did_not_finish(pytester, snippets):
    done = pytester.runpytest_subprocess("snippets", "-k", "test_two and 1", "-p", "no:randomly")
    done.assert_outcomes(passed=1, skipped=1, deselected=5)
    assert claims(load_stamp(snippets), pytester.path) == {}
    one = pytester.runpytest_subprocess(f"{MODULE}::test_one", "-p", "no:randomly")
    one.assert_outcomes(passed=1, skipped=1)
    assert claims(load_stamp(snippets), pytester.path) == {}  # test_two[cpu-2] never ran


def test_two_shards_merged_stamp_what_one_full_run_stamps(
    pytester, snippets, tmp_path, monkeypatch
):
    full = pytester.runpytest_subprocess("snippets", "-p", "no:randomly")
    full.assert_outcomes(passed=3, failed=1, skipped=3)
    whole = claims(load_stamp(snippets), pytester.path)
    first = [f"{MODULE}::test_one[{a}]" for a in ("cpu", "gpu")]
    second = [f"{MODULE}::test_two[{a}-{n}]" for a in ("cpu", "gpu") for n in (1, 2)]
    second.append(f"{MODULE}::test_without_accelerator")
    shards = []
    for n, (deselected, outcomes) in enumerate(
        [(first, {"passed": 2, "failed": 1, "skipped": 2}), (second, {"passed": 1, "skipped": 1})]
    ):
        shards.append(tmp_path / f"shard-{n}.json")
        monkeypatch.setenv(STAMP_ENV, str(shards[-1]))  # as if on its own machine
        args = [arg for nodeid in deselected for arg in ("--deselect", nodeid)]
        done = pytester.runpytest_subprocess("snippets", *args, "-p", "no:randomly")
        done.assert_outcomes(**outcomes, deselected=len(deselected))
        assert claims(load_stamp(shards[-1]), pytester.path) == {}  # alone, a shard claims nothing
    merged = tmp_path / "merged.json"
    assert main(["stamp", "merge", *map(str, shards), "-o", str(merged)]) == 0
    assert claims(load_stamp(merged), pytester.path) == whole
    assert "failed on CPU" in page_stamp(pytester.path, merged)
