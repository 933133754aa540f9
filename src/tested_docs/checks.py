"""Checks that keep the promise "every example on this site is executed": each names file and line.

`check(root)` runs them all over a project laid out as `docs/` (pages, `page.md` plus
`page.ja.md`, `page.zh.md`, `page.ko.md`) and `snippets/` (the scripts and their tests).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

from tested_docs import copies, excerpts, glossary, notebooks, scaffolding, translations
from tested_docs import snippets as snip
from tested_docs.pages import (
    DIAGRAMS,
    LANGUAGES,
    api_directives,
    code_blocks,
    english_page,
    headings,
    includes,
    page_language,
    pages,
    tabs,
    translation,
)
from tested_docs.problem import Problem

__all__ = ["Problem", "check"]

LANGUAGE_NAMES = {"ja": "Japanese", "zh": "Chinese", "ko": "Korean"}


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


def broken_includes(root: Path) -> list[Problem]:
    """Includes of files outside snippets/, or of a file or section that does not exist.

    Not a copy of pymdownx.snippets' `check_paths`: the strict build stops at the first missing
    include and, for a section, says only "Snippet section 'x' could not be located" (no file, no
    line); it accepts a file outside snippets/ and shows an unended section to the end of its file.
    This names every one, by page and line, with the sections the file has, before any build.
    """
    problems = []
    for page in pages(root / "docs"):
        for line, file, section in includes(page):
            path = root / file
            if not file.startswith("snippets/"):
                problems.append(Problem(page, line, f"includes {file}, which is not in snippets/"))
            elif not path.is_file():
                problems.append(Problem(page, line, f"includes {file}, which does not exist"))
            elif section is not None:
                found = snip.sections(path)
                if section not in found:
                    names = ", ".join(found) or "none"
                    problems.append(
                        Problem(
                            page,
                            line,
                            f"includes section {section!r} of {file}, which has no such section"
                            f" (it has: {names})",
                        )
                    )
                elif found[section][1] is None:
                    problems.append(
                        Problem(page, line, f"section {section!r} of {file} is never ended")
                    )
    return problems


def orphans(root: Path) -> list[Problem]:
    """Snippet files, and named sections, that no page shows."""
    shown: set[tuple[str, str | None]] = set()
    for page in pages(root / "docs"):
        shown.update((file, section) for _, file, section in includes(page))
    shown_files = {file for file, _ in shown}
    problems = []
    for path in snip.snippet_files(root / "snippets"):
        name = path.relative_to(root).as_posix()
        if name not in shown_files:
            problems.append(Problem(path, 1, "orphan: no page includes this snippet file"))
            continue
        if (name, None) in shown:
            continue
        for section, (start, _) in snip.sections(path).items():
            if (name, section) not in shown:
                problems.append(
                    Problem(path, start, f"orphan: no page includes section {section!r}")
                )
    return problems


def untested(root: Path) -> list[Problem]:
    """Snippet files no test under snippets/ imports or names (shell files: see `shell`)."""
    snippets_dir = root / "snippets"
    named = [snip.exercised_by(test) for test in snip.test_modules(snippets_dir)]
    return [
        Problem(
            path,
            1,
            "no test under snippets/ exercises this file: import it, or name its file, in a test",
        )
        for path in snip.snippet_files(snippets_dir)
        if path.suffix != ".sh" and not any(snip.is_exercised(path, root, n) for n in named)
    ]


def shell(root: Path) -> list[Problem]:
    """`bash -n` on every shell snippet: the one check of their syntax (snippet tests check
    what the commands say)."""
    problems = []
    for path in snip.snippet_files(root / "snippets"):
        if path.suffix == ".sh":
            errors = snip.bash_syntax_errors(path)
            problems += [Problem(path, line, f"bash -n: {message}") for line, message in errors]
    return problems


def _sequence_problems(
    page: Path,
    english: Path,
    what: str,
    theirs: Sequence[tuple[int, str]],
    ours: Sequence[tuple[int, str]],
) -> list[Problem]:
    """Name each difference between the English page's sequence and a translation's."""
    a = [item for _, item in theirs]
    b = [item for _, item in ours]
    if a == b:
        return []
    if sorted(a) == sorted(b):
        first = next(i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y)
        return [
            Problem(
                page,
                ours[first][0],
                f"{what} in a different order from {english.name}: {b[first]} here where"
                f" {english.name}:{theirs[first][0]} has {a[first]}",
            )
        ]
    if len(a) == len(b):  # same count: name each place that differs (clearest with repeats)
        return [
            Problem(
                page,
                ours[i][0],
                f"{what} differs: {b[i]} here where {english.name}:{theirs[i][0]} has {a[i]}",
            )
            for i in range(len(a))
            if a[i] != b[i]
        ]
    problems = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        at = ours[j1][0] if j1 < len(ours) else (ours[-1][0] if ours else 1)
        if tag in ("delete", "replace"):
            for i in range(i1, i2):
                problems.append(
                    Problem(
                        page,
                        at,
                        f"{what} missing: {english.name}:{theirs[i][0]} has {a[i]}",
                    )
                )
        if tag in ("insert", "replace"):
            for j in range(j1, j2):
                problems.append(Problem(page, ours[j][0], f"{what} not on {english.name}: {b[j]}"))
    return problems


def _structure(page: Path) -> dict[str, list[tuple[int, str]]]:
    return {
        "include": [
            (line, f"{file}:{section}" if section else file)
            for line, file, section in includes(page)
        ],
        "API directive": [(line, f"::: {name}") for line, name in api_directives(page)],
        "heading id": [(h.line, f"#{h.id}") for h in headings(page) if h.id],
        "tab": [(line, f'=== "{label}"') for line, label in tabs(page)],
    }


def _project_root(page: Path) -> Path:
    docs = next((folder for folder in page.parents if folder.name == "docs"), page.parent)
    return docs.parent


def structure_problems(page: Path) -> list[Problem]:
    """A translation's includes, API directives, heading ids and tab labels against its English
    page; a tab label that is not a product name reads as the language's glossary says."""
    english = english_page(page)
    theirs, ours = _structure(english), _structure(page)
    words = glossary.load(_project_root(page), page_language(page))
    theirs["tab"] = [
        (line, f'=== "{glossary.tab_label(words, label)}"') for line, label in tabs(english)
    ]
    problems = []
    for what in theirs:
        name = (
            f"tab (as glossary/{words.path.name} renders it)" if what == "tab" and words else what
        )
        problems += _sequence_problems(page, english, name, theirs[what], ours[what])
    return problems


