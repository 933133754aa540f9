"""MkDocs hook: a search index per language, in which Japanese words are found inside sentences.

Registered under `hooks:` in mkdocs.yml. What Material's search (9.8) and mkdocs-static-i18n (1.3)
do on their own, and why that fails readers of this site:

- **One index for all languages.** mkdocs-static-i18n builds each language in turn and then writes
  every language's entries into the one `search/search_index.json` that every page loads; its
  options (`reconfigure_search`, per-language `theme`/`extra`) cannot give a language its own
  index or a search plugin of its own. A Chinese term shared with Japanese (手写数字: 数) then
  lists Japanese pages first.
- **Kanji words are not found.** Material segments a query's Han characters (Chinese) against the
  words of the index before searching, but never the run's last character, and glues the result
  to the kana that follow: with a token 手 anywhere in the index, 手書き becomes the term 手き,
  which matches nothing. TinySegmenter (search `lang: ja`) and jieba (which Material applies to
  every page when it is installed) both put such one-kanji tokens into the index.

This hook, after mkdocs-static-i18n has built every language:

1. writes one index per language: `search/search_index.json` (English) and
   `<lang>/search/search_index.json`, each holding only that language's pages, with locations
   relative to that language's root;
2. points every page of a language at its own index: the `base` in Material's `__config` becomes
   the language's root. Material resolves the index and the result links against it; its other
   uses (instant navigation, version selector, sitemap-based language switch) are off here;
3. for Japanese: drops jieba's segmentation, adds for every kanji and katakana position of a
   title or text a hidden key (the Japanese characters from there: 8, or to the end of the kanji
   or katakana word it starts in) so that a word is found wherever it starts (Material searches
   each typed term as the start of an index word), and ends every token that is kanji
   only with an invisible word joiner, so that no index word is kanji only and Material's Chinese
   query segmentation leaves a Japanese query as it was typed. Japanese uses lunr's English
   pipeline: `lang: ja` would load TinySegmenter, which cuts the keys apart again in the browser.

Chinese keeps Material's jieba segmentation (word by word at build time), Korean its spaces.

No public means does this: Material's documented setup for several languages (`search: lang:
[en, ja, zh, ko]`, which mkdocs-static-i18n's `reconfigure_search` fills in) gives one index with
every pipeline. Measured with tests/browser's search terms on a build without this hook: 手書き
finds nothing, 学習率 lists Japanese pages that do not hold it (cut to 学習), 手写数字 from a
Chinese page lists Japanese pages first; 学习率, 손글씨, ハイパーパラメーター and the nav titles
are found. With the hook, all twelve searches pass. Of Material, the hook reads only the index file
its search plugin writes (`written_index`) and rewrites the `base` of each page's `__config`
(`with_language_base`); tests/test_site_build.py fails when either shape changes upstream.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.utils import get_relative_url

from tested_docs.pages import LANGUAGES

log = logging.getLogger("mkdocs.hooks.search_index")
DEFAULT_LANGUAGE = LANGUAGES[0]
INDEX = "search/search_index.json"
LUNR_LANGUAGE = {"en": "en", "ja": "en", "zh": "zh", "ko": "ko"}
"""The lunr-languages pipeline each index asks Material's worker to load (see the module text)."""

KEY_FIELDS = {"title": "title_keys", "text": "text_keys"}
"""Japanese only: the hidden field of keys made from each shown field (same boost)."""
KEY_LENGTH = 8
"""Characters in a key, or more to finish its word: the whole stretch of kanji or katakana it
starts in (ハイパーパラメーター). Longer keys make a larger index that the browser indexes slower."""
WORD_JOINER = "\u2060"
"""Invisible, not a separator: ends kanji-only tokens and every key."""

_HAN = "\u3005\u3006\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_KATAKANA = "\u30a1-\u30fa\u30fc-\u30ff\uff66-\uff9f"
_JAPANESE_RUN = re.compile(rf"[{_HAN}{_KATAKANA}\u3041-\u309f]+")
_STRETCH = re.compile(rf"[{_HAN}]+|[{_KATAKANA}]+")
_KEY_START = re.compile(rf"[{_HAN}\u30a1-\u30fa\uff66-\uff9d]")  # not at a long-vowel mark
_TAG = re.compile(r"<[^>]*>")
_TAG_SPLIT = re.compile(r"(<[^>]*>)")
_CONFIG = re.compile(r'(<script id="__config" type="application/json">\{[^<]*?"base": )"[^"]*"')


def language_of(url: str) -> str:
    """`ja/quickstart/#x` -> `ja`; `quickstart/` -> `en`."""
    first = url.split("/", 1)[0]
    return first if first in LANGUAGES and first != DEFAULT_LANGUAGE else DEFAULT_LANGUAGE


