"""One rendering per term in each language, held in `glossary/<language>.yml` and checked.

A glossary names, for each W&B and Lightning term, the rendering translated pages use and the
renderings they must not use (`avoid`), each with the reason; the rendering of each recurring
heading (by heading id); and of each content tab label that is not a product name. The checker
applies it to every translated page (prose only: code and inline code keep English), to the
labels the build adds to pages (`glossary/labels.yml`), and to the nav titles in mkdocs.yml.

    terms:
      - en: artifact
        use: アーティファクト
        avoid: [成果物]
        why: W&B's Japanese documentation writes アーティファクト.
    headings:
      pitfalls: よくある落とし穴
    tabs:
      Command line: コマンドライン

Pages are read as prose (`tested_docs.prose`). Beyond the exact strings, the checker sees:
- the other forms of an avoided verb: ログする refuses ログして, ログした...; 로깅합니다 refuses
  로깅하는, 로깅했다... (the stem of a Japanese する verb or a Korean 하다 verb, two letters or more);
- a term's English word left in prose (history, steps, Config) where the glossary's `use` is not
  that word; product names (W&B Artifacts, PyTorch Lightning Trainer), a gloss after the
  rendering (配置（config）), a quoted English message and a label of the app in emphasis
  (**Artifacts**) are not terms.
The typography rules of `tested_docs.prose` run over the same pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tested_docs import labels
from tested_docs.pages import LANGUAGES, headings, page_language, pages
from tested_docs.problem import Problem
from tested_docs.prose import (
    CJK,
    HAN,
    HANGUL,
    HOLE,
    QUOTED,
    Prose,
    number_unit_spacing,
    read,
    typography_problems,
)

# An avoided verb form, and the stem its other forms share (ログ|する, 로깅|합니다).
JA_VERB = re.compile(
    rf"^(?P<stem>[^\s]*[{HAN}\u30a0-\u30ff])(?:する|します|して|した|される|された)$"
)
KO_VERB = re.compile(
    rf"^(?P<stem>[^\s]*[{HANGUL}])"
    "(?:하다|합니다|하는|하면|하고|하려|하여|하지|하기|한|할|해|했|됩니다|되는|되면|된|될|하십시오)$"
)
JA_ENDINGS = "し(?:て|た|ま|な|よう|ろ|つつ)|す(?:る|れ|べ)|さ(?:れ|せ)|せ(?:ず|よ)|でき(?:る|ま|な|た|て|れ)"
KO_ENDINGS = "하|합|한|할|함|해|했|됩|된|될|되|돼|됐"
# A capitalized word after these is part of a product's name, not a term (W&B Artifacts).
PRODUCT = re.compile(r"(?<![A-Za-z])(?:W&B|Weights & Biases|PyTorch|Lightning)(?:[ ]+[A-Z][\w-]*)+")
# English that is fine in prose: a gloss after the rendering (配置（config）), an English message
# quoted ("Use wandb login", 「Checkpoint directory ... exists」), a label of the W&B app's English
# interface set in emphasis (**Artifacts**, *Logs*, **run 页面的 Overview → Config**).
GLOSS = re.compile(r"[（(][ ]*[A-Za-z][A-Za-z -]*[）)]")
EMPHASIS = re.compile(r"(\*\*|__)(?P<a>.+?)\1|(?<!\*)\*(?=\S)(?P<b>[^*]+?)\*")
CAPITALIZED = re.compile(r"(?<![A-Za-z])[A-Z][A-Za-z-]*")
LATIN_BEFORE = r"(?<![A-Za-z0-9_.\-/@$=])"
LATIN_AFTER = r"(?![A-Za-z0-9_\-/@]|\.[A-Za-z0-9])"
LATIN = re.compile("[A-Za-z]")
LATIN_WORD = re.compile(f"{LATIN_BEFORE}[A-Za-z]+(?:-[A-Za-z]+)*{LATIN_AFTER}")


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
    _matchers: Matchers | None = field(default=None, repr=False, compare=False)


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


def _verb_forms(avoid: str, language: str) -> tuple[str, re.Pattern[str]] | None:
    """The stem of an avoided Japanese する verb or Korean 하다 verb, and a pattern of its forms."""
    verb = {"ja": JA_VERB, "ko": KO_VERB}.get(language)
    match = verb.match(avoid) if verb else None
    if not match or len(match["stem"]) < 2:
        return None
    stem = match["stem"]
    # A katakana stem is a word of its own: カタログして is not ログして.
    before = {"ja": r"(?<![\u30a0-\u30ff])", "ko": rf"(?<![{HANGUL}])"}[language]
    endings = JA_ENDINGS if language == "ja" else KO_ENDINGS
    rest = {"ja": "[\u3041-\u3096]*", "ko": f"[{HANGUL}]*"}[language]  # to the word's end
    return stem, re.compile(f"{before}{re.escape(stem)}(?:{endings}){rest}")


def _english_words(term: Term) -> list[str]:
    """The term's English words that its rendering does not keep: `history` where use is 履歴."""
    use = re.sub(r"\([^)]*\)", "", term.use).lower()
    english = re.sub(r"\([^)]*\)", "", term.en)
    return [
        word
        for word in (w.strip() for w in re.split(r"[/,;]", english))
        if re.fullmatch(r"[A-Za-z][A-Za-z -]*[A-Za-z]", word)
        and not re.search(rf"(?<![a-z]){re.escape(word.lower())}(?![a-z])", use)
    ]


def _english_forms(word: str) -> list[str]:
    """`history`, `histories`; `step`, `steps` (compared in lower case)."""
    word = word.lower()
    if re.search(r"[^aeiou]y$", word):
        return [word, f"{word[:-1]}ies"]
    return [word, f"{word}es" if re.search(r"(?:s|x|ch|sh)$", word) else f"{word}s"]


