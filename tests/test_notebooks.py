"""The notebooks the site offers: one per "Full example", valid, made of the script's own code,
and carrying the page's words in the page's language. (snippets/test_notebooks_in_kernel.py runs
the English pages' notebooks in a Jupyter kernel.)

The code is checked against the script read here with plain text rules, not against the
function that cut the notebook: every line of the script, in order, and nothing else but the
notebook's command line where the script reads its own.
"""

from __future__ import annotations

import ast
import difflib
import json
import re
import shlex
from pathlib import Path

import nbformat
import pytest

from tested_docs.full_examples import notebook_files
from tested_docs.notebooks import (
    FINISH_CELL,
    MODE_CELL,
    argv_reads,
    kernel_argv_problems,
    notebook_json,
    notebook_source,
    starts_processes,
)
from tested_docs.pages import page_language, pages

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
MARKER = re.compile(r"^\s*#\s*--8<--\s*\[(start|end):[\w-]+\]\s*$")
OFFLINE = re.compile(r"`WANDB_MODE=offline python (\S+\.py)([^`]*)`")


def offered() -> list[tuple[Path, str]]:
    return [
        (page, script)
        for page in pages(ROOT / "docs")
        for script in notebook_files(page.read_text(encoding="utf-8"), ROOT)
    ]


def command_of(source: str) -> tuple[str, list[str]]:
    """The offline command the docstring gives, as `python NAME ARGS` and its arguments."""
    name, args = OFFLINE.findall(source)[0]
    return shlex.join(["python", name, *shlex.split(args)]), shlex.split(args)


def expected_lines(script: Path) -> tuple[list[str], set[str]]:
    """The script's code lines a notebook must hold, in order (no docstring, no section markers,
    blank lines aside), with the command line given where the script reads its own; and the
    lines a notebook may add there."""
    source = script.read_text(encoding="utf-8")
    lines = source.splitlines()
    docstring = ast.parse(source).body[0]
    skip = range(docstring.lineno - 1, docstring.end_lineno or 0)
    # A script that reads no command line may give none (the check names one that does).
    command, args = command_of(source) if OFFLINE.search(source) else ("", [])
    listed = "[" + ", ".join(json.dumps(arg) for arg in args) + "]"
    kept = []
    for number, line in enumerate(lines):
        if number in skip or MARKER.match(line) or not line.strip():
            continue
        line = line.replace("sys.argv", "argv")
        line = re.sub(r"\.(parse_args|parse_known_args)\(\)", rf".\1({listed})", line)
        kept.append(line)
    name = script.name
    full = "[" + ", ".join(json.dumps(arg) for arg in [name, *args]) + "]"
    added = {f"# The command line, in a notebook: {command}", f"argv = {full}", f"args={listed},"}
    return kept, added


