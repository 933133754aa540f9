"""The docs checker: clean on a copy of a real page, and each defect planted in that copy is named.

Each test copies the Quickstart (its four pages and its snippets) into a temporary project,
records its translations as in step, checks that the copy is clean, plants one defect, and
asserts the checker names the file and line. The last tests run the checker over this repository.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tested_docs import translations
from tested_docs.__main__ import main
from tested_docs.checks import check

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("", ".ja", ".zh", ".ko")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A temporary copy of the Quickstart and the home page, translations recorded in step."""
    root = tmp_path / "project"
    (root / "docs").mkdir(parents=True)
    for page in ("index", "quickstart"):
        for lang in LANGS:
            shutil.copy(ROOT / "docs" / f"{page}{lang}.md", root / "docs")
    shutil.copytree(ROOT / "glossary", root / "glossary")
    (root / "snippets").mkdir()
    for name in ("__init__.py", "site_commands.sh", "ruff.toml"):
        shutil.copy(ROOT / "snippets" / name, root / "snippets")
    shutil.copytree(
        ROOT / "snippets" / "quickstart",
        root / "snippets" / "quickstart",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    # index.md shows site_commands.sh, which its (absent here) tests do not need to name.
    for page in ("index", "quickstart"):
        for lang in LANGS[1:]:
            translations.refresh(root / "docs" / f"{page}{lang}.md", root / "docs" / f"{page}.md")
    assert problems(root) == [], "the copied Quickstart should be clean"
    return root


def problems(root: Path) -> list[str]:
    return [str(p).replace(f"{root}/", "") for p in check(root)]


def edit(path: Path, old: str, new: str, count: int = 1) -> int:
    """Replace `old` by `new`; return the 1-based line where the edit starts."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def insert_before(path: Path, needle: str, new: str) -> None:
    """Insert `new` before the line that holds `needle` (a heading id, in any language)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, text in enumerate(lines) if needle in text)
    path.write_text("".join([*lines[:at], new, *lines[at:]]), encoding="utf-8")


def insert_at_end(path: Path, text: str) -> int:
    """Append a paragraph of prose; return its line."""
    body = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
    path.write_text(body + text, encoding="utf-8")
    return body.count("\n") + 1


def line_of(path: Path, needle: str) -> int:
    return path.read_text(encoding="utf-8")[: path.read_text().index(needle)].count("\n") + 1


def refresh_all(root: Path) -> None:
    assert main(["--root", str(root), "refresh-translations", "--all"]) == 0


# --- code on pages, includes ---------------------------------------------------------------


@pytest.mark.parametrize("lang", ["python", "bash", ""])
def test_code_written_on_a_page(project: Path, lang: str):
    page = project / "docs" / "quickstart.md"
    line = edit(
        page, "## Run it {#run-it}", f"```{lang}\nprint('typed')\n```\n\n## Run it {{#run-it}}"
    )
    assert (
        f"docs/quickstart.md:{line + 1}: code written on the page: include it from snippets/"
        in (problems(project))
    )


def test_include_of_a_missing_file(project: Path):
    page = project / "docs" / "quickstart.md"
    line = line_of(page, "snippets/quickstart/install.sh:install")
    for lang in LANGS:
        edit(project / "docs" / f"quickstart{lang}.md", "install.sh:install", "setup.sh:install")
    found = problems(project)
    assert (
        f"docs/quickstart.md:{line}: includes snippets/quickstart/setup.sh, which does not exist"
        in found
    )


def test_include_of_a_missing_section(project: Path):
    page = project / "docs" / "quickstart.md"
    line = line_of(page, "quickstart_trainer.py:two_lines")
    edit(page, "quickstart_trainer.py:two_lines", "quickstart_trainer.py:three_lines")
    assert any(
        p.startswith(f"docs/quickstart.md:{line}: includes section 'three_lines' of ")
        and "no such section" in p
        for p in problems(project)
    )


def test_include_of_a_section_never_ended(project: Path):
    """The build shows such a section to the end of its file, silently."""
    page = project / "docs" / "quickstart.md"
    line = line_of(page, "quickstart_trainer.py:two_lines")
    edit(project / "snippets/quickstart/quickstart_trainer.py", "# --8<-- [end:two_lines]\n", "")
    assert (
        f"docs/quickstart.md:{line}: section 'two_lines' of"
        " snippets/quickstart/quickstart_trainer.py is never ended"
    ) in problems(project)


