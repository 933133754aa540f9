"""The module map on the contributing page is true: every module of `src/tested_docs` is in it,
once, and imports only shared readers and modules of its own part."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "tested_docs"
SHARED = "shared readers"
EXEMPT = {"__init__"}
"""`__init__` re-exports the test harness's reader (`runs`) for the snippet tests."""


def module_map(page: Path) -> dict[str, str]:
    """Module -> its part, from the table under `## How the machinery is laid out`."""
    text = page.read_text(encoding="utf-8").split("{#machinery}", 1)[1].split("\n## ", 1)[0]
    parts = {}
    for row in re.findall(r"^\| (?!---|part)([^|]+) \| (.+) \|$", text, re.M):
        for module in re.findall(r"`(\w+)` \(", row[1]):
            assert module not in parts, f"{module} is in the map twice"
            parts[module] = row[0].strip()
    return parts


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "tested_docs":
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tested_docs."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("tested_docs.")}
    return found


def wrong_imports(package: Path, parts: dict[str, str]) -> list[str]:
    """Each import of a module of another part than the importer's, shared readers aside."""
    return [
        f"{path.stem} ({parts[path.stem]}) imports {other} ({parts[other]})"
        for path in sorted(package.glob("*.py"))
        if path.stem not in EXEMPT
        for other in sorted(imports(path) - {path.stem})
        if parts.get(other) != SHARED and parts.get(other) != parts.get(path.stem)
    ]


def test_every_module_is_on_the_map_and_imports_only_what_its_part_may():
    parts = module_map(ROOT / "docs" / "contributing.md")
    modules = {path.stem for path in PACKAGE.glob("*.py")} - EXEMPT
    assert sorted(modules ^ set(parts)) == []
    assert wrong_imports(PACKAGE, parts) == []


def test_a_module_that_imports_another_part_is_named(tmp_path: Path):
    """The rule, with defects planted: a shared reader that imports a check, a hook that
    imports the test harness."""
    (tmp_path / "pages.py").write_text("from tested_docs import glossary\n")
    (tmp_path / "cjk_lines.py").write_text("from tested_docs.runs import run\n")
    (tmp_path / "checks.py").write_text("from tested_docs import excerpts, pages\n")
    parts = module_map(ROOT / "docs" / "contributing.md")
    assert wrong_imports(tmp_path, parts) == [
        "cjk_lines (site build (the hooks in `mkdocs.yml`)) imports runs (test harness (`pytest`))",
        "pages (shared readers) imports glossary (checks (`./dev check`))",
    ]
