"""What a reader copies: excerpts that stand on their own, scripts without scaffolding, equal copies.

- **Excerpts stand on their own.** For each page and each Python file it includes by section, the
  sections it shows, joined in the file's order, must define every name they use (ruff's F821).
  The collapsed "Full example" the build adds does not count: a page has to show its setup.
- **No scaffolding.** A script is the code a reader would write: it does not change the
  environment (the reader, or a test, sets `WANDB_MODE` and the device outside), does not choose an
  accelerator (tests choose it through `PL_TRAINER_ACCELERATOR` and `LT_ACCELERATOR`), takes no
  parameter that no code of its topic ever passes, has no method parameter that only its tests
  pass, and carries no coverage pragma.
- **Copies stay equal.** Each script runs alone, so shared setup (the digits loaders, the model) is
  copied into many of them. A top-level function or class of the same name must be the same code in
  every script; a copy that differs on purpose takes a name of its own.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tempfile
import textwrap
from collections import Counter, defaultdict
from pathlib import Path

from tested_docs import snippets as snip
from tested_docs.pages import includes, page_language, pages
from tested_docs.problem import Problem

REFERENCE = "quickstart"
"""The topic whose copies of the shared setup the others must match."""
ENTRY_POINTS = {"main", "train"}
"""Names each script writes its own way: not copies of one another."""


# --- excerpts ------------------------------------------------------------------------------------


def shown_sections(page: Path) -> dict[str, list[tuple[int, str]]]:
    """Python files the page includes by section: file -> [(include line, section)], page order."""
    shown: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for line, file, section in includes(page):
        if section and file.endswith(".py"):
            shown[file].append((line, section))
    return shown


def joined_excerpts(path: Path, names: list[str]) -> tuple[str, list[int]]:
    """The lines of the named sections in file order (nested ones once), each run dedented.

    Returns the joined source and, for each of its lines, the line number in `path`.
    """
    found = snip.sections(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    wanted: set[int] = set()
    for name in names:
        start, end = found.get(name, (0, None))
        if start and end:
            wanted.update(range(start + 1, end))  # the lines between the markers (1-based)
    source: list[str] = []
    origin: list[int] = []
    run: list[int] = []
    for number in [*sorted(wanted), -1]:
        if run and number != run[-1] + 1:
            text = textwrap.dedent("\n".join(lines[n - 1] for n in run)).split("\n")
            source += [*text, ""]
            origin += [*run, run[-1]]
            run = []
        if number > 0:  # nested section markers stay: comments, to ruff
            run.append(number)
    return "\n".join(source) + "\n", origin


def undefined_names(root: Path) -> list[Problem]:
    """Names an English page's excerpts use but never define (translations show the same)."""
    jobs: list[tuple[Path, int, str, list[int]]] = []
    with tempfile.TemporaryDirectory(prefix="excerpts-") as folder:
        for page in pages(root / "docs"):
            if page_language(page) != "en":
                continue
            for file, includes in shown_sections(page).items():
                path = root / file
                if not path.is_file():
                    continue  # broken_includes names it
                source, origin = joined_excerpts(path, [section for _, section in includes])
                excerpt = Path(folder) / f"{len(jobs)}.py"
                excerpt.write_text(source, encoding="utf-8")
                jobs.append((page, includes[0][0], file, origin))
        if not jobs:
            return []
        ruff = [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache"]
        done = subprocess.run(
            [*ruff, "--select", "F821", "--output-format", "json", "--exit-zero", folder],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
    if done.returncode != 0:
        return [Problem(root / "docs", 1, f"ruff could not check the excerpts: {done.stderr}")]
    problems = []
    for finding in json.loads(done.stdout or "[]"):
        page, line, file, origin = jobs[int(Path(finding["filename"]).stem)]
        row = finding["location"]["row"]
        at = origin[row - 1] if 0 < row <= len(origin) else 0
        name = re.search(r"`([^`]+)`", finding["message"])
        what = f"name {name[1]!r}" if name else finding["message"]
        if finding["code"] is None:  # a syntax error in the joined excerpts
            what = f"the sections shown do not parse together ({finding['message']})"
            problems.append(Problem(page, line, f"{file}:{at}: {what}"))
            continue
        problems.append(
            Problem(
                page,
                line,
                f"{file}:{at}: {what} is used but no section this page shows defines it:"
                " show the section that does (setup may sit in a collapsed block)",
            )
        )
    return problems


# --- scaffolding ---------------------------------------------------------------------------------


def reader_scripts(root: Path) -> list[Path]:
    return [path for path in snip.snippet_files(root / "snippets") if path.suffix == ".py"]


def _is_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


ENV_WRITERS = {"setdefault", "update", "pop", "clear", "popitem", "__setitem__", "__delitem__"}


def _scaffolding_in(tree: ast.Module) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    changes_env = (
        "changes the environment: a reader sets WANDB_MODE and the rest outside the script"
    )
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign | ast.Delete):
            targets = node.targets
        elif isinstance(node, ast.AugAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Subscript) and _is_environ(t.value) for t in targets):
            found.append((node.lineno, changes_env))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            if (_is_environ(func.value) and func.attr in ENV_WRITERS) or (
                isinstance(func.value, ast.Name)
                and func.value.id == "os"
                and func.attr in ("putenv", "unsetenv")
            ):
                found.append((node.lineno, changes_env))
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "accelerator":
                    found.append(
                        (
                            keyword.value.lineno,
                            "chooses the accelerator in code: leave it at its default, 'auto'"
                            " (tests choose it through PL_TRAINER_ACCELERATOR and LT_ACCELERATOR)",
                        )
                    )
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for arg in [*node.args.args, *node.args.kwonlyargs]:
                if arg.arg == "accelerator":
                    found.append((arg.lineno, "takes an 'accelerator' parameter: a test-only knob"))
    return found