def test_include_from_outside_snippets(project: Path):
    (project / "notes.py").write_text("# --8<-- [start:a]\nx = 1\n# --8<-- [end:a]\n")
    page = project / "docs" / "quickstart.md"
    line = edit(page, '--8<-- "snippets/quickstart/install.sh:install"', '--8<-- "notes.py:a"')
    assert f"docs/quickstart.md:{line}: includes notes.py, which is not in snippets/" in problems(
        project
    )


# --- orphans and untested snippets -------------------------------------------------------------


def test_orphan_snippet_file(project: Path):
    extra = project / "snippets" / "quickstart" / "extra.py"
    extra.write_text("x = 1\n")
    found = problems(project)
    assert "snippets/quickstart/extra.py:1: orphan: no page includes this snippet file" in found
    assert any(
        p.startswith("snippets/quickstart/extra.py:1: no test under snippets/") for p in found
    )


def test_orphan_section(project: Path):
    script = project / "snippets" / "quickstart" / "quickstart_trainer.py"
    line = edit(
        script,
        "# --8<-- [start:fit]",
        "# --8<-- [start:unused]\n# --8<-- [end:unused]\n# --8<-- [start:fit]",
    )
    assert (
        f"snippets/quickstart/quickstart_trainer.py:{line}: orphan: no page includes section 'unused'"
        in problems(project)
    )


def test_snippet_no_test_exercises(project: Path):
    config = project / "snippets" / "quickstart" / "sweep.yaml"
    config.write_text("# --8<-- [start:all]\nmethod: random\n# --8<-- [end:all]\n")
    for lang in LANGS:
        insert_before(
            project / "docs" / f"quickstart{lang}.md",
            "{#run-it}",
            '```yaml\n--8<-- "snippets/quickstart/sweep.yaml:all"\n```\n\n',
        )
    refresh_all(project)
    assert problems(project) == [
        "snippets/quickstart/sweep.yaml:1: no test under snippets/ exercises this file: "
        "import it, or name its file, in a test"
    ]
    test = project / "snippets" / "quickstart" / "test_quickstart.py"
    test.write_text(test.read_text() + '\n\ndef test_sweep_file():\n    open("sweep.yaml")\n')
    assert problems(project) == []


def test_a_python_snippet_no_test_runs(project: Path):
    for name in ("test_quickstart.py", "test_quickstart_notebooks.py"):
        test = project / "snippets" / "quickstart" / name
        edit(test, '"quickstart_fabric.py"', '"quickstart_trainer.py"')
    assert any(
        p.startswith("snippets/quickstart/quickstart_fabric.py:1: no test under snippets/")
        for p in problems(project)
    )


# --- shell snippets ----------------------------------------------------------------------------


def test_shell_snippet_with_a_syntax_error(project: Path):
    script = project / "snippets" / "quickstart" / "install.sh"
    line = edit(script, "pip install", "if then\npip install")
    assert any(
        p.startswith(f"snippets/quickstart/install.sh:{line}: bash -n: syntax error")
        for p in problems(project)
    )


# --- translations ------------------------------------------------------------------------------


def test_missing_translation(project: Path):
    (project / "docs" / "quickstart.ko.md").unlink()
    assert problems(project) == [
        "docs/quickstart.md:1: no Korean translation: quickstart.ko.md is missing"
    ]


def test_translation_without_an_english_page(project: Path):
    shutil.copy(project / "docs" / "index.ja.md", project / "docs" / "extra.ja.md")
    assert "docs/extra.ja.md:1: translation of extra.md, which is missing" in problems(project)


def test_reordered_include(project: Path):
    page = project / "docs" / "quickstart.ja.md"
    text = page.read_text()
    first = '--8<-- "snippets/quickstart/quickstart_trainer.py:imports"'
    second = '--8<-- "snippets/quickstart/quickstart_trainer.py:data"'
    page.write_text(text.replace(first, "@@").replace(second, first).replace("@@", second))
    line = line_of(page, second)
    english_line = line_of(project / "docs" / "quickstart.md", first)
    assert problems(project) == [
        f"docs/quickstart.ja.md:{line}: include in a different order from quickstart.md: "
        f"snippets/quickstart/quickstart_trainer.py:data here where quickstart.md:{english_line}"
        " has snippets/quickstart/quickstart_trainer.py:imports"
    ]