def language_root(language: str) -> str:
    return "" if language == DEFAULT_LANGUAGE else f"{language}/"


# --- pages ---------------------------------------------------------------------------------------


def with_language_base(output: str, url: str) -> str:
    """Material's `base` for a page: its language's root, so it loads that language's index."""
    language = language_of(url)
    if language == DEFAULT_LANGUAGE:
        return output
    base = get_relative_url(language_root(language), url)
    output, found = _CONFIG.subn(lambda m: f'{m[1]}"{base}"', output, count=1)
    if not found:  # a warning fails the strict build: this page would search English pages
        log.warning(f"search_index: no Material __config base on {url}, it searches in English")
    return output


def on_post_page(output: str, page: Any, config: Any) -> str:
    return with_language_base(output, page.url) if page else output


# --- Japanese ------------------------------------------------------------------------------------


def japanese_keys(html: str) -> str:
    """The keys of a title or text: at each kanji or katakana, the Japanese characters from there.

    `手書きの数字` -> `手書きの数字⁠ 書きの数字⁠ 数字⁠ 字⁠` (each ending with a word joiner).
    """
    keys = []
    for run in _JAPANESE_RUN.finditer(_TAG.sub(" ", html)):
        text = run[0]
        for stretch in _STRETCH.finditer(text):
            for start in (m.start() for m in _KEY_START.finditer(text, *stretch.span())):
                end = max(start + KEY_LENGTH, stretch.end())
                keys.append(text[start:end] + WORD_JOINER)
    return " ".join(keys)


def join_kanji_ends(html: str, separator: str) -> str:
    """A word joiner after every kanji that ends a token: before a separator, a tag or the end."""
    end = re.compile(rf"(?<=[{_HAN}])(?=(?:{separator})|\Z)")
    parts = _TAG_SPLIT.split(html)
    return "".join(part if part.startswith("<") else end.sub(WORD_JOINER, part) for part in parts)


def japanese_entry(entry: dict[str, Any], separator: str) -> dict[str, Any]:
    entry = dict(entry)
    for field, key_field in KEY_FIELDS.items():
        value = entry[field].replace("\u200b", "")  # jieba's cuts: Chinese words, not Japanese
        entry[field] = join_kanji_ends(value, separator)
        keys = japanese_keys(value)
        if keys:
            entry[key_field] = keys
    return entry


# --- indexes -------------------------------------------------------------------------------------


def language_index(language: str, entries: list[dict[str, Any]], config: dict[str, Any]) -> str:
    """The index of one language's entries, as Material's worker reads it."""
    root = language_root(language)
    config = {**config, "lang": [LUNR_LANGUAGE.get(language, "en")]}
    docs = [{**entry, "location": entry["location"].removeprefix(root)} for entry in entries]
    if language == "ja":
        docs = [japanese_entry(entry, config["separator"]) for entry in docs]
        fields = config["fields"]
        config["fields"] = {**fields, **{key: fields[f] for f, key in KEY_FIELDS.items()}}
    return json.dumps(
        {"config": config, "docs": docs}, ensure_ascii=False, separators=(",", ":"), default=str
    )


def write_index(site_dir: Path, language: str, entries: list[dict[str, Any]], config: dict) -> None:
    path = site_dir / language_root(language) / INDEX
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(language_index(language, entries, config), encoding="utf-8")


def written_index(site_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The search index Material's plugin wrote (`search/search_index.json`): its settings
    (`lang`, `separator`, `pipeline`, `fields`) and its entries (`location`, `title`, `text`).

    Its file, the one thing of the search plugin read here: tests/test_site_build.py fails
    when its shape changes upstream.
    """
    data = json.loads((site_dir / INDEX).read_text(encoding="utf-8"))
    return {key: data["config"][key] for key in SETTINGS}, data["docs"]


SETTINGS = ("lang", "separator", "pipeline", "fields")


@event_priority(-200)  # after mkdocs-static-i18n's own on_post_build (-100)
def on_post_build(config: Any) -> None:
    """Write the index of the language this build is for, from the one Material wrote.

    mkdocs-static-i18n builds the other languages inside the default language's on_post_build,
    each writing an index of its own entries (rewritten here), and then has Material write all
    entries, minus those it finds duplicated, into `search/search_index.json`: from an index of
    several languages, only the default language's entries are taken.
    """
    if not (Path(config.site_dir) / INDEX).is_file():  # search is off
        return
    settings, entries = written_index(Path(config.site_dir))
    by_language: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in entries:
        by_language[language_of(entry["location"])].append(entry)
    if len(by_language) > 1:
        by_language = {DEFAULT_LANGUAGE: by_language[DEFAULT_LANGUAGE]}
    for language, found in by_language.items():
        write_index(Path(config.site_dir), language, found, settings)
