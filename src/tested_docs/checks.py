"""Checks that keep the promise "every example on this site is executed": each names file and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tested_docs.pages import DIAGRAMS, code_blocks, pages


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def inline_code(docs_dir: Path) -> list[Problem]:
    """Code written on a page instead of included from snippets/."""
    problems = []
    for page in pages(docs_dir):
        for block in code_blocks(page):
            if block.lang in DIAGRAMS:
                continue
            if not block.body or block.inline_lines:
                line = block.inline_lines[0] if block.inline_lines else block.line
                problems.append(
                    Problem(page, line, "code written on the page: include it from snippets/")
                )
    return problems


def check(root: Path) -> list[Problem]:
    return inline_code(root / "docs")
