"""No scaffolding: a script is the code a reader would write, nothing carried for its tests.

It does not change the environment (the reader, or a test, sets `WANDB_MODE` and the device
outside), does not choose an accelerator (tests choose it through `PL_TRAINER_ACCELERATOR` and
`LT_ACCELERATOR`), takes no parameter that no code of its topic ever passes, has no method
parameter that only its tests pass, and carries no coverage pragma.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

from tested_docs import snippets as snip
from tested_docs.problem import Problem


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
    scripts = snip.reader_scripts(root / "snippets")
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