def test_missing_and_extra_include(project: Path):
    page = project / "docs" / "quickstart.zh.md"
    line = edit(
        page,
        '--8<-- "snippets/quickstart/after_the_run.sh:inspect"',
        '--8<-- "snippets/site_commands.sh:test"',
    )
    english = line_of(
        project / "docs" / "quickstart.md", '--8<-- "snippets/quickstart/after_the_run.sh:inspect"'
    )
    assert problems(project) == [
        f"docs/quickstart.zh.md:{line}: include differs: snippets/site_commands.sh:test here "
        f"where quickstart.md:{english} has snippets/quickstart/after_the_run.sh:inspect"
    ]
    # One include fewer: named as missing (at the next include), with the English line.
    edit(page, '```bash\n--8<-- "snippets/site_commands.sh:test"\n```\n', "")
    following = line_of(page, "after_the_run.sh:sync")
    assert problems(project) == [
        f"docs/quickstart.zh.md:{following}: include missing: quickstart.md:{english} has "
        "snippets/quickstart/after_the_run.sh:inspect"
    ]


def test_heading_ids_differ(project: Path):
    page = project / "docs" / "quickstart.ko.md"
    line = edit(page, "{#install}", "{#installation}")
    found = problems(project)
    english = line_of(project / "docs" / "quickstart.md", "{#install}")
    assert found == [
        f"docs/quickstart.ko.md:{line}: heading id differs: #installation here where "
        f"quickstart.md:{english} has #install"
    ]


def test_translated_product_name_in_a_tab_label(project: Path):
    page = project / "docs" / "quickstart.zh.md"
    line = edit(page, '=== "Fabric"', '=== "Fabric 循环"')
    english = line_of(project / "docs" / "quickstart.md", '=== "Fabric"')
    assert problems(project) == [
        f'docs/quickstart.zh.md:{line}: tab (as glossary/zh.yml renders it) differs: === "Fabric'
        f' 循环" here where quickstart.md:{english} has === "Fabric"'
    ]


def test_heading_without_an_id(project: Path):
    page = project / "docs" / "quickstart.ja.md"
    line = edit(page, " {#run-it}", "")
    assert any(
        p.startswith(f"docs/quickstart.ja.md:{line}: heading ") and "has no explicit id" in p
        for p in problems(project)
    )


def test_a_wrapped_line_starting_with_a_hash_is_a_heading(project: Path):
    """Python-Markdown turns "#install ..." at the start of a line into a title mid-page."""
    page = project / "docs" / "quickstart.md"
    insert_before(page, "## Run it", "See\n#install for the commands.\n\n")
    line = line_of(page, "#install for the commands.")
    assert any(
        p.startswith(f"docs/quickstart.md:{line}: heading ") and "has no explicit id" in p
        for p in problems(project)
    )


def test_stale_translation_names_what_changed_and_refresh_clears_it(project: Path, capsys):
    english = project / "docs" / "quickstart.md"
    line = line_of(english, "## Install {#install}")
    edit(english, "## Install {#install}\n", "## Install {#install}\n\nIn a fresh environment:\n")
    found = problems(project)
    assert len(found) == 3
    for lang in LANGS[1:]:
        record_line = translations.recorded(project / "docs" / f"quickstart{lang}.md")[1]
        assert any(
            p.startswith(
                f"docs/quickstart{lang}.md:{record_line}: stale: quickstart.md changed since it was"
                f" translated: changed #install 'Install' (quickstart.md:{line})."
            )
            for p in found
        ), found
    assert "refresh-translations docs/quickstart.ja.md" in found[0] + found[1] + found[2]
    assert main(["--root", str(project), "refresh-translations", "docs/quickstart.md"]) == 0
    assert "now records quickstart.md" in capsys.readouterr().out
    assert problems(project) == []


