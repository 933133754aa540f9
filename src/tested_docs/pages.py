"""Read the site's pages: their code blocks and the snippet includes inside them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

LANGUAGES = ("en", "ja", "zh", "ko")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[\w+.-]*)")
INCLUDE = re.compile(r'^[ \t]*--8<--[ \t]+"(?P<file>[^":]+)(?::(?P<section>[\w-]+))?"[ \t]*$')
DIAGRAMS = {"mermaid"}  # pictures drawn from text, not code a reader runs


@dataclass(frozen=True)
class CodeBlock:
    """A fenced block on a page; `line` is the 1-based line of its opening fence."""

    page: Path
    line: int
    lang: str
    body: tuple[str, ...]

    @property
    def includes(self) -> list[tuple[str, str | None]]:
        return [(m["file"], m["section"]) for m in map(INCLUDE.match, self.body) if m]

    @property
    def inline_lines(self) -> list[int]:
        """Lines of the block that are written on the page rather than included."""
        return [
            self.line + 1 + i
            for i, text in enumerate(self.body)
            if text.strip() and not INCLUDE.match(text)
        ]


def code_blocks(page: Path) -> list[CodeBlock]:
    blocks: list[CodeBlock] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence, start, body = opening["fence"], i, []
        i += 1
        while i < len(lines) and not re.match(rf"^[ \t]*{re.escape(fence)}[ \t]*$", lines[i]):
            body.append(lines[i])
            i += 1
        blocks.append(CodeBlock(page, start + 1, opening["lang"], tuple(body)))
        i += 1
    return blocks


def page_language(page: Path) -> str:
    parts = page.name.split(".")
    return parts[-2] if len(parts) > 2 and parts[-2] in LANGUAGES else "en"


def pages(docs_dir: Path) -> list[Path]:
    return sorted(docs_dir.rglob("*.md"))
