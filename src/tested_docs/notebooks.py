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
import shlex
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tested_docs.pages import HEADING, TAB, front_matter_end, parse_code_blocks
from tested_docs.problem import Problem
from tested_docs.snippets import SECTION, snippet_files

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
USED_THROUGH_WANDB = {
    "Audio": ("soundfile",),
    "log_audio": ("soundfile",),
    "Video": ("moviepy", "imageio"),
    "log_video": ("moviepy", "imageio"),
}
"""What wandb imports only when a script uses these names: `wandb.Audio` writes WAV files with
soundfile, `wandb.Video` encodes with moviepy and imageio (wandb's `media` extra)."""

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


class NotebookError(ValueError):
    """A script cannot become a notebook as it is written; the message names file and line."""

    def __init__(self, script: Path, line: int, message: str) -> None:
        super().__init__(f"{script}:{line}: {message}")
        self.script, self.line, self.message = script, line, message


OFFLINE_COMMAND = re.compile(r"`WANDB_MODE=offline python (?P<name>[\w.-]+\.py)(?P<args>[^`]*)`")
"""The command a script's docstring gives a reader without an account: its notebook runs that."""
ARGUMENT_PARSERS = {"parse_args", "parse_known_args", "parse_intermixed_args"}
"""argparse's methods that read `sys.argv[1:]` when given no list."""
NOTEBOOK_COMMAND = "# The command line, in a notebook: {command}"
"""The comment the notebook puts above each place that reads the command line."""


@dataclass(frozen=True)
class ArgvRead:
    """A place where a script reads its command line: in a notebook, that is the kernel's."""

    line: int
    kind: str  # "sys.argv", "parse_args", "LightningCLI", or "unsupported"
    what: str
    node: ast.AST


def argv_reads(tree: ast.Module) -> list[ArgvRead]:
    """Every read of the process's command line: `sys.argv`, argparse's `parse_args()` with
    no list, `LightningCLI(...)` with no `args=`, and the forms a notebook cannot rewrite."""
    reads = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "argv":
            if isinstance(node.value, ast.Name) and node.value.id == "sys":
                reads.append(ArgvRead(node.lineno, "sys.argv", "sys.argv", node))
        elif isinstance(node, ast.ImportFrom) and node.module == "sys":
            if any(alias.name == "argv" for alias in node.names):
                reads.append(ArgvRead(node.lineno, "unsupported", "from sys import argv", node))
        elif isinstance(node, ast.Call):
            name = _called_name(node)
            given = node.args or any(k.arg == "args" for k in node.keywords)
            if name in ARGUMENT_PARSERS and not given:
                reads.append(ArgvRead(node.lineno, "parse_args", f"{name}()", node))
            elif name == "LightningCLI" and not any(k.arg == "args" for k in node.keywords):
                reads.append(ArgvRead(node.lineno, "LightningCLI", "LightningCLI(...)", node))
            elif name in ("CLI", "auto_cli", "Fire") and not any(
                k.arg in ("args", "command") for k in node.keywords
            ):  # jsonargparse's and Fire's: the command line unless given one by keyword
                reads.append(ArgvRead(node.lineno, "unsupported", f"{name}(...)", node))
    return sorted(reads, key=lambda read: (read.line, read.kind))


def _called_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    return call.func.attr if isinstance(call.func, ast.Attribute) else ""


def offline_command(script: Path) -> list[str]:
    """The arguments of `WANDB_MODE=offline python NAME ARGS`, the command the script's
    docstring gives: a notebook, which has no command line of its own, runs the same."""
    docstring = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or ""
    commands = {
        tuple(shlex.split(found["args"]))
        for found in OFFLINE_COMMAND.finditer(docstring)
        if found["name"] == script.name
    }
    if len(commands) != 1:
        what = "no" if not commands else "more than one"
        raise NotebookError(
            script,
            1,
            f"its docstring gives {what} offline command "
            f"`WANDB_MODE=offline python {script.name} ...`; its notebook runs that one command",
        )
    return list(commands.pop())