@dataclass(frozen=True)
class Hit:
    found: str  # the text on the page
    avoid: str  # the glossary's avoided rendering it is a form of; "" for an English word
    term: Term


@dataclass
class Matchers:
    """A glossary's refusals, compiled once: exact strings, verb forms, English words."""

    exact: list[tuple[Term, str]]
    verbs: list[tuple[Term, str, str, re.Pattern[str]]]  # term, avoided form, stem, all forms
    words: dict[str, list[Term]]  # each form of a one-word English term, in lower case
    phrases: list[tuple[str, re.Pattern[str], Term]]  # first word, pattern: "sanity check"

    @classmethod
    def of(cls, glossary: Glossary) -> Matchers:
        matchers = cls([], [], {}, [])
        for term in glossary.terms:
            for avoid in term.avoid:
                matchers.exact.append((term, avoid))
                forms = _verb_forms(avoid, glossary.path.stem)
                if forms is not None:
                    matchers.verbs.append((term, avoid, *forms))
            for word in _english_words(term):
                if " " in word:
                    body = "|".join(map(re.escape, _english_forms(word))).replace(r"\ ", r"\s+")
                    pattern = re.compile(f"{LATIN_BEFORE}(?:{body}){LATIN_AFTER}", re.IGNORECASE)
                    matchers.phrases.append((word.split()[0].lower(), pattern, term))
                for form in _english_forms(word) if " " not in word else []:
                    matchers.words.setdefault(form, []).append(term)
        return matchers


def _matchers(glossary: Glossary) -> Matchers:
    if glossary._matchers is None:
        glossary._matchers = Matchers.of(glossary)
    return glossary._matchers


def _emphasis(match: re.Match[str]) -> str:
    inside = match["a"] or match["b"]
    if re.search(f"[{CJK}]", inside):
        return CAPITALIZED.sub(HOLE, match[0])  # 页面的 Overview → Config: names in the app
    return HOLE


def _english_prose(text: str) -> str:
    """`text` without the English that belongs there (product names, glosses, quotes, labels)."""
    for pattern in (PRODUCT, GLOSS, QUOTED):
        text = pattern.sub(HOLE, text)
    return EMPHASIS.sub(_emphasis, text)


def _avoided(text: str, glossary: Glossary, english: bool = True) -> list[Hit]:
    """What `text` (prose) says that the glossary refuses, each text once per term."""
    matchers = _matchers(glossary)
    hits: dict[tuple[str, str], Hit] = {}
    for term, avoid in matchers.exact:
        if avoid in text:
            hits.setdefault((avoid, term.en), Hit(avoid, avoid, term))
    for term, avoid, stem, forms in matchers.verbs:
        if stem in text:
            for match in forms.finditer(text):
                hits.setdefault((match[0], term.en), Hit(match[0], avoid, term))
    if english and LATIN.search(text):
        prose = _english_prose(text)
        found = [(m[0], matchers.words.get(m[0].lower(), [])) for m in LATIN_WORD.finditer(prose)]
        lower = prose.lower()
        for first, pattern, term in matchers.phrases:
            if first in lower:
                found += [(m[0], [term]) for m in pattern.finditer(prose)]
        for text_found, terms in found:
            word = text_found.lower()
            for term in terms:
                if not any(h.term == term and word in h.found.lower() for h in hits.values()):
                    # (unless the avoided rendering, "的 history", already names it)
                    hits.setdefault((word, term.en), Hit(text_found, "", term))
    return list(hits.values())


def _name(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _message(hit: Hit, glossary: Glossary, root: Path) -> str:
    term = hit.term
    found = repr(hit.found.strip())
    if not hit.avoid:
        found += " (English in prose; code goes in backticks)"
    elif hit.found != hit.avoid:
        found += f" (a form of {hit.avoid!r})"
    return (
        f"glossary ({_name(glossary.path, root)}): {found} for {term.en!r}; write {term.use!r}"
        + (f" ({term.why})" if term.why else "")
    )


def page_problems(prose: Prose, glossary: Glossary, root: Path) -> list[Problem]:
    page = prose.page
    problems = [
        Problem(page, line, _message(hit, glossary, root))
        for line, text in prose.lines
        for hit in _avoided(text, glossary, english=line >= prose.body)
    ]
    problems += typography_problems(prose, page_language(page))
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
    """The build's labels (`glossary/labels.yml`) and the nav titles of mkdocs.yml."""
    problems = []
    try:
        found = labels.load(root)
    except labels.LabelError as error:
        return [Problem(error.path, error.line, error.message)]
    for name, texts in found.table.items():
        for language, text in texts.items():
            glossary = glossaries.get(language)
            for hit in _avoided(text, glossary, english=False) if glossary else []:
                line = found.lines[name, language]
                problems.append(Problem(found.path, line, _message(hit, glossary, root)))
    config = root / "mkdocs.yml"
    if config.is_file():
        language = None
        for number, text in enumerate(config.read_text(encoding="utf-8").splitlines(), 1):
            locale = re.match(r"\s*- locale:\s*(\w+)", text)
            if locale:
                language = locale[1]
            glossary = glossaries.get(language or "")
            for hit in _avoided(text, glossary, english=False) if glossary else []:
                problems.append(Problem(config, number, _message(hit, glossary, root)))
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
    korean = []
    for page in pages(root / "docs"):
        glossary = glossaries.get(page_language(page))
        if glossary is not None:
            prose = read(page)
            problems += page_problems(prose, glossary, root)
            korean += [prose] if page_language(page) == "ko" else []
    problems += number_unit_spacing(korean, root)
    return problems + label_problems(root, glossaries)
