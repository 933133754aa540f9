"""The prose of a translated page, and the typography rules its language holds to.

`prose_lines` gives what a reader reads as words: lines outside fenced code and front matter
(the front matter's `description` kept), with inline code, URLs and link targets, heading ids
and attribute lists, HTML tags, include lines and Markdown block syntax (admonition keywords,
tab labels, `:::` directives) each replaced by one placeholder character, so that what stood
next to them does not join up. The glossary checks and the rules below read only this.

Typography rules, each a style decision for the pages of one language:
- Japanese and Chinese: no space between two CJK characters (residue of an edit: 「摘要 指向」).
- Chinese: parentheses in prose are full-width （…）, around Chinese or English words alike.
- Korean: a number and its unit are written the same way on every page (`10스텝` or `10 스텝`);
  glossary/ko.yml says which, and the checker names whatever is the exception.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from tested_docs.pages import front_matter_end, outside_fences
from tested_docs.problem import Problem

HOLE = "\ufffc"  # stands for what is not prose: not a letter, not CJK, not a space

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
KANA = "\u3040-\u30ff\u31f0-\u31ff"
HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
CJK_PUNCTUATION = "\u3000-\u303f\uff00-\uffef"
CJK = HAN + KANA + HANGUL + CJK_PUNCTUATION

NOT_PROSE = [
    re.compile(p)
    for p in (
        r"^[ \t]*--8<--.*$",  # an include
        r"^[ \t]*:::[ \t].*$",  # a mkdocstrings directive
        r'^[ \t]*===\+?[ \t]+"[^"]*"',  # a content tab's label (checked against the tabs)
        r"^[ \t]*(?:!!!|\?\?\?\+?)[ \t]+[\w-]+(?:[ \t]+inline(?:[ \t]+end)?)?",  # admonition
        r"(`+)(?!`).+?(?<!`)\1(?!`)",  # inline code
        r"<!--.*?-->",  # an HTML comment
        r"</?[A-Za-z][^>]*>",  # an HTML tag and its attributes, or an autolink
        r"\]\([^)]*\)",  # a link's target
        r"^[ \t]*\[[^\]]+\]:[ \t]*\S+.*$",  # a link reference definition
        r"\{[ \t]*[:#.][^}]*\}",  # a heading id or an attribute list
        r"\bhttps?://[^\s)>\]]+",  # a bare URL
        r":(?:material|octicons|fontawesome|simple)-[\w-]+:",  # an icon
    )
]


def mask(text: str) -> str:
    """`text` with everything that is not prose replaced by one HOLE each."""
    for pattern in NOT_PROSE:
        text = pattern.sub(HOLE, text)
    return text


def prose_lines(lines: list[str]) -> list[tuple[int, str]]:
    """(1-based line, prose) for every line a reader reads as words."""
    end = front_matter_end(lines)
    found = []
    in_code = False  # inside inline code that a wrapped line left open
    for index in outside_fences(lines):
        text = lines[index]
        if index <= end:
            description = re.match(r"description:[ \t]*(.*)", text)
            if not description:
                continue
            text = " " * description.start(1) + description[1]
        if not text.strip():
            in_code = False
        if in_code:
            closing = text.find("`")
            in_code = closing < 0
            text = HOLE if in_code else HOLE + text[closing + 1 :]
        text = mask(text)
        if "`" in text:  # inline code that goes on on the next line
            text, in_code = text[: text.index("`")] + HOLE, True
        if text.strip(" \t" + HOLE):
            found.append((index + 1, text))
    return found


@dataclass(frozen=True)
class Prose:
    """A page read as prose."""

    page: Path
    lines: list[tuple[int, str]]  # as prose_lines gives them
    body: int  # the first line after the front matter (whose description cannot mark code)


def read(page: Path) -> Prose:
    lines = page.read_text(encoding="utf-8").splitlines()
    return Prose(page, prose_lines(lines), front_matter_end(lines) + 2)


CJK_SPACE = re.compile(
    rf"(?<=[{HAN}{KANA}{CJK_PUNCTUATION}])[ \t]+(?=[{HAN}{KANA}{CJK_PUNCTUATION}])"
)
# Half-width parentheses, not those of a call (`f(x)` written as prose).
HALF_WIDTH_PARENS = re.compile(r"(?<![A-Za-z0-9_])\([^()]*\)")
# An English message quoted as it is ("No API key configured (see ...)"), not prose.
QUOTED = re.compile(rf'"[^{CJK}\n]*?"|“[^{CJK}\n]*?”|「[^{CJK}\n]*?」')
NUMBER_UNIT = re.compile(rf"(?<![\w.,])(\d+(?:[.,]\d+)*)([ ]?)([{HANGUL}]+)")
# Particles that follow a unit (10스텝마다, 3개의): the unit is what comes before them.
PARTICLES = (
    "이 가 을 를 은 는 의 에 에서 에게 으로 로 와 과 도 만 까지 부터 마다 씩 보다 동안 이나 나 이면 이며"
    " 이고 입니다 이다 인 일 이므로 이라서 이지 이라 짜리 라면 인지 인데"
)
KOREAN_PARTICLES = sorted(PARTICLES.split(), key=len, reverse=True)
# Words after a number that end in a particle's letters but are whole words (초과 is not 초 + 과).
KOREAN_WORDS = ("초과", "이상", "이하", "미만", "이내", "만큼", "정도", "번째", "그대로")


def _context(text: str, start: int, end: int, width: int = 4) -> str:
    return text[max(0, start - width) : end + width].strip().replace(HOLE, "…")


def cjk_spaces(prose: Prose) -> list[Problem]:
    return [
        Problem(
            prose.page,
            line,
            f"space between two CJK characters: {_context(text, m.start(), m.end())!r}; remove it"
            " (CJK text takes a space only next to Latin text, numbers or code)",
        )
        for line, text in prose.lines
        for m in CJK_SPACE.finditer(text)
    ]


def half_width_parentheses(prose: Prose) -> list[Problem]:
    return [
        Problem(
            prose.page,
            line,
            f"half-width parentheses in Chinese prose: {m[0]!r}; write （{m[0][1:-1]}）",
        )
        for line, text in prose.lines
        for m in HALF_WIDTH_PARENS.finditer(QUOTED.sub(HOLE, text))
    ]


def _unit(word: str) -> str:
    """`스텝마다의` -> `스텝`; "" when nothing but particles follows the number (`0.8을`)."""
    whole = next((w for w in KOREAN_WORDS if word.startswith(w)), None)
    if whole:
        return whole
    while word:
        particle = next((p for p in KOREAN_PARTICLES if word.endswith(p)), None)
        if particle is None:
            return word
        word = word[: -len(particle)]
    return word


def number_unit_spacing(edition: list[Prose], root: Path) -> list[Problem]:
    """A unit written both `10 스텝` and `10스텝` in the Korean pages: the rarer way is named."""
    seen: dict[str, dict[bool, list[tuple[Path, int, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for prose in edition:
        for line, text in prose.lines:
            for m in NUMBER_UNIT.finditer(text):
                unit = _unit(m[3])
                if unit:
                    seen[unit][bool(m[2])].append((prose.page, line, f"{m[1]}{m[2]}{unit}"))
    problems = []
    for unit, ways in seen.items():
        if len(ways) < 2:
            continue
        # The way used less often is the odd one out; on a tie, the way used second.
        order = [place[:2] for places in ways.values() for place in places]
        usual = max(ways, key=lambda spaced: (len(ways[spaced]), -order.index(ways[spaced][0][:2])))
        page, line, example = ways[usual][0]
        where = page.relative_to(root).as_posix() if page.is_relative_to(root) else str(page)
        for odd_page, odd_line, written in ways[not usual]:
            problems.append(
                Problem(
                    odd_page,
                    odd_line,
                    f"number and unit spaced unlike the rest of the Korean pages: {written!r}"
                    f" here; {example!r} at {where}:{line} is the usual way ({len(ways[usual])}"
                    f" of {len(ways[usual]) + len(ways[not usual])}): write {unit!r} one way"
                    " on every page",
                )
            )
    return problems


def typography_problems(prose: Prose, language: str) -> list[Problem]:
    """The rules of one page above, for `language`."""
    problems = []
    if language in ("ja", "zh"):
        problems += cjk_spaces(prose)
    if language == "zh":
        problems += half_width_parentheses(prose)
    return sorted(problems, key=lambda p: p.line)