def _command(script: Path, args: list[str]) -> str:
    return shlex.join(["python", script.name, *args])


def _literal(args: list[str]) -> str:
    return "[" + ", ".join(json.dumps(arg) for arg in args) + "]"


def notebook_source(script: Path) -> str:
    """The script as its notebook runs it: each read of the command line gets the arguments of
    the docstring's offline command instead, under a comment that says so.

    `parse_args()` becomes `parse_args([...])`, `LightningCLI(...)` gets `args=[...]`, and
    `sys.argv` becomes `argv`, a list set just before the first statement that reads it.
    """
    source = script.read_text(encoding="utf-8")
    tree = ast.parse(source)
    reads = argv_reads(tree)
    if not reads:
        return source
    unsupported = [read for read in reads if read.kind == "unsupported"]
    if unsupported:
        first = unsupported[0]
        raise NotebookError(
            script,
            first.line,
            f"{first.what} reads the command line, which in a notebook is the kernel's: use"
            " argparse's parse_args(), LightningCLI(...) or sys.argv",
        )
    args = offline_command(script)
    comment = NOTEBOOK_COMMAND.format(command=_command(script, args))
    lines = source.splitlines()
    edits: list[tuple[int, int, int, str]] = []  # (line index, start, end, text), in characters
    inserts: dict[int, list[str]] = {}  # line index -> lines to put before it
    first_argv = None
    for read in reads:
        node = read.node
        assert isinstance(node, ast.Attribute | ast.Call)
        index, text = node.lineno - 1, lines[node.lineno - 1]
        start = _column(text, node.col_offset)
        last = lines[(node.end_lineno or node.lineno) - 1]
        end = _column(last, node.end_col_offset or 0)
        if read.kind == "sys.argv":
            edits.append((index, start, end, "argv"))
            first_argv = min(first_argv or index + 1, index + 1)
        elif read.kind == "parse_args":
            if last[end - 2 : end] != "()":
                raise NotebookError(script, read.line, f"cannot give {read.what} a list")
            edits.append((index, end - 2, end, f"({_literal(args)})"))
            inserts.setdefault(index, []).append(_indent(text) + comment)
        elif node.end_lineno == node.lineno:  # LightningCLI(...) on one line
            edits.append((index, end - 1, end, f", args={_literal(args)})"))
            inserts.setdefault(index, []).append(_indent(text) + comment)
        else:  # the closing parenthesis on its own line: args=... goes on a line before it
            closing = (node.end_lineno or node.lineno) - 1
            pad = _indent(lines[closing - 1])
            inserts.setdefault(closing, []).extend([pad + comment, f"{pad}args={_literal(args)},"])
    if first_argv is not None:
        statement = next(
            s for s in tree.body if s.lineno <= first_argv <= (s.end_lineno or s.lineno)
        )
        at = _first_line(statement) - 1
        inserts.setdefault(at, [])[:0] = [comment, f"argv = {_literal([script.name, *args])}"]
    for index, start, end, text in sorted(edits, reverse=True):
        lines[index] = lines[index][:start] + text + lines[index][end:]
    for index in sorted(inserts, reverse=True):
        lines[index:index] = inserts[index]
    return "\n".join(lines) + "\n"