def differences(script: Path, cells: list[str]) -> list[str]:
    """How the code of `cells` differs from the script's: each line dropped, changed or added."""
    theirs, added = expected_lines(script)
    ours = [line for cell in cells for line in cell.splitlines() if line.strip()]
    found = []
    matcher = difflib.SequenceMatcher(a=theirs, b=ours, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            found += [f"missing: {line!r}" for line in theirs[i1:i2]]
        if tag in ("insert", "replace"):
            extra = [line for line in ours[j1:j2] if line.strip() not in added]
            found += [f"not in the script: {line!r}" for line in extra]
    return found


def script_cells(code: list[str]) -> list[str]:
    """The cells between the mode cell and the one that closes the run, without the files
    the command line names (`%%writefile config.yaml`)."""
    return [cell for cell in code[2:-1] if not cell.startswith("%%writefile ")]


def test_ddp_scripts_are_written_to_a_file_and_run_as_a_process():
    ddp = [s for _, s in offered() if starts_processes(ROOT / s)]
    assert {Path(s).name for s in ddp} == {"ddp_trainer.py", "ddp_fabric.py"}


def test_every_full_example_has_a_notebook():
    found = offered()
    assert len({script for _, script in found}) >= 20
    assert {page_language(page) for page, _ in found} == {"en", "ja", "zh", "ko"}


@pytest.mark.parametrize(("page", "script"), offered(), ids=lambda x: str(x).split("/")[-1])
def test_notebook_is_valid_and_holds_the_scripts_code(page: Path, script: str):
    text = notebook_json(ROOT / script, page.read_text(encoding="utf-8"), script)
    notebook = nbformat.reads(text, as_version=4)
    nbformat.validate(notebook)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert code[0].startswith("%pip install --quiet ") and "wandb" in code[0]
    assert code[1] == MODE_CELL
    name, source = Path(script).name, (ROOT / script).read_text(encoding="utf-8")
    if starts_processes(ROOT / script):
        # DDP: the notebook writes the very script to a file and runs it as a process of the
        # kernel's own Python, and fails when the process fails.
        command = command_of(source)[0].removeprefix("python ")
        assert code[2] == f"%%writefile {name}\n{source}"
        assert f"\n!{{sys.executable}} {command}\nif _exit_code != 0:" in code[3]
        assert len(code) == 4
        return
    assert code[-1] == FINISH_CELL
    assert differences(ROOT / script, script_cells(code)) == []
    for cell in script_cells(code):
        ast.parse(cell)  # whole definitions: a cell that starts inside a class cannot parse
    for cell in code[2:-1]:
        if cell.startswith("%%writefile "):
            file = cell.split("\n", 1)[0].split()[1]
            assert f" {file}" in command_of(source)[0]
            kept = (ROOT / script).parent.joinpath(file).read_text(encoding="utf-8").splitlines()
            assert cell.split("\n", 1)[1].splitlines() == [x for x in kept if not MARKER.match(x)]
    words = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    if page_language(page) == "en":
        assert not CJK.search(words)
    else:
        assert CJK.search(words), f"{page.name}: the notebook's words are not in its language"
    # Links between pages are relative to the site: a notebook keeps their words only.
    assert not re.search(r"\]\((?!https?:)[^)]*\.md", words)
    again = notebook_json(ROOT / script, page.read_text(encoding="utf-8"), script)
    assert again == text  # the same file on every build


def test_a_dropped_line_is_found():
    """The comparison itself, with a defect planted: one line of a cell left out."""
    script = ROOT / "snippets/quickstart/quickstart_trainer.py"
    page = ROOT / "docs/quickstart.md"
    made = json.loads(notebook_json(script, page.read_text(encoding="utf-8"), str(script)))
    code = script_cells([c["source"] for c in made["cells"] if c["cell_type"] == "code"])
    assert differences(script, code) == []
    longest = max(range(len(code)), key=lambda n: len(code[n].splitlines()))
    lines = code[longest].splitlines()
    dropped = lines.pop(len(lines) // 2)
    code[longest] = "\n".join(lines) + "\n"
    assert differences(script, code) == [f"missing: {dropped!r}"]


def test_the_class_a_reader_needs_whole_is_one_cell():
    """tinytrain's Trainer is shown on the page method by method; its notebook keeps it whole."""
    script = "snippets/guides/any_library/tinytrain.py"
    page = ROOT / "docs/guides/any-library.md"
    made = json.loads(notebook_json(ROOT / script, page.read_text(encoding="utf-8"), script))
    holding = [c["source"] for c in made["cells"] if "class Trainer" in c["source"]]
    assert len(holding) == 1
    assert all(f"    def {method}(" in holding[0] for method in ("__init__", "_start_run", "fit"))


@pytest.mark.parametrize(
    ("script", "read"),
    [
        ("snippets/logger/logger_trainer.py", "sys.argv"),
        ("snippets/modes/optional_trainer.py", "parse_args"),
        ("snippets/lightning_cli/cli.py", "LightningCLI"),
        ("snippets/guides/sweeps/sweep_train.py", "sys.argv"),
    ],
)
def test_the_notebook_gives_the_command_line_where_the_script_reads_it(script: str, read: str):
    path = ROOT / script
    assert read in {r.kind for r in argv_reads(ast.parse(path.read_text(encoding="utf-8")))}
    assert argv_reads(ast.parse(notebook_source(path))) == []


def test_no_notebook_reads_the_kernels_argv():
    assert kernel_argv_problems(ROOT) == []


@pytest.mark.parametrize(
    ("code", "named"),
    [
        (
            '"""`WANDB_MODE=offline python x.py 1`"""\nfrom sys import argv\n',
            "from sys import argv",
        ),
        ('"""`WANDB_MODE=offline python x.py`"""\nimport fire\nfire.Fire(print)\n', "Fire(...)"),
        ('"""Run it."""\nimport sys\nfold = int(sys.argv[1])\n', "no offline command"),
        (
            '"""`WANDB_MODE=offline python x.py` or `WANDB_MODE=offline python x.py 2`"""\n'
            "import sys\nfold = int(sys.argv[1])\n",
            "more than one offline command",
        ),
    ],
    ids=["from-sys-import-argv", "fire", "no-command", "two-commands"],
)
def test_a_script_whose_notebook_would_read_the_kernels_argv_is_named(
    tmp_path: Path, code: str, named: str
):
    """The check, with a defect planted: a read of the command line the notebook cannot give."""
    script = tmp_path / "snippets" / "topic" / "x.py"
    script.parent.mkdir(parents=True)
    script.write_text(code)
    problems = kernel_argv_problems(tmp_path)
    assert [p.path for p in problems] == [script]
    assert named in problems[0].message


@pytest.mark.parametrize(
    ("script", "needed"),
    [
        ("snippets/audio_video_3d/audio_video_3d_trainer.py", {"soundfile", "moviepy", "imageio"}),
        ("snippets/audio_video_3d/audio_video_3d_fabric.py", {"soundfile", "moviepy", "imageio"}),
        ("snippets/media/media_trainer.py", {"soundfile", "pillow", "pandas"}),
    ],
)
def test_the_install_cell_names_what_wandb_needs_for_the_media_a_script_logs(script, needed):
    """wandb imports soundfile (Audio) and moviepy/imageio (Video) only when they are used: a
    notebook that installed only what its script imports would stop at the first clip."""
    from tested_docs.notebooks import requirements

    assert needed <= set(requirements(ROOT / script))
    assert not {"moviepy", "imageio"} & set(
        requirements(ROOT / "snippets/quickstart/quickstart_trainer.py")
    )
