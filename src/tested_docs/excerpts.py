"""Excerpts stand on their own: what a page shows of a script is the code a reader copies.

For each page and each Python file it includes by section, the sections it shows, joined in the
file's order, must define every name they use (ruff's F821) and be lint clean under the rules of
`EXCERPT_RULES`. The collapsed "Full example" the build adds does not count: a page has to show
its setup.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import textwrap
from collections import defaultdict
from pathlib import Path

from tested_docs import snippets as snip
from tested_docs.pages import includes, page_language, pages
from tested_docs.problem import Problem


def shown_sections(page: Path) -> dict[str, list[tuple[int, str]]]:
    """Python files the page includes by section: file -> [(include line, section)], page order."""
    shown: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for line, file, section in includes(page):
        if section and file.endswith(".py"):
            shown[file].append((line, section))
    return shown


def joined_excerpts(path: Path, names: list[str]) -> tuple[str, list[int]]:
    """The lines of the named sections in file order (nested ones once), each run dedented.

    Returns the joined source and, for each of its lines, the line number in `path`.
    """
    found = snip.sections(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    wanted: set[int] = set()
    for name in names:
        start, end = found.get(name, (0, None))
        if start and end:
            wanted.update(range(start + 1, end))  # the lines between the markers (1-based)
    source: list[str] = []
    origin: list[int] = []
    run: list[int] = []
    for number in [*sorted(wanted), -1]:
        if run and number != run[-1] + 1:
            text = textwrap.dedent("\n".join(lines[n - 1] for n in run)).split("\n")
            source += [*text, ""]
            origin += [*run, run[-1]]
            run = []
        if number > 0:  # nested section markers stay: comments, to ruff
            run.append(number)
    return "\n".join(source) + "\n", origin


EXCERPT_RULES = "E,W,F,B,UP,SIM"
"""What ruff holds the joined excerpts to: a reader copies them, so they are lint clean."""
EXCERPT_IGNORES = "F401,I001,RUF100"
"""A page may show an import section whole and only some of the code that uses it."""


def lint_problems(root: Path) -> list[Problem]:
    """Lint in what an English page's excerpts join to (translations show the same), names they
    use but never define above all; the one place excerpts are linted."""
    jobs: list[tuple[Path, int, str, list[int]]] = []
    with tempfile.TemporaryDirectory(prefix="excerpts-") as folder:
        for page in pages(root / "docs"):
            if page_language(page) != "en":
                continue
            for file, includes in shown_sections(page).items():
                path = root / file
                if not path.is_file():
                    continue  # broken_includes names it
                source, origin = joined_excerpts(path, [section for _, section in includes])
                excerpt = Path(folder) / f"{len(jobs)}.py"
                excerpt.write_text(source, encoding="utf-8")
                jobs.append((page, includes[0][0], file, origin))
        if not jobs:
            return []
        ruff = [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache"]
        done = subprocess.run(
            [
                *ruff,
                *("--select", EXCERPT_RULES, "--ignore", EXCERPT_IGNORES),
                *("--line-length", "88", "--target-version", "py311"),
                *("--output-format", "json", "--exit-zero", folder),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
    if done.returncode != 0:
        return [Problem(root / "docs", 1, f"ruff could not check the excerpts: {done.stderr}")]
    problems = []
    for finding in json.loads(done.stdout or "[]"):
        page, line, file, origin = jobs[int(Path(finding["filename"]).stem)]
        row = finding["location"]["row"]
        at = origin[row - 1] if 0 < row <= len(origin) else 0
        if finding["code"] is None:  # a syntax error in the joined excerpts
            what = f"the sections shown do not parse together ({finding['message']})"
            problems.append(Problem(page, line, f"{file}:{at}: {what}"))
            continue
        if finding["code"] != "F821":
            message = (
                f"{file}:{at}: {finding['code']} {finding['message']} (in what a reader copies)"
            )
            problems.append(Problem(page, line, message))
            continue
        name = re.search(r"`([^`]+)`", finding["message"])
        what = f"name {name[1]!r}" if name else finding["message"]
        problems.append(
            Problem(
                page,
                line,
                f"{file}:{at}: {what} is used but no section this page shows defines it:"
                " show the section that does (setup may sit in a collapsed block)",
            )
        )
    return problems