def test_stale_names_added_and_removed_sections(project: Path):
    english = project / "docs" / "quickstart.md"
    edit(english, "## Install {#install}", "## Installation {#setup}")
    found = problems(project)
    stale = [p for p in found if "stale" in p]
    assert len(stale) == 3
    assert "added #setup 'Installation'" in stale[0] and "removed #install" in stale[0]


def test_translation_without_a_record(project: Path):
    page = project / "docs" / "index.zh.md"
    text = page.read_text()
    start = text.index("translated_from:")
    end = text.index("---", start)
    page.write_text(text[:start] + text[end:])
    assert problems(project) == [
        "docs/index.zh.md:1: records no hash of index.md (translated_from, its digests quoted):"
        " check it is in step, "
        "then run `python -m tested_docs refresh-translations docs/index.zh.md`"
    ]


def test_an_all_digit_digest_reads_back_as_written(project: Path):
    page = project / "docs" / "quickstart.ja.md"
    record, line = translations.recorded(page)
    assert record is not None
    # A digest of digits only, with a leading 0, as sha256 gives now and then.
    key = next(iter(record["sections"]))
    text = page.read_text()
    written = f'    "{key}": "{record["sections"][key]}"'
    assert written in text, "digests are written quoted"
    page.write_text(text.replace(written, f'    "{key}": "06416734"'))
    again, _ = translations.recorded(page)
    assert again is not None and again["sections"][key] == "06416734"
    # Unquoted, YAML would read it as the octal number 1711580: the checker refuses the record.
    page.write_text(text.replace(written, f'    "{key}": 06416734'))
    assert translations.recorded(page) == (None, line)
    assert any(
        p.startswith(f"docs/quickstart.ja.md:{line}: records no hash of quickstart.md")
        for p in problems(project)
    )


def test_refresh_refuses_a_translation_out_of_step(project: Path, capsys):
    english = project / "docs" / "quickstart.md"
    edit(english, "## Run it {#run-it}", "## Run it now {#run-it}")
    edit(project / "docs" / "quickstart.ja.md", "{#install}", "{#installation}")
    assert main(["--root", str(project), "refresh-translations", "quickstart.ja.md"]) == 1
    assert "not refreshed: not in step with quickstart.md" in capsys.readouterr().err
    assert any("stale" in p for p in problems(project))


def test_refresh_keeps_the_rest_of_the_front_matter(project: Path):
    page = project / "docs" / "quickstart.ja.md"
    before = page.read_text()
    edit(project / "docs" / "quickstart.md", "# Quickstart", "# Quickstart!")
    refresh_all(project)
    after = page.read_text()
    assert after.count("translated_from:") == 1 and after.count("description:") == 1
    assert after.split("\n---\n", 1)[1] == before.split("\n---\n", 1)[1]


# --- the command line, and this repository -----------------------------------------------------


