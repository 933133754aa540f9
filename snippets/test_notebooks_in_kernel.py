"""Every notebook an English page links, run in a Jupyter kernel as a reader runs it: offline, in
an empty folder, top to bottom. (The other languages' notebooks hold the same code cells:
tests/test_notebooks.py.)

One kernel per xdist worker runs them all, each notebook in a fresh namespace, folder, environment
and set of warning rules (`tested_docs.notebook_kernel`): lightning, torch and wandb are imported
once. Every notebook must finish the runs it starts (tests/test_notebooks.py proves its code is
the script's, line by line). One that gives the script arguments in a cell (argparse,
LightningCLI, `sys.argv`) must also record what the script records when run as its docstring's
offline command, and one whose script has no such command (it needs a server) must stop where
the script stops; this test runs the script too, for those.
"""

from __future__ import annotations

import re
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from snippets.several_runs.test_several_runs import RUN_IN_PROGRESS
from tested_docs.full_examples import notebook_files
from tested_docs.notebooks import (
    NotebookError,
    notebook,
    notebook_source,
    offline_command,
    run_cell,
)
from tested_docs.pages import page_language, pages
from tested_docs.runs import RecordedRun, read_run

pytestmark = pytest.mark.notebook

ROOT = Path(__file__).resolve().parents[1]


@cache
def linked() -> dict[str, Path]:
    """Each script an English page offers as a notebook, with the first page that offers it."""
    found: dict[str, Path] = {}
    for page in pages(ROOT / "docs"):
        if page_language(page) == "en":
            for script in notebook_files(page.read_text(encoding="utf-8"), ROOT):
                found.setdefault(script, page)
    return found


def recorded(folder: Path) -> dict[Path, RecordedRun]:
    """Every finished run under `folder`, wherever the script put it (`save_dir=`), by folder."""
    return {
        path.parent: read_run(path.parent)
        for path in sorted(folder.rglob("run-*.wandb"))
    }


def what_it_records(run: RecordedRun) -> dict[str, Any]:
    """What a reader finds in the W&B app, without what differs from one run to the next
    (ids, times, folders, measured values)."""

    def same_everywhere(text: str) -> str:
        return text.replace(run.run_id, "<run id>")

    return {
        "project": run.project,
        "group": run.group,
        "job_type": run.job_type,
        "tags": run.tags,
        "config": run.config,
        "history": [
            sorted(key for key in row if not key.startswith("_")) for row in run.history
        ],
        "summary": sorted(run.summary),
        "metrics": run.metrics,
        "artifacts": [
            (
                same_everywhere(a.name),
                a.type,
                sorted(a.aliases),
                sorted(f.path for f in a.files),
            )
            for a in run.artifacts
        ],
        "exit_code": run.exit_code,
    }


CHECKPOINTS_EXIST = "ignore:Checkpoint directory .* exists and is not empty:UserWarning"
EXPECTED_WARNINGS = {
    # A Jupyter kernel is started as `python -m ipykernel_launcher -f <connection file>`, and
    # Lightning 2.6.6 warns about any sys.argv beside LightningCLI(args=...) (lightning/pytorch/
    # cli.py): in every notebook. The page says so.
    "snippets/lightning_cli/cli.py": [
        "ignore:LightningCLI's args parameter is intended to run from within Python:UserWarning"
    ],
    # What these scripts show on purpose, as their own tests assert with pytest.warns:
    "snippets/several_runs/without_finish.py": [
        f"ignore:{re.escape(RUN_IN_PROGRESS)}:UserWarning",
        CHECKPOINTS_EXIST,
    ],
    "snippets/guides/resume/resume_trainer.py": [CHECKPOINTS_EXIST],
}


TESTED_ON_THEIR_OWN = {
    "snippets/quickstart/quickstart_trainer.py": "snippets/quickstart/test_quickstart_notebooks.py",
    "snippets/quickstart/quickstart_fabric.py": "snippets/quickstart/test_quickstart_notebooks.py",
    "snippets/tutorials/image_classification/image_classification_trainer.py": (
        "snippets/tutorials/image_classification/test_image_classification_notebooks.py"
    ),
    "snippets/tutorials/image_classification/image_classification_fabric.py": (
        "snippets/tutorials/image_classification/test_image_classification_notebooks.py"
    ),
    "snippets/multi_node/ddp_notebook_trainer.py": "snippets/multi_node/test_multi_node.py",
}
"""Notebooks a test of their own runs in a kernel and checks with their script's assertions:
not run a second time here."""


def test_notebooks_tested_on_their_own_are_run_there():
    for script, test in TESTED_ON_THEIR_OWN.items():
        assert script in linked(), f"{script} is no longer a linked notebook"
        source = (ROOT / test).read_text(encoding="utf-8")
        assert "run_notebook(" in source and Path(script).name in source, (script, test)


