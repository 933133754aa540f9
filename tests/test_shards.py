"""Shards of the snippet suite (`./dev test --shard K/N`): together they run every test once, their
merged records stamp what one full run stamps, and no durations file can make them run fewer."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tested_docs.__main__ import main
from tested_docs.stamp import STAMP_ENV, claims, load_stamp

ROOT = Path(__file__).resolve().parents[1]

SNIPPET_TEST = """
import pytest
from pathlib import Path

HERE = Path(__file__).parent


@pytest.mark.parametrize("n", range({count}))
def test_script(wandb_offline, accelerator, n):
    wandb_offline.run_script(HERE / "{script}")
    assert n != {failing}
"""


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """Two topics, their scripts and tests (one failing case); this project's plugins."""
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    pytester.makefile(".toml", pyproject="[tool.pytest.ini_options]\n")
    pytester.makeconftest(
        'pytest_plugins = ["tested_docs.pytest_plugin", "tested_docs.slowest_first"]\n'
    )
    pytester.mkpydir("snippets")
    for topic, count, failing in (("alpha", 3, -1), ("beta", 4, 2)):
        folder = pytester.mkpydir(f"snippets/{topic}")
        (folder / f"{topic}.py").write_text("x = 1\n")
        test = SNIPPET_TEST.format(count=count, script=f"{topic}.py", failing=failing)
        (folder / f"test_{topic}.py").write_text(test)
    return pytester


def ran(result: pytest.RunResult) -> set[str]:
    """The test ids a `-rA` session reports as passed or failed."""
    found = set()
    for line in result.outlines:
        match = re.match(r"(PASSED|FAILED) (\S+)", line)
        if match:
            found.add(match[2])
    return found


def run(project: pytest.Pytester, record: Path, *args: str) -> pytest.RunResult:
    with pytest.MonkeyPatch.context() as env:
        env.setenv(STAMP_ENV, str(record))  # as if each run were on its own machine
        return project.runpytest_subprocess("snippets", "-rA", "-p", "no:randomly", *args)


def test_two_shards_run_the_whole_suite_once_and_stamp_what_a_full_run_stamps(project, tmp_path):
    full = run(project, tmp_path / "full.json")
    everything = ran(full)
    assert len(everything) == 7
    # A stale durations file: a test that no longer exists, and none of today's.
    durations = tmp_path / "durations.json"
    durations.write_text(json.dumps({"snippets/gone/test_gone.py::test_old": 30.0}))
    shards = []
    for k in (1, 2):
        shards.append(tmp_path / f"shard-{k}.json")
        split = ("--splits", "2", "--group", str(k), "--durations-path", str(durations))
        shard = run(project, shards[-1], *split, "--splitting-algorithm", "least_duration")
        shards[-1] = (shards[-1], ran(shard))
    first, second = shards[0][1], shards[1][1]
    assert first and second and not first & second
    assert first | second == everything
    merged = tmp_path / "merged.json"
    assert main(["stamp", "merge", str(shards[0][0]), str(shards[1][0]), "-o", str(merged)]) == 0
    whole = claims(load_stamp(tmp_path / "full.json"), project.path)
    assert set(whole) == {"snippets/alpha/alpha.py", "snippets/beta/beta.py"}
    assert whole["snippets/beta/beta.py"]["accelerators"]["cpu"]["outcome"] == "failed"
    assert claims(load_stamp(merged), project.path) == whole


def test_the_slowest_recorded_tests_start_first(project, tmp_path):
    durations = tmp_path / "durations.json"
    slow = "snippets/beta/test_beta.py::test_script[cpu-3]"
    known = {f"snippets/alpha/test_alpha.py::test_script[cpu-{n}]": 0.1 for n in range(3)}
    durations.write_text(json.dumps({**known, slow: 60.0}))
    done = run(project, tmp_path / "r.json", "--durations-path", str(durations), "-v")
    order = [line.split(" ")[0] for line in done.outlines if " PASSED" in line or " FAILED" in line]
    assert order[0] == slow


def test_a_broken_durations_file_is_named(project, tmp_path):
    durations = tmp_path / "durations.json"
    durations.write_text("{not json")
    done = run(project, tmp_path / "r.json", "--durations-path", str(durations))
    assert done.ret == pytest.ExitCode.USAGE_ERROR
    assert f"{durations}: not a durations file" in done.stderr.str()


def dev(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    from test_project import fake_venv

    venv, log = fake_venv(tmp_path)
    done = subprocess.run(
        [str(ROOT / "dev"), *args],
        env={**os.environ, "VENV": str(venv), "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    done.calls = log.read_text().splitlines() if log.is_file() else []  # type: ignore[attr-defined]
    return done


def test_dev_test_runs_the_shard_it_is_given(tmp_path):
    done = dev(tmp_path, "test", "--shard", "2/3")
    assert done.returncode == 0, done.stderr
    (pytest_call,) = [c for c in done.calls if " -m pytest " in c]
    assert "--splits 3 --group 2 --splitting-algorithm least_duration" in pytest_call
    assert " snippets " in pytest_call and "--cov=snippets" in pytest_call


@pytest.mark.parametrize("spec", ["x/2", "3/2", "0/2", "2", "1/0", "", "1/2/3"])
def test_a_malformed_or_out_of_range_shard_runs_nothing(tmp_path, spec):
    done = dev(tmp_path, "test", "--shard", spec)
    assert done.returncode == 2
    assert f"expected K/N with 1 <= K <= N (e.g. --shard 1/2), got '{spec}'" in done.stderr
    assert done.calls == []  # no lint, no pytest, no apt-get