def translations_in_step(docs_dir: Path) -> list[Problem]:
    """Every page in every language, with the English page's structure, and not stale."""
    problems = []
    for page in pages(docs_dir):
        problems += [
            Problem(page, h.line, f"heading {h.text.strip()!r} has no explicit id: add {{#id}}")
            for h in headings(page)
            if h.id is None
        ]
        language = page_language(page)
        if language == "en":
            for other in LANGUAGES[1:]:
                if not translation(page, other).is_file():
                    problems.append(
                        Problem(
                            page,
                            1,
                            f"no {LANGUAGE_NAMES[other]} translation: "
                            f"{translation(page, other).name} is missing",
                        )
                    )
            continue
        english = english_page(page)
        if not english.is_file():
            problems.append(Problem(page, 1, f"translation of {english.name}, which is missing"))
            continue
        problems += structure_problems(page)
        problems += stale(page, docs_dir.parent)
    return problems


def stale(page: Path, root: Path) -> list[Problem]:
    """A translation whose record of its English page is missing or out of date."""
    english = english_page(page)
    record, line = translations.recorded(page)
    name = page.relative_to(root).as_posix() if page.is_relative_to(root) else page
    refresh = f"then run `python -m tested_docs refresh-translations {name}`"
    if record is None:
        return [
            Problem(
                page,
                line,
                f"records no hash of {english.name} ({translations.KEY}, its digests quoted): "
                f"check it is in step, {refresh}",
            )
        ]
    if not translations.is_stale(english, record):
        return []
    changed = "; ".join(translations.changes(english, record))
    return [
        Problem(
            page,
            line,
            f"stale: {english.name} changed since it was translated: {changed}. "
            f"Update the translation, {refresh}",
        )
    ]


NOT_FOR_READERS = (
    "seed page",
    "source page",
    "original page",
    "シードページ",
    "元のページ",
    "原始页面",
    "원본 페이지",
)
"""Words about where a page came from: pages speak to readers about their code, nothing else."""


def speaks_to_readers(docs_dir: Path) -> list[Problem]:
    problems = []
    for page in pages(docs_dir):
        for number, text in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
            said = next((w for w in NOT_FOR_READERS if w in text.lower()), None)
            if said:
                problems.append(
                    Problem(page, number, f"{said!r}: say what goes wrong, not where it was seen")
                )
    return problems


def check(root: Path) -> list[Problem]:
    docs_dir = root / "docs"
    return [
        *inline_code(docs_dir),
        *broken_includes(root),
        *orphans(root),
        *untested(root),
        *scaffolding.scaffolding(root),
        *copies.drifted_copies(root),
        *excerpts.lint_problems(root),
        *notebooks.kernel_argv_problems(root),
        *shell(root),
        *translations_in_step(docs_dir),
        *glossary.glossary_problems(root),
        *speaks_to_readers(docs_dir),
    ]