def cases() -> list[Any]:
    return [
        pytest.param(
            script,
            id=Path(script).stem,
            marks=[
                pytest.mark.filterwarnings(r) for r in EXPECTED_WARNINGS.get(script, [])
            ],
        )
        for script in sorted(linked())
        if script not in TESTED_ON_THEIR_OWN
    ]


def runs_offline(path: Path) -> bool:
    """Its docstring gives an offline command. Without one (the registry's scripts need a
    server, ddp_notebook's runs only in a notebook), the notebook must do what the script does
    run as `python NAME`: stop at the same error, or at none."""
    try:
        offline_command(path)
    except NotebookError:
        return False
    return True


@pytest.mark.timeout(300)
@pytest.mark.parametrize("script", cases())
def test_notebook_runs_in_a_kernel(wandb_offline, accelerator, monkeypatch, script):
    path, page = ROOT / script, linked()[script]
    offline = runs_offline(path)
    gives_args = offline and bool(offline_command(path))
    expected: list[dict[str, Any]] | None = None
    stopped = ""
    # Where the notebook gives arguments in a cell (`parse_args(["--wandb"])`; an empty list is
    # what an empty command line gives), or has no offline command to follow, the script, run as
    # `python NAME ARGS` in a folder of its own, says what the notebook must record.
    if not offline or (
        notebook_source(path) != path.read_text(encoding="utf-8") and gives_args
    ):
        own = wandb_offline.root / "as-a-script"
        own.mkdir()
        monkeypatch.chdir(own)
        args = offline_command(path) if offline else []
        for name in args:  # files the command names: `--config config.yaml`
            if (path.parent / name).is_file():
                shutil.copy(path.parent / name, own / name)
        try:
            wandb_offline.run_script(path, *args)
        except Exception as error:
            stopped = type(error).__name__
        monkeypatch.chdir(wandb_offline.root)
        expected = [
            what_it_records(run) for run in recorded(wandb_offline.root).values()
        ]
    before = set(recorded(wandb_offline.root))
    if stopped:
        with pytest.raises(CellExecutionError) as failed:
            wandb_offline.run_notebook(path, page)
        assert f"{stopped}" in re.sub(r"\x1b\[[0-9;]*m", "", str(failed.value))
    else:
        wandb_offline.run_notebook(path, page)
    runs = [
        run
        for folder, run in recorded(wandb_offline.root).items()
        if folder not in before
    ]
    assert runs, f"the notebook of {script} recorded no finished W&B run"
    if offline:
        assert all(run.exit_code == 0 for run in runs), [run.exit_code for run in runs]
    if expected is not None:
        found = [what_it_records(run) for run in runs]
        assert len(found) == len(expected), (
            f"{len(found)} runs where the script made {len(expected)}"
        )
        for number, (ours, theirs) in enumerate(zip(found, expected, strict=True)):
            differ = {
                key: (ours[key], theirs[key])
                for key in ours
                if ours[key] != theirs[key]
            }
            assert not differ, f"run {number}: (notebook, script) differ in {differ}"


def test_a_failing_command_fails_the_notebook(wandb_offline):
    """`!python ...` alone would let a notebook go on after the script failed (DDP notebooks)."""
    script = wandb_offline.root / "fails.py"
    script.write_text("raise SystemExit(3)\n")
    cells = [nbformat.v4.new_code_cell(run_cell(script, ["--flag"]))]
    with pytest.raises(CellExecutionError) as failed:
        wandb_offline.kernel.get().run(
            nbformat.v4.new_notebook(cells=cells), wandb_offline.root
        )
    assert "RuntimeError: python fails.py --flag exited with 3" in re.sub(
        r"\x1b\[[0-9;]*m", "", str(failed.value)
    )


def test_install_cells_install_nothing_new(wandb_offline):
    """Every notebook's first cell, as one `%pip install`: every package it names is the one
    these tests ran with, so pip has nothing to fetch."""
    names: set[str] = set()
    for script, page in linked().items():
        made = notebook(ROOT / script, page.read_text(encoding="utf-8"), script)
        first = made["cells"][1]["source"]
        assert first.startswith("%pip install --quiet "), first
        names.update(first.split()[3:])
    cell = nbformat.v4.new_code_cell(
        f"%pip install --quiet {' '.join(sorted(names))}\n"
    )
    executed = wandb_offline.kernel.get().run(
        nbformat.v4.new_notebook(cells=[cell]), wandb_offline.root, install=True
    )
    said = "".join(o.get("text", "") for o in executed.cells[0].outputs)
    assert "Successfully installed" not in said, said