def _column(line: str, byte_offset: int) -> int:
    """ast's column offsets count UTF-8 bytes; string slicing counts characters."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8"))


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _first_line(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", [])
    return min([statement.lineno, *(d.lineno for d in decorators)])


def code_cells(source: str) -> list[tuple[list[str], str]]:
    """The script as cells: its outermost sections, and the code between them, each with the
    sections it holds.

    A cell starts or ends only between top-level statements: a section that starts or ends
    inside a class or function stays in the cell that holds the whole definition, which a
    reader needs in one piece. The module docstring (the run instructions of a script) and
    the section markers are left out.
    """
    lines = source.splitlines()
    tree = ast.parse(source)
    skip: set[int] = set()
    inside: set[int] = set()  # lines after the first line of a top-level statement
    for statement in tree.body:
        inside.update(range(_first_line(statement) + 1, (statement.end_lineno or 0) + 1))
    first = tree.body[0] if tree.body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        skip.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    cells: list[tuple[list[str], list[str]]] = [([], [])]
    open_sections: list[str] = []
    for number, text in enumerate(lines, start=1):
        marker = SECTION.search(text)
        if marker:
            if marker["edge"] == "start":
                if not open_sections:
                    if number in inside:
                        cells[-1][0].append(marker["name"])
                    else:
                        cells.append(([marker["name"]], []))
                open_sections.append(marker["name"])
            elif marker["name"] in open_sections:
                open_sections.remove(marker["name"])
                if not open_sections and number not in inside:
                    cells.append(([], []))
            continue
        if number not in skip:
            cells[-1][1].append(text)
    return [
        (names, "\n".join(body).strip("\n") + "\n")
        for names, body in cells
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
    used = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    # wandb always: the notebook's last cell closes the run with it.
    named = {PIP_NAMES[m] for m in modules if m in PIP_NAMES and m not in sys.stdlib_module_names}
    named.update(
        pip for name in used & USED_THROUGH_WANDB.keys() for pip in USED_THROUGH_WANDB[name]
    )
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
        cells.append(_cell("code", run_cell(script, offline_command(script))))
        return _notebook(cells)
    source = notebook_source(script)
    if source != script.read_text(encoding="utf-8"):
        cells += [_cell("code", cell) for cell in file_cells(script, offline_command(script))]
    for sections, code in code_cells(source):
        said = "\n\n".join(words[name] for name in sections if name in words)
        if said:
            cells.append(_cell("markdown", said))
        cells.append(_cell("code", code))
    cells.append(_cell("code", FINISH_CELL))
    return _notebook(cells)


def run_cell(script: Path, args: list[str]) -> str:
    """Run the script as a process of the kernel's own Python (a plain `python` may be another
    one); a `!` command's failure does not stop a notebook by itself, so the cell checks."""
    command = shlex.join([script.name, *args])
    return (
        "import sys\n\n"
        f"!{{sys.executable}} {command}\n"
        "if _exit_code != 0:  # the status of the `!` command above\n"
        f'    raise RuntimeError(f"python {command} exited with {{_exit_code}}")\n'
    )


def file_cells(script: Path, args: list[str]) -> list[str]:
    """`%%writefile` cells for the files the command names that lie next to the script
    (LightningCLI's `--config config.yaml`): the notebook's folder needs them too."""
    cells = []
    for arg in args:
        path = script.parent / arg
        if not arg.startswith("-") and path.is_file() and path.parent == script.parent:
            text = "".join(
                line
                for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                if not SECTION.search(line)
            )
            cells.append(f"%%writefile {arg}\n{text}")
    return cells


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


def kernel_argv_problems(root: Path) -> list[Problem]:
    """Scripts whose notebook would read the kernel's command line (`-f <connection file>`)
    instead of the arguments the script's docstring gives: a read the notebook cannot turn
    into a list in its cells, or no offline command in the docstring to take them from."""
    problems = []
    for script in snippet_files(root / "snippets"):
        if script.suffix != ".py" or not is_notebook_material(script):
            continue
        try:
            if starts_processes(script):  # run as a process: its command line is a real one
                offline_command(script)
                continue
            left = argv_reads(ast.parse(notebook_source(script)))
        except NotebookError as error:
            problems.append(Problem(script, error.line, error.message))
            continue
        problems += [
            Problem(script, read.line, f"its notebook would read the kernel's argv: {read.what}")
            for read in left
        ]
    return problems


def is_notebook_material(script: Path) -> bool:
    """A program a reader runs on one machine: not a test file or fixture module (which pytest
    runs), nor a job for several machines (`num_nodes=2`), which a launcher starts on each."""
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
        if isinstance(node, ast.keyword) and node.arg == "num_nodes" and not _is_one(node.value):
            return False
    return True


def _is_one(value: ast.expr) -> bool:
    return isinstance(value, ast.Constant) and value.value == 1


def notebook_name(script: str) -> str:
    return Path(script).with_suffix(".ipynb").name
