"""The notebooks the site offers: one per "Full example", valid, made of the script's own code,
and carrying the page's words in the page's language. (The Quickstart's and the tutorial's are
also executed in a Jupyter kernel, by their tests under snippets/.)"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tested_docs.full_examples import notebook_files
from tested_docs.notebooks import (
    FINISH_CELL,
    MODE_CELL,
    code_cells,
    notebook_json,
    starts_processes,
)
from tested_docs.pages import page_language, pages
from tested_docs.snippets import SECTION

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def offered() -> list[tuple[Path, str]]:
    return [
        (page, script)
        for page in pages(ROOT / "docs")
        for script in notebook_files(page.read_text(encoding="utf-8"), ROOT)
    ]


def script_code(path: Path) -> str:
    """The script without its docstring and section markers, as the notebook should hold it."""
    return "".join(code for _, code in code_cells(path))


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
    name = Path(script).name
    if starts_processes(ROOT / script):
        # DDP: the notebook writes the very script to a file and runs it as a process.
        source = (ROOT / script).read_text(encoding="utf-8")
        assert code[2:] == [f"%%writefile {name}\n{source}", f"!python {name}\n"]
        return
    assert code[-1] == FINISH_CELL
    body = [source if source.endswith("\n") else source + "\n" for source in code[2:-1]]
    assert "".join(body) == script_code(ROOT / script)
    source = (ROOT / script).read_text(encoding="utf-8")
    kept = "\n".join(line for line in source.splitlines() if not SECTION.search(line))
    assert all(line in kept for line in "".join(body).splitlines())
    words = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    if page_language(page) == "en":
        assert not CJK.search(words)
    else:
        assert CJK.search(words), f"{page.name}: the notebook's words are not in its language"
    # Links between pages are relative to the site: a notebook keeps their words only.
    assert not re.search(r"\]\((?!https?:)[^)]*\.md", words)
    again = notebook_json(ROOT / script, page.read_text(encoding="utf-8"), script)
    assert again == text  # the same file on every build
