"""Keep translations in step with the English page they were translated from.

Each translated page records, in its front matter, what the English page looked like when it was
translated: a hash of the whole English file, and a short hash of each of its sections (the
front matter, then each heading's id). Any edit to the English page changes the first, so all
three translations turn stale; the section hashes tell which sections changed.

    translated_from:
      page: "3f2a9c1d0e4b"
      sections:
        "front-matter": "1a2b3c4d"
        "install": "06416734"

Digests are quoted: YAML reads an unquoted all-digit one such as 06416734 as an octal number.

After bringing a translation up to date, `python -m tested_docs refresh-translations PAGE`
records the English page as it is now.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from tested_docs.pages import front_matter_end, headings

KEY = "translated_from"
FRONT_MATTER = "front-matter"


def _hash(text: str, length: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


@dataclass(frozen=True)
class Section:
    key: str  # the heading's id, "front-matter" for what comes before the first heading
    title: str
    line: int
    text: str


def sections(english: Path) -> list[Section]:
    """The English page cut at its headings: each part from one heading to the next."""
    lines = english.read_text(encoding="utf-8").splitlines(keepends=True)
    cuts = [(FRONT_MATTER, "front matter", 1, 0)]
    for heading in headings(english):
        key = heading.id or re.sub(r"[^\w-]+", "-", heading.text.strip().lower()).strip("-")
        cuts.append((key, heading.text.strip(), heading.line, heading.line - 1))
    result = []
    for n, (key, title, line, start) in enumerate(cuts):
        end = cuts[n + 1][3] if n + 1 < len(cuts) else len(lines)
        result.append(Section(key, title, line, "".join(lines[start:end])))
    return result


def fingerprint(english: Path) -> dict:
    """What a translation records about its English page."""
    return {
        "page": _hash(english.read_text(encoding="utf-8"), 12),
        "sections": {section.key: _hash(section.text, 8) for section in sections(english)},
    }


def recorded(page: Path) -> tuple[dict | None, int]:
    """The `translated_from` record of a translated page, and the line it starts on (1 if none)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    end = front_matter_end(lines)
    if end < 0:
        return None, 1
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError:
        return None, 1
    line = next((i + 1 for i in range(1, end) if lines[i].startswith(f"{KEY}:")), 1)
    record = meta.get(KEY) if isinstance(meta, dict) else None
    if not isinstance(record, dict):
        return None, line
    sections = record.get("sections") or {}
    digests = [record.get("page"), *(sections.values() if isinstance(sections, dict) else [0])]
    if not all(isinstance(digest, str) for digest in digests):
        # Unquoted, YAML reads 06416734 as the octal number 1711580: never compare that.
        return None, line
    return {"page": record["page"], "sections": {str(k): v for k, v in sections.items()}}, line


def changes(english: Path, record: dict) -> list[str]:
    """What changed in the English page since the translation's record, section by section."""
    now = {section.key: section for section in sections(english)}
    then = record["sections"]
    described = []
    for key, section in now.items():
        where = f"{english.name}:{section.line}"
        if key not in then:
            described.append(f"added #{key} {section.title!r} ({where})")
        elif then[key] != _hash(section.text, 8):
            described.append(f"changed #{key} {section.title!r} ({where})")
    described += [f"removed #{key}" for key in then if key not in now]
    return described or ["the page changed outside its sections (whitespace or order)"]


def is_stale(english: Path, record: dict | None) -> bool:
    return record is None or record["page"] != fingerprint(english)["page"]


def refresh(page: Path, english: Path) -> None:
    """Record in `page`'s front matter that it is in step with `english` as it is now."""
    record = fingerprint(english)
    block = [
        f"{KEY}:  # the English page this was translated from; see the contributing guide",
        f'  page: "{record["page"]}"',
        "  sections:",
        *(f'    "{key}": "{digest}"' for key, digest in record["sections"].items()),
    ]
    lines = page.read_text(encoding="utf-8").splitlines()
    end = front_matter_end(lines)
    if end < 0:
        lines = ["---", *block, "---", "", *lines]
    else:
        kept, skipping = [], False
        for text in lines[1:end]:
            if text.startswith(f"{KEY}:"):
                skipping = True
                continue
            if skipping and (text.startswith((" ", "\t")) or not text.strip()):
                continue
            skipping = False
            kept.append(text)
        lines = ["---", *kept, *block, *lines[end:]]
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