def _defaults(node: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, tuple[int | None, int]]:
    """Parameters with a default: name -> (index among positional arguments, line)."""
    positional = node.args.posonlyargs + node.args.args
    if positional and positional[0].arg in ("self", "cls"):
        positional = positional[1:]
    found: dict[str, tuple[int | None, int]] = {}
    for arg, default in zip(
        positional[len(positional) - len(node.args.defaults) :], node.args.defaults, strict=True
    ):
        found[arg.arg] = (positional.index(arg), default.lineno)
    for arg, default in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True):
        if default:
            found[arg.arg] = (None, default.lineno)
    return found


def _passes(calls: list[ast.Call], name: str, index: int | None) -> bool:
    """Whether any of `calls` passes the parameter `name` (at `index` when positional)."""
    return any(
        any(k.arg == name or k.arg is None for k in call.keywords)
        or (index is not None and len(call.args) > index)
        or any(isinstance(a, ast.Starred) for a in call.args)
        for call in calls
    )


def _parameters_never_passed(
    tree: ast.Module, calls: dict[str, list[ast.Call]], test_calls: dict[str, list[ast.Call]]
) -> list[tuple[int, str]]:
    """Defaulted parameters the topic's scripts never pass: any of a top-level function's, and a
    method's that only the topic's tests pass (`__init__`'s through calls of its class).
    """
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in calls:
            for name, (index, line) in _defaults(node).items():
                if not _passes(calls[node.name], name, index):
                    found.append(
                        (
                            line,
                            f"parameter {name!r} of {node.name}() is never passed by the code of"
                            " this topic: a test-only parameter? Write the value in the code",
                        )
                    )
        if not isinstance(node, ast.ClassDef):
            continue
        for method in node.body:
            if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            called = node.name if method.name == "__init__" else method.name
            for name, (index, line) in _defaults(method).items():
                if _passes(test_calls.get(called, []), name, index) and not _passes(
                    calls.get(called, []), name, index
                ):
                    found.append(
                        (
                            line,
                            f"parameter {name!r} of {node.name}.{method.name}() is passed only"
                            " by the tests of this topic: a test-only parameter? Take the value"
                            " where a reader's code would (the environment, the code itself)",
                        )
                    )
    return found


def _calls_by_name(trees: list[ast.Module]) -> dict[str, list[ast.Call]]:
    calls: dict[str, list[ast.Call]] = defaultdict(list)
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name:
                    calls[name].append(node)
    return calls


def _test_trees(folder: Path) -> list[ast.Module]:
    """The topic's test modules, parsed; one that does not parse is the test run's to report."""
    trees = []
    for path in sorted(folder.glob("*.py")):
        if snip.is_test(path):
            try:
                trees.append(ast.parse(path.read_text(encoding="utf-8"), str(path)))
            except SyntaxError:
                continue
    return trees


def scaffolding(root: Path) -> list[Problem]:
    """Code a script carries for its tests' sake, named with file and line."""
    problems = []
    scripts = reader_scripts(root)
    trees = {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in scripts}
    by_folder: dict[Path, list[ast.Module]] = defaultdict(list)
    for path, tree in trees.items():
        by_folder[path.parent].append(tree)
    test_calls = {folder: _calls_by_name(_test_trees(folder)) for folder in by_folder}
    for path, tree in trees.items():
        found = _scaffolding_in(tree)
        found += _parameters_never_passed(
            tree, _calls_by_name(by_folder[path.parent]), test_calls[path.parent]
        )
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"#\s*pragma:\s*no\s*cover", text):
                found.append((number, "carries a coverage pragma: a test must run this code"))
        problems += [Problem(path, line, f"scaffolding: {message}") for line, message in found]
    return sorted(problems, key=lambda p: (str(p.path), p.line))


# --- copies --------------------------------------------------------------------------------------


def drifted_copies(root: Path) -> list[Problem]:
    """Top-level definitions of one name that are not the same code in every script."""
    copies: dict[str, list[tuple[Path, int, str]]] = defaultdict(list)
    for path in reader_scripts(root):
        source = path.read_text(encoding="utf-8")
        for node in ast.parse(source, str(path)).body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name not in ENTRY_POINTS:
                first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
                text = "\n".join(source.splitlines()[first - 1 : node.end_lineno])
                copies[node.name].append((path, first, text))
    problems = []
    for name, found in copies.items():
        votes = Counter(text for _, _, text in found)
        if len(votes) < 2:
            continue
        # The Quickstart's copy is the reference; without one, the version most scripts share.
        ours = Counter(t for path, _, t in found if REFERENCE in path.relative_to(root).parts)
        reference = max(ours or votes, key=lambda t: (ours[t], votes[t]))
        holder = next(path for path, _, text in found if text == reference)
        holder_name = holder.relative_to(root).as_posix()
        for path, line, text in found:
            if text != reference:
                problems.append(
                    Problem(
                        path,
                        line,
                        f"copy drifted: {name} differs from its copy in {holder_name}; keep"
                        f" copies identical, or give a copy that differs on purpose its own name",
                    )
                )
    return problems
