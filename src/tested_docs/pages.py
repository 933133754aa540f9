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
    indent: int = 0  # columns before the opening fence (4 inside a content tab)

    @property
    def closing_line(self) -> int:
        """The 1-based line of the closing fence."""
        return self.line + len(self.body) + 1

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


def includes(page: Path) -> list[tuple[int, str, str | None]]:
    """Every include on a page as (line, file, section), in page order."""
    return [
        (block.line + 1 + offset, match["file"], match["section"])
        for block in code_blocks(page)
        for offset, text in enumerate(block.body)
        if (match := INCLUDE.match(text))
    ]


def code_blocks(page: Path) -> list[CodeBlock]:
    return parse_code_blocks(page.read_text(encoding="utf-8"), page)


def parse_code_blocks(markdown: str, page: Path) -> list[CodeBlock]:
    blocks: list[CodeBlock] = []
    lines = markdown.splitlines()
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
        indent = len(opening["indent"].expandtabs(4))
        blocks.append(CodeBlock(page, start + 1, opening["lang"], tuple(body), indent))
        i += 1
    return blocks


def page_language(page: Path | str) -> str:
    """`quickstart.ja.md` -> `ja`; `quickstart.md` -> `en` (mkdocs-static-i18n's suffix layout)."""
    parts = Path(page).name.split(".")
    return parts[-2] if len(parts) > 2 and parts[-2] in LANGUAGES else "en"


def pages(docs_dir: Path) -> list[Path]:
    return sorted(docs_dir.rglob("*.md"))


# Python-Markdown needs no space after the hashes: a wrapped line starting "#install" is a heading.
HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})[ \t]*(?P<text>.*?)[ \t]*$")
HEADING_ID = re.compile(r"[ \t]*\{[^}]*#(?P<id>[\w-]+)[^}]*\}[ \t]*$")
API_DIRECTIVE = re.compile(r"^:::[ \t]+(?P<identifier>[\w.]+)")
TAB = re.compile(r'^[ \t]*===\+?[ \t]+"(?P<label>[^"]*)"')


@dataclass(frozen=True)
class Heading:
    """A Markdown heading; `id` is its explicit `{#id}`, or None when it has none."""

    line: int
    level: int
    text: str
    id: str | None


def outside_fences(lines: list[str]) -> list[int]:
    """Indexes of the lines that are not inside a fenced block (fences excluded too)."""
    keep, fence = [], None
    for i, text in enumerate(lines):
        if fence is None:
            opening = FENCE.match(text)
            if opening:
                fence = opening["fence"]
            else:
                keep.append(i)
        elif re.match(rf"^[ \t]*{re.escape(fence)}[ \t]*$", text):
            fence = None
    return keep


def front_matter_end(lines: list[str]) -> int:
    """Index of the front matter's closing `---`, or -1 when the page has none."""
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() in ("---", "..."):
                return i
    return -1


def headings(page: Path) -> list[Heading]:
    lines = page.read_text(encoding="utf-8").splitlines()
    start = front_matter_end(lines) + 1
    found = []
    for i in outside_fences(lines):
        match = HEADING.match(lines[i]) if i >= start else None
        if match:
            text = match["text"].rstrip("#").rstrip()
            explicit = HEADING_ID.search(text)
            title = text[: explicit.start()] if explicit else text
            found.append(
                Heading(i + 1, len(match["hashes"]), title, explicit["id"] if explicit else None)
            )
    return found


def api_directives(page: Path) -> list[tuple[int, str]]:
    """The `::: identifier` lines mkdocstrings renders, with their indented YAML options, as
    (line, "identifier {options}"): a translation must carry the very same options."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found = []
    for i in outside_fences(lines):
        match = API_DIRECTIVE.match(lines[i])
        if match:
            options = []
            for text in lines[i + 1 :]:
                if not text.startswith((" ", "\t")) or not text.strip():
                    break
                options.append(" ".join(text.split()))
            found.append((i + 1, " | ".join([match["identifier"], *options])))
    return found


def tabs(page: Path) -> list[tuple[int, str]]:
    """Content tab labels (`=== "Fabric"`) as (line, label): never translated, they link tabs."""
    lines = page.read_text(encoding="utf-8").splitlines()
    return [
        (i + 1, match["label"]) for i in outside_fences(lines) if (match := TAB.match(lines[i]))
    ]


def english_page(page: Path) -> Path:
    """`docs/x.ja.md` -> `docs/x.md` (an English page is its own English page)."""
    language = page_language(page)
    return (
        page if language == "en" else page.with_name(page.name[: -len(f".{language}.md")] + ".md")
    )


def translation(page: Path, language: str) -> Path:
    """`docs/x.md` -> `docs/x.<language>.md`."""
    return english_page(page).with_suffix(f".{language}.md")
