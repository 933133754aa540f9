"""Every script a page offers as a "Full example", as a Jupyter notebook, made at build time.

A notebook is the script itself, cut at its named sections: one code cell per section (and per run
of code between sections), each after a Markdown cell holding the words the page says before that
code, in the page's language. A first cell installs what the script imports and chooses W&B's
mode; a last cell closes the run. No second copy lives in the repository: the build writes the
notebook next to the page (`quickstart/quickstart_trainer.ipynb`), and the tests make the very
same notebook to validate and execute it.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

from tested_docs.pages import HEADING, TAB, front_matter_end, parse_code_blocks
from tested_docs.snippets import SECTION

PIP_NAMES = {
    "lightning": "lightning",
    "wandb": "wandb",
    "torchmetrics": "torchmetrics",
    "sklearn": "scikit-learn",
    "pandas": "pandas",
    "PIL": "pillow",
    "soundfile": "soundfile",
    "yaml": "pyyaml",
}
"""What `%pip install` gets for each module a script imports (torch and numpy come with them)."""

MODE_CELL = """\
import os

# "offline" keeps the run on disk, no account needed (`wandb sync` uploads it later).
# After `wandb.login()`, set "online" to log live.
os.environ["WANDB_MODE"] = "offline"
"""
FINISH_CELL = """\
import wandb

wandb.finish()  # close the run: running the notebook again starts a new one
"""
ADMONITION = re.compile(r'^(\?\?\?\+?|!!!)\s+\w+(\s+[\w-]+)*(\s+"[^"]*")?\s*$')


def code_cells(script: Path) -> list[tuple[str | None, str]]:
    """The script as (section, code) cells: its outermost sections, and the code between them.

    The module docstring (the run instructions of a script) and the section markers are left out.
    """
    source = script.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    skip: set[int] = set()
    first = tree.body[0] if tree.body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        skip.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    cells: list[tuple[str | None, list[str]]] = [(None, [])]
    open_sections: list[str] = []
    for number, text in enumerate(lines, start=1):
        marker = SECTION.search(text)
        if marker:
            if marker["edge"] == "start":
                if not open_sections:
                    cells.append((marker["name"], []))
                open_sections.append(marker["name"])
            elif marker["name"] in open_sections:
                open_sections.remove(marker["name"])
                if not open_sections:
                    cells.append((None, []))
            continue
        if number not in skip:
            cells[-1][1].append(text)
    return [
        (name, "\n".join(body).strip("\n") + "\n")
        for name, body in cells
        if "\n".join(body).strip()
    ]


def page_words(markdown: str, script: str) -> tuple[str, dict[str, str]]:
    """The page's title, and for each section of `script` it shows, the prose just before it.

    The prose is what the page says between the previous code block (or heading) and the block
    that includes the section, without tab and admonition markers.
    """
    lines = markdown.splitlines()
    title, words = "", {}
    after_previous = front_matter_end(lines) + 1  # index of the first line after the last block
    for block in parse_code_blocks(markdown, Path()):
        prose: list[str] = []
        for text in lines[after_previous : block.line - 1]:
            heading = HEADING.match(text)
            if heading:
                clean = re.sub(r"\s*\{[^}]*\}\s*$", "", heading["text"])
                title = title or (clean if len(heading["hashes"]) == 1 else "")
                prose = [f"{heading['hashes']} {clean}"] if len(heading["hashes"]) > 1 else []
            elif not (TAB.match(text) or ADMONITION.match(text.strip())):
                prose.append(text)
        after_previous = block.closing_line
        sections = [s for f, s in block.includes if f == script and s]
        said = _plain_links(textwrap.dedent("\n".join(prose)).strip())
        said = re.sub(r"\n{3,}", "\n\n", said)
        # A section shown twice keeps the words of its last showing that says more than a heading.
        if sections and said and (sections[0] not in words or not said.startswith("#")):
            words[sections[0]] = said
    return title, words


def _plain_links(text: str) -> str:
    """Links between pages are relative to the site: in a notebook, keep their words only."""
    return re.sub(r"\[([^\]]+)\]\((?!https?:)[^)]*\)", r"\1", text)


def requirements(script: Path) -> list[str]:
    tree = ast.parse(script.read_text(encoding="utf-8"))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module.split(".")[0])
    # wandb always: the notebook's last cell closes the run with it.
    named = {PIP_NAMES[m] for m in modules if m in PIP_NAMES and m not in sys.stdlib_module_names}
    return sorted(named | {"wandb"})


def _cell(kind: str, text: str) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "metadata": {}, "source": text}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def notebook(script: Path, markdown: str, relative: str, page_url: str = "") -> dict[str, Any]:
    """The notebook for `script` (its path `relative` to the project), with `markdown`'s words."""
    title, words = page_words(markdown, relative)
    heading = f"# {title}" if title else f"# {script.name}"
    intro = f"{heading}\n\n`{script.name}`" + (f" · [{page_url}]({page_url})" if page_url else "")
    cells = [
        _cell("markdown", intro),
        _cell("code", f"%pip install --quiet {' '.join(requirements(script))}\n"),
        _cell("code", MODE_CELL),
    ]
    if starts_processes(script):
        # DDP starts each rank as a new `python` process of the script's file, which a notebook
        # cell is not: the notebook writes the script to a file and runs it.
        said = next(iter(words.values()), "")
        if said:
            cells.append(_cell("markdown", said))
        source = script.read_text(encoding="utf-8")
        cells.append(_cell("code", f"%%writefile {script.name}\n{source}"))
        cells.append(_cell("code", f"!python {script.name}\n"))
        return _notebook(cells)
    for section, code in code_cells(script):
        if section in words:
            cells.append(_cell("markdown", words[section]))
        cells.append(_cell("code", code))
    cells.append(_cell("code", FINISH_CELL))
    return _notebook(cells)


def starts_processes(script: Path) -> bool:
    """A script that launches DDP ranks as processes of its own file (cannot run in a cell)."""
    return bool(re.search(r"""strategy=["']ddp["']""", script.read_text(encoding="utf-8")))


def _notebook(cells: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def with_cell_ids(data: dict[str, Any]) -> dict[str, Any]:
    """nbformat 4.5 wants an id on every cell: stable ones, so a rebuild writes the same file."""
    for number, cell in enumerate(data["cells"]):
        cell["id"] = f"cell-{number}"
    return data


def notebook_json(script: Path, markdown: str, relative: str, page_url: str = "") -> str:
    return json.dumps(
        with_cell_ids(notebook(script, markdown, relative, page_url)), indent=1, ensure_ascii=False
    )


def is_notebook_material(script: Path) -> bool:
    """A program a reader runs, not a test file or fixture module (which pytest runs)."""
    tree = ast.parse(script.read_text(encoding="utf-8"))
    if script.stem.startswith("conftest") or any(
        isinstance(node, ast.FunctionDef) and node.name.startswith("test") for node in tree.body
    ):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name == "pytest" for a in node.names):
            return False
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pytest"):
            return False
    return True


def notebook_name(script: str) -> str:
    return Path(script).with_suffix(".ipynb").name