def test_command_line_exits_non_zero_and_names_the_place(project: Path):
    (project / "docs" / "quickstart.zh.md").unlink()
    done = subprocess.run(
        [sys.executable, "-m", "tested_docs", "check"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert (
        "docs/quickstart.md:1: no Chinese translation: quickstart.zh.md is missing" in done.stderr
    )
    assert "1 problem(s) found" in done.stdout


# --- what readers copy ----------------------------------------------------------------------------


def test_an_excerpt_that_uses_a_name_the_page_never_shows(project: Path):
    # The Trainer tab shows imports, data, model, two_lines and fit; without `data`, the fit
    # section's `digits_loaders` is defined nowhere the reader can see.
    for lang in LANGS:
        edit(
            project / "docs" / f"quickstart{lang}.md",
            '    --8<-- "snippets/quickstart/quickstart_trainer.py:data"\n',
            "",
        )
    found = problems(project)
    fit = line_of(project / "snippets/quickstart/quickstart_trainer.py", "= digits_loaders()")
    page_line = line_of(
        project / "docs" / "quickstart.md", "snippets/quickstart/quickstart_trainer.py:"
    )
    assert (
        f"docs/quickstart.md:{page_line}: snippets/quickstart/quickstart_trainer.py:{fit}: name"
        " 'digits_loaders' is used but no section this page shows defines it: show the section"
        " that does (setup may sit in a collapsed block)"
    ) in found
    assert not [p for p in found if "quickstart_fabric.py" in p]


def test_an_excerpt_with_a_typo_in_a_name(project: Path):
    script = project / "snippets" / "quickstart" / "quickstart_fabric.py"
    line = edit(script, "fabric.backward(loss)", "fabric.backward(los)")
    assert any(
        f"snippets/quickstart/quickstart_fabric.py:{line}: name 'los' is used" in p
        and p.startswith("docs/quickstart.md:")
        for p in problems(project)
    )


def test_an_excerpt_that_is_not_lint_clean(project: Path):
    """What a reader copies is held to more than defined names (once, here: not in a test)."""
    script = project / "snippets" / "quickstart" / "quickstart_trainer.py"
    old = 'wandb_logger = WandbLogger(project="lightning-quickstart")\n'
    line = edit(script, old, old + "if wandb_logger == None:\n    pass\n") + 1
    assert any(
        p.startswith("docs/quickstart.md:")
        and f"snippets/quickstart/quickstart_trainer.py:{line}: E711 " in p
        for p in problems(project)
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "import lightning as L\n",
            "import os\n\nimport lightning as L\n\nos.environ.setdefault('WANDB_MODE', 'offline')\n",
            "scaffolding: changes the environment",
        ),
        (
            "import lightning as L\n",
            "import os\n\nimport lightning as L\n\nos.environ['WANDB_MODE'] = 'offline'\n",
            "scaffolding: changes the environment",
        ),
        (
            "max_epochs=3, ",
            "max_epochs=3,\n    accelerator='cpu',\n    ",
            "scaffolding: chooses the accelerator in code",
        ),
        (
            "    return DataLoader(",
            "    return DataLoader(  # pragma: no cover",
            "scaffolding: carries a coverage pragma",
        ),
    ],
    ids=["setdefault", "assignment", "accelerator", "pragma"],
)
def test_scaffolding_in_a_script(project: Path, old: str, new: str, message: str):
    script = project / "snippets" / "quickstart" / "quickstart_trainer.py"
    edit(script, old, new)
    line = line_of(script, new.strip().splitlines()[-1].strip())
    found = [p for p in problems(project) if "scaffolding" in p]
    assert [p.split(": ", 1)[0] for p in found] == [
        f"snippets/quickstart/quickstart_trainer.py:{line}"
    ], found
    assert message in found[0]


def test_a_test_only_parameter(project: Path):
    script = project / "snippets" / "quickstart" / "quickstart_fabric.py"
    edit(script, "def digits_loaders() ->", "def digits_loaders(batch_size: int = 64) ->")
    line = line_of(script, "batch_size: int = 64")
    found = problems(project)
    assert (
        f"snippets/quickstart/quickstart_fabric.py:{line}: scaffolding: parameter 'batch_size' of"
        " digits_loaders() is never passed by the code of this topic: a test-only parameter?"
        " Write the value in the code"
    ) in found
    edit(
        script,
        "fabric.setup_dataloaders(*digits_loaders())",
        "fabric.setup_dataloaders(*digits_loaders(64))",
    )
    assert not [p for p in problems(project) if "scaffolding" in p]


@pytest.mark.parametrize(
    ("old", "new", "test_call", "reader_call", "what"),
    [
        (
            "def __init__(self, hidden: int = 64, lr: float = 1e-2):",
            "def __init__(self, hidden: int = 64, lr: float = 1e-2, seed: int = 0):",
            "DigitsClassifier(seed=1)",
            ("trainer.fit(DigitsClassifier(),", "trainer.fit(DigitsClassifier(seed=0),"),
            "parameter 'seed' of DigitsClassifier.__init__()",
        ),
        (
            "def training_step(self, batch, batch_idx):",
            "def training_step(self, batch, batch_idx, scale: float = 1.0):",
            "model.training_step(batch, 0, 2.0)",
            None,
            "parameter 'scale' of DigitsClassifier.training_step()",
        ),
    ],
    ids=["init-keyword", "method-positional"],
)
def test_a_method_parameter_only_tests_pass(
    project: Path, old: str, new: str, test_call: str, reader_call: tuple | None, what: str
):
    script = project / "snippets" / "quickstart" / "quickstart_trainer.py"
    edit(script, old, new)
    line = line_of(script, new.strip())
    assert not [p for p in problems(project) if "scaffolding" in p]  # no test passes it yet
    test = project / "snippets" / "quickstart" / "test_planted.py"
    test.write_text(f"def test_it(DigitsClassifier, model, batch):\n    {test_call}\n")
    found = [p for p in problems(project) if "scaffolding" in p]
    assert found == [
        f"snippets/quickstart/quickstart_trainer.py:{line}: scaffolding: {what} is passed only"
        " by the tests of this topic: a test-only parameter? Take the value where a reader's"
        " code would (the environment, the code itself)"
    ]
    if reader_call:  # a reader's code that passes it too: a real parameter
        edit(script, *reader_call)
        assert not [p for p in problems(project) if "scaffolding" in p]


