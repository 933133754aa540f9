"""One rendering per term in each language, held in `glossary/<language>.yml` and checked.

A glossary names, for each W&B and Lightning term, the rendering translated pages use and the
renderings they must not use (`avoid`), each with the reason; the rendering of each recurring
heading (by heading id); and of each content tab label that is not a product name. The checker
applies it to every translated page (prose only: code and inline code keep English), to the
labels the build hooks add, and to the nav titles in mkdocs.yml.

    terms:
      - en: artifact
        use: アーティファクト
        avoid: [成果物]
        why: W&B's Japanese documentation writes アーティファクト.
    headings:
      pitfalls: よくある落とし穴
    tabs:
      Command line: コマンドライン
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tested_docs.pages import LANGUAGES, headings, outside_fences, page_language, pages
from tested_docs.problem import Problem

INLINE_CODE = re.compile(r"`[^`]*`")


@dataclass(frozen=True)
class Term:
    en: str
    use: str
    avoid: tuple[str, ...]
    why: str


@dataclass
class Glossary:
    path: Path
    terms: list[Term] = field(default_factory=list)
    headings: dict[str, str] = field(default_factory=dict)
    tabs: dict[str, str] = field(default_factory=dict)


def glossary_path(root: Path, language: str) -> Path:
    return root / "glossary" / f"{language}.yml"


def load(root: Path, language: str) -> Glossary | None:
    path = glossary_path(root, language)
    if not path.is_file():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    terms = [
        Term(
            en=str(item["en"]),
            use=str(item["use"]),
            avoid=tuple(str(a) for a in item.get("avoid") or ()),
            why=str(item.get("why", "")),
        )
        for item in data.get("terms") or []
    ]
    return Glossary(
        path,
        terms,
        {str(k): str(v) for k, v in (data.get("headings") or {}).items()},
        {str(k): str(v) for k, v in (data.get("tabs") or {}).items()},
    )


def tab_label(glossary: Glossary | None, english: str) -> str:
    """What a translated page's tab reads for the English page's `english` label."""
    return glossary.tabs.get(english, english) if glossary else english


def _avoided(text: str, glossary: Glossary) -> list[tuple[str, Term]]:
    prose = INLINE_CODE.sub("", text)
    return [(avoid, term) for term in glossary.terms for avoid in term.avoid if avoid in prose]


def _name(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _message(avoid: str, term: Term, glossary: Glossary, root: Path) -> str:
    return (
        f"glossary ({_name(glossary.path, root)}): {avoid!r} for {term.en!r}; write {term.use!r}"
        + (f" ({term.why})" if term.why else "")
    )


def page_problems(page: Path, glossary: Glossary, root: Path) -> list[Problem]:
    lines = page.read_text(encoding="utf-8").splitlines()
    problems = []
    for index in outside_fences(lines):
        for avoid, term in _avoided(lines[index], glossary):
            problems.append(Problem(page, index + 1, _message(avoid, term, glossary, root)))
    for heading in headings(page):
        wanted = glossary.headings.get(heading.id or "")
        if wanted is not None and heading.text.strip() != wanted:
            problems.append(
                Problem(
                    page,
                    heading.line,
                    f"glossary ({_name(glossary.path, root)}): heading #{heading.id} reads"
                    f" {heading.text.strip()!r}; write {wanted!r}",
                )
            )
    return problems


def label_problems(root: Path, glossaries: dict[str, Glossary]) -> list[Problem]:
    """The translated labels of the build hooks and the nav titles of mkdocs.yml."""
    from tested_docs import mkdocs_hooks

    problems = []
    hooks_file = Path(mkdocs_hooks.__file__)
    hook_lines = hooks_file.read_text(encoding="utf-8").splitlines()
    labels = [mkdocs_hooks.FULL_EXAMPLE, mkdocs_hooks.NOTEBOOK_LINK]
    labels += [{lang: " ".join(t.values())} for lang, t in mkdocs_hooks.STAMP_TEXT.items()]
    for table in labels:
        for language, text in table.items():
            glossary = glossaries.get(language)
            for avoid, term in _avoided(text, glossary) if glossary else []:
                line = next((n for n, t in enumerate(hook_lines, 1) if avoid in t), 1)
                problems.append(Problem(hooks_file, line, _message(avoid, term, glossary, root)))
    config = root / "mkdocs.yml"
    if config.is_file():
        language = None
        for number, text in enumerate(config.read_text(encoding="utf-8").splitlines(), 1):
            locale = re.match(r"\s*- locale:\s*(\w+)", text)
            if locale:
                language = locale[1]
            glossary = glossaries.get(language or "")
            for avoid, term in _avoided(text, glossary) if glossary else []:
                problems.append(Problem(config, number, _message(avoid, term, glossary, root)))
    return problems


def glossary_problems(root: Path) -> list[Problem]:
    problems: list[Problem] = []
    glossaries: dict[str, Glossary] = {}
    for language in LANGUAGES[1:]:
        glossary = load(root, language)
        if glossary is None:
            problems.append(
                Problem(
                    glossary_path(root, language),
                    1,
                    f"no glossary for {language}: every translated page is checked against one",
                )
            )
        else:
            glossaries[language] = glossary
    for page in pages(root / "docs"):
        glossary = glossaries.get(page_language(page))
        if glossary is not None:
            problems += page_problems(page, glossary, root)
    return problems + label_problems(root, glossaries)
