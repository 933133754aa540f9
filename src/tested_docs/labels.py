"""The words the build adds to pages, per language: data in `glossary/labels.yml`, not code.

Translators keep them beside the glossaries; the hooks read them (`tested_docs.full_examples`,
`tested_docs.page_stamp`) and the glossary checker holds them to `glossary/<language>.yml`, naming
the line of the file, as it does a page's.
"""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass
from pathlib import Path

import yaml

from tested_docs.pages import LANGUAGES

NAMES = ("full_example", "notebook_link", "stamp_passed", "stamp_and", "stamp_failed")
"""The labels a build uses: each in every language, with the English label's `{fields}`."""


class LabelError(ValueError):
    """`glossary/labels.yml` lacks a label or a language, or changed a `{field}`; names the file."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass(frozen=True)
class Labels:
    path: Path
    table: dict[str, dict[str, str]]  # label -> language -> text
    lines: dict[tuple[str, str], int]  # (label, language) -> line in the file

    def of(self, language: str) -> dict[str, str]:
        """One language's labels, by name."""
        return {name: texts[language] for name, texts in self.table.items()}


def labels_path(root: Path) -> Path:
    return root / "glossary" / "labels.yml"


def load(root: Path) -> Labels:
    """The labels of the project at `root`, read again only when the file changes (`serve`)."""
    path = labels_path(root)
    if not path.is_file():
        raise LabelError(path, 1, f"missing: the build's labels in {', '.join(LANGUAGES)}")
    return _read(path, path.stat().st_mtime_ns)


@functools.cache
def _read(path: Path, _mtime: int) -> Labels:
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise LabelError(path, line, f"not YAML: {str(error).splitlines()[0]}") from error
    table: dict[str, dict[str, str]] = {}
    lines: dict[tuple[str, str], int] = {}
    for key, value in node.value if isinstance(node, yaml.MappingNode) else []:
        texts = table.setdefault(key.value, {})
        for language, text in value.value if isinstance(value, yaml.MappingNode) else []:
            texts[language.value] = str(text.value)
            lines[key.value, language.value] = text.start_mark.line + 1
    for name in NAMES:
        texts = table.get(name, {})
        missing = [language for language in LANGUAGES if language not in texts]
        if missing:
            line = _line(lines, name)
            raise LabelError(path, line, f"label {name!r} has no text in {', '.join(missing)}")
        english = _fields(texts["en"])
        for language, text in texts.items():
            if _fields(text) != english:
                raise LabelError(
                    path,
                    lines[name, language],
                    f"label {name!r} in {language} has fields {sorted(_fields(text))};"
                    f" the English has {sorted(english)}",
                )
    return Labels(path, {name: table[name] for name in NAMES}, lines)


def _line(lines: dict[tuple[str, str], int], name: str) -> int:
    return min((line for (label, _), line in lines.items() if label == name), default=1)


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}