def test_a_copy_that_drifted(project: Path):
    fabric = project / "snippets" / "quickstart" / "quickstart_fabric.py"
    other = project / "snippets" / "quickstart" / "more_digits.py"
    shutil.copy(fabric, other)
    edit(other, "batch_size=64, shuffle=True", "batch_size=32, shuffle=True")
    line = line_of(other, "def digits_loaders")
    found = problems(project)
    assert (
        f"snippets/quickstart/more_digits.py:{line}: copy drifted: digits_loaders differs from its"
        " copy in snippets/quickstart/quickstart_fabric.py; keep copies identical, or give a copy"
        " that differs on purpose its own name"
    ) in found
    assert not [p for p in found if "drifted" in p and "more_digits" not in p]


# --- glossary ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "planted", "term", "use"),
    [
        ("ja", "成果物", "artifact", "アーティファクト"),
        ("zh", "Sanity check", "sanity check", "健全性检查"),
        ("ko", "충돌", "crash", "비정상 종료"),
    ],
)
def test_a_synonym_the_glossary_refuses(
    project: Path, lang: str, planted: str, term: str, use: str
):
    page = project / "docs" / f"quickstart.{lang}.md"
    line = insert_at_end(page, f"{planted}\n")
    found = problems(project)
    assert any(
        p.startswith(
            f"docs/quickstart.{lang}.md:{line}: glossary (glossary/{lang}.yml): {planted!r}"
        )
        and f"for {term!r}; write {use!r}" in p
        for p in found
    ), found
    # In inline code (English code), the same word is not prose.
    page.write_text(page.read_text().replace(f"{planted}\n", f"`{planted}`\n"))
    assert not [p for p in problems(project) if "glossary" in p]


def test_a_label_the_build_adds_is_held_to_the_glossary(project: Path):
    """The "Full example" box's label, read from glossary/labels.yml, as a page's words are."""
    line = edit(project / "glossary" / "labels.yml", "ja: 完全なサンプル", "ja: 完全な例")
    assert [p for p in problems(project) if "glossary" in p] == [
        f"glossary/labels.yml:{line}: glossary (glossary/ja.yml): '完全な例' for 'Full example (the"
        " collapsed box the build adds)'; write '完全なサンプル' (The label the build gives the box on"
        " Japanese pages (glossary/labels.yml); pages name it as the reader sees it.)"
    ]
    edit(project / "glossary" / "labels.yml", "  ja: 完全な例\n", "")
    assert [p for p in problems(project) if "labels.yml" in p] == [
        f"glossary/labels.yml:{line - 1}: label 'full_example' has no text in ja"
    ]


def test_a_recurring_heading_reads_as_the_glossary_says(project: Path):
    page = project / "docs" / "quickstart.ja.md"
    line = edit(page, "{#what-the-tests-check}", "{#what-the-tests-check}")
    text = page.read_text().splitlines()[line - 1]
    page.write_text(page.read_text().replace(text, "## テストの中身 {#what-the-tests-check}"))
    assert (
        f"docs/quickstart.ja.md:{line}: glossary (glossary/ja.yml): heading #what-the-tests-check"
        " reads 'テストの中身'; write 'テストで確認していること'"
    ) in problems(project)


