"""Copies stay equal: shared setup copied into several scripts is the same code in each.

Each script runs alone, so shared setup (the digits loaders, the model) is copied into many of
them. A top-level function or class of the same name must be the same code in every script; a copy
that differs on purpose takes a name of its own.
"""

from __future__ import annotations

import ast
from collections import Counter, defaultdict
from pathlib import Path

from tested_docs import snippets as snip
from tested_docs.problem import Problem

REFERENCE = "quickstart"
"""The topic whose copies of the shared setup the others must match."""
ENTRY_POINTS = {"main", "train"}
"""Names each script writes its own way: not copies of one another."""


def drifted_copies(root: Path) -> list[Problem]:
    """Top-level definitions of one name that are not the same code in every script."""
    copies: dict[str, list[tuple[Path, int, str]]] = defaultdict(list)
    for path in snip.reader_scripts(root / "snippets"):
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