def test_a_tab_label_is_translated_through_the_glossary(project: Path):
    labels = {"": "Command line", ".ja": "コマンドライン", ".zh": "命令行", ".ko": "명령줄"}
    for lang, label in labels.items():
        edit(project / "docs" / f"quickstart{lang}.md", '=== "Fabric"', f'=== "{label}"', 2)
    refresh_all(project)
    assert problems(project) == []
    page = project / "docs" / "quickstart.ja.md"
    line = edit(page, '=== "コマンドライン"', '=== "Command line"')
    english = line_of(project / "docs" / "quickstart.md", '=== "Command line"')
    assert problems(project) == [
        f'docs/quickstart.ja.md:{line}: tab (as glossary/ja.yml renders it) differs: === "Command'
        f' line" here where quickstart.md:{english} has === "コマンドライン"'
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_a_page_that_speaks_of_where_it_came_from(project: Path, lang: str):
    page = project / "docs" / f"quickstart{lang}.md"
    line = insert_at_end(page, "As the original page showed, this works.\n")
    assert (
        f"docs/quickstart{lang}.md:{line}: 'original page': say what goes wrong, not where it"
        " was seen"
    ) in problems(project)


def add_term(root: Path, lang: str, en: str, use: str, avoid: tuple[str, ...] = ()) -> None:
    """Add a term to the copy's glossary, so that a test does not hang on today's wording."""
    path = root / "glossary" / f"{lang}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["terms"].append({"en": en, "use": use, "avoid": list(avoid), "why": ""})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def glossary_problems(root: Path) -> list[str]:
    return [p for p in problems(root) if "glossary" in p]


@pytest.mark.parametrize(
    ("lang", "avoid", "sentence", "planted", "not_the_verb"),
    [
        (
            "ja",
            "プロットする",
            "値をプロットしていました。",
            "プロットしていました",
            "プロットしか、散布図をスキャタープロットします",
        ),
        ("ko", "플롯합니다", "값을 플롯했습니다.", "플롯했습니다", "플롯 파일, 스캐터플롯하는"),
    ],
    ids=["ja", "ko"],
)
def test_an_inflected_form_of_a_refused_verb(
    project: Path, lang: str, avoid: str, sentence: str, planted: str, not_the_verb: str
):
    add_term(project, lang, "plot (a test term)", "描画", (avoid,))
    page = project / "docs" / f"quickstart.{lang}.md"
    line = insert_at_end(page, sentence + "\n")
    assert glossary_problems(project) == [
        f"docs/quickstart.{lang}.md:{line}: glossary (glossary/{lang}.yml): {planted!r} (a form"
        f" of {avoid!r}) for 'plot (a test term)'; write '描画'"
    ]
    # In inline code the same words are code; the stem alone, or in a longer word, is no verb.
    page.write_text(page.read_text().replace(planted, f"`{planted}`、{not_the_verb}"))
    assert glossary_problems(project) == []


@pytest.mark.parametrize(
    ("lang", "term", "use", "sentence", "word"),
    [
        ("ja", "history", "履歴", "run の history を開きます。", "history"),
        ("zh", "summary", "摘要", "run 的 Summaries 指向最后的值。", "Summaries"),
        ("ko", "step", "스텝", "10 steps마다 기록합니다.", "steps"),
    ],
    ids=["ja", "zh", "ko"],
)
def test_an_english_word_the_glossary_translates(
    project: Path, lang: str, term: str, use: str, sentence: str, word: str
):
    add_term(project, lang, term, use)
    page = project / "docs" / f"quickstart.{lang}.md"
    line = insert_at_end(page, sentence + "\n")
    found = glossary_problems(project)
    assert len(found) == 1 and found[0].startswith(
        f"docs/quickstart.{lang}.md:{line}: glossary (glossary/{lang}.yml): {word!r} (English in"
        " prose; code goes in backticks) for "
    ), found
    page.write_text(page.read_text().replace(f" {word}", f" `{word}`"))
    assert glossary_problems(project) == []


@pytest.mark.parametrize("lang", ["ja", "zh", "ko"])
def test_english_that_belongs_in_prose_is_not_a_term(project: Path, lang: str):
    for en, use in (("artifact", "A"), ("sweep", "S"), ("history", "H")):
        add_term(project, lang, en, use)
    for name in ("Trainer", "Fabric", "run"):
        add_term(project, lang, name.lower(), name)  # as a glossary keeps a name
    line = insert_at_end(
        project / "docs" / f"quickstart.{lang}.md",
        "W&B Artifacts、W&B Sweeps、Weights & Biases、PyTorch Lightning Trainer、Fabric、run"
        " 和 Lightning。`history`、`run.history`、`trainer/global_step`、history.json、"
        "[H](https://wandb.ai/history)、H（history）、**History**、**run 的 Overview → History**、"
        '"History is empty"、「Artifacts not found」。<span class="history">H</span>、`run.history(\nhistory, 10)`。\n',
    )
    # (Korean keeps "history" in English, so its other pages now say it, as they should.)
    planted = (f"docs/quickstart.{lang}.md:{line}:", f"docs/quickstart.{lang}.md:{line + 1}:")
    assert [p for p in glossary_problems(project) if p.startswith(planted)] == []


@pytest.mark.parametrize(
    ("lang", "planted", "residue"),
    [
        ("ja", "run の履歴 に記録します。", "の履歴 に記録し"),
        ("zh", "run 的摘要 指向最后的值。", "的摘要 指向最后"),
    ],
    ids=["ja", "zh"],
)
def test_a_space_between_two_cjk_characters(project: Path, lang: str, planted: str, residue: str):
    page = project / "docs" / f"quickstart.{lang}.md"
    line = insert_at_end(page, planted + "\n")
    assert problems(project) == [
        f"docs/quickstart.{lang}.md:{line}: space between two CJK characters: {residue!r}; remove"
        " it (CJK text takes a space only next to Latin text, numbers or code)"
    ]
    page.write_text(page.read_text().replace(planted, f"`{planted}`"))
    assert problems(project) == []
    # Korean writes a space between words.
    insert_at_end(
        project / "docs" / "quickstart.ko.md", "run의 summary가 마지막 값을 가리킵니다.\n"
    )
    assert problems(project) == []


def test_half_width_parentheses_in_chinese_prose(project: Path):
    page = project / "docs" / "quickstart.zh.md"
    line = insert_at_end(page, "用 Weights & Biases (W&B) 跟踪多块 GPU (分布式数据并行) 训练。\n")
    assert problems(project) == [
        f"docs/quickstart.zh.md:{line}: half-width parentheses in Chinese prose: {planted!r};"
        f" write （{planted[1:-1]}）"
        for planted in ("(W&B)", "(分布式数据并行)")
    ]
    # Code, a call, a link's target and a quoted English message are not Chinese prose.
    page.write_text(
        page.read_text().replace(
            "用 Weights & Biases (W&B) 跟踪多块 GPU (分布式数据并行) 训练。",
            '多块 GPU（DDP）用 `f(训练)`、fit() 和 [训练](https://x.org/(训练)) 训练，"Error (x)"。',
        )
    )
    assert problems(project) == []


def test_a_number_and_unit_spaced_two_ways_on_korean_pages(project: Path):
    page = project / "docs" / "quickstart.ko.md"
    insert_at_end(page, "3 폴드로 나누고, 폴드마다 `10폴드`를 씁니다.\n")
    other = insert_at_end(project / "docs" / "index.ko.md", "5 폴드의 run을 기록합니다.\n")
    line = insert_at_end(page, "그래서 2폴드마다 한 번 기록합니다.\n")
    assert problems(project) == [
        f"docs/quickstart.ko.md:{line}: number and unit spaced unlike the rest of the Korean"
        f" pages: '2폴드' here; '5 폴드' at docs/index.ko.md:{other} is the usual way (2 of 3):"
        " write '폴드' one way on every page"
    ]
    page.write_text(page.read_text().replace("2폴드", "`2폴드`"))
    assert problems(project) == []


def test_a_missing_glossary(project: Path):
    (project / "glossary" / "ko.yml").unlink()
    assert (
        "glossary/ko.yml:1: no glossary for ko: every translated page is checked against one"
        in problems(project)
    )


def test_this_repository_passes_the_checker():
    found = [str(p).replace(f"{ROOT}/", "") for p in check(ROOT)]
    assert not found, "python -m tested_docs check:\n" + "\n".join(found)
