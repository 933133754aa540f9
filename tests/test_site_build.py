"""The site builds strictly in all four languages, and its pages show only included code."""

import json
import re
from pathlib import Path
from urllib.parse import urljoin

from strict_build import build_site, warnings_in
from tested_docs.checks import inline_code
from tested_docs.pages import LANGUAGES
from tested_docs.search_index import (
    WORD_JOINER,
    japanese_keys,
    join_kanji_ends,
    with_language_base,
    written_index,
)

ROOT = Path(__file__).resolve().parents[1]


def test_strict_build_has_no_warnings(built_site):
    warnings = warnings_in(built_site.log)
    assert built_site.returncode == 0 and not warnings, "strict build failed:\n" + "\n".join(
        warnings or built_site.log.splitlines()[-30:]
    )
    for language in LANGUAGES:
        prefix = "" if language == "en" else f"{language}/"
        assert (built_site.path / prefix / "quickstart" / "index.html").is_file(), language


CONFIG_BASE = re.compile(r'<script id="__config" type="application/json">\{[^<]*?"base": "([^"]*)"')


def built_pages(site: Path, language: str) -> dict[str, Path]:
    """A language's built pages by location relative to its root (`""`, `"quickstart/"`)."""
    root = site if language == "en" else site / language
    pages = {}
    for html in root.rglob("index.html"):
        if language == "en" and html.relative_to(site).parts[0] in LANGUAGES:
            continue
        relative = html.parent.relative_to(root).as_posix()
        pages["" if relative == "." else f"{relative}/"] = html
    return pages


def test_each_language_searches_its_own_pages_only(built_site):
    """One index per language (`tested_docs.search_index`), loaded by that language's pages."""
    for language in LANGUAGES:
        root = "" if language == "en" else f"{language}/"
        index_file = built_site.path / root / "search" / "search_index.json"
        index = json.loads(index_file.read_text(encoding="utf-8"))
        pages = built_pages(built_site.path, language)
        assert {doc["location"].split("#")[0] for doc in index["docs"]} == set(pages), language
        for location, html in pages.items():
            base = CONFIG_BASE.search(html.read_text(encoding="utf-8"))[1]
            page_url = f"http://site/{root}{location}"
            assert urljoin(page_url, base) == f"http://site/{root}", page_url
    japanese = (built_site.path / "ja" / "search" / "search_index.json").read_text(encoding="utf-8")
    # the excerpts are indexed, the full examples (whole files) are not
    assert "完全なサンプル: quickstart_trainer.py" not in japanese


def test_no_japanese_index_word_is_kanji_only(built_site):
    """Material cuts a kanji word typed in the search box against such a word: 手書き -> 手き."""
    index = json.loads(
        (built_site.path / "ja" / "search" / "search_index.json").read_text(encoding="utf-8")
    )
    separator = re.compile(index["config"]["separator"])
    kanji_only = re.compile(r"[\u3005\u3006\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
    for doc in index["docs"]:
        for field in ("title", "text", "title_keys", "text_keys"):
            for part in re.split(r"<[^>]*>", doc.get(field, "")):
                words = [w for w in separator.split(part) if kanji_only.fullmatch(w)]
                assert not words, (doc["location"], field, words[:5])
    text = join_kanji_ends("手の記録<code>x</code>、学習率（lr）と学習", separator.pattern)
    joined = "手の記録\u2060<code>x</code>、学習率\u2060（lr）と学習\u2060"
    assert text == joined  # a kanji that ends a token gets a word joiner; 手 before の does not
    keys = japanese_keys("手書きの数字、ハイパーパラメーターを記録する").split()
    assert keys[0] == f"手書きの数字{WORD_JOINER}" and f"パラメーターを記{WORD_JOINER}" in keys
    assert f"ハイパーパラメーター{WORD_JOINER}" in keys  # a whole katakana word, past 8 characters
    assert all(key.endswith(WORD_JOINER) for key in keys)


def test_material_writes_the_search_shapes_the_index_hook_reads(tmp_path: Path):
    """What `tested_docs.search_index` takes from Material, on a site of its own without the hook:
    the index file's settings and entries, the `base` in each page's `__config` (which the hook
    points at the language's root), and the worker's index fetched below that `base`. An
    upgrade that moves any of these fails here, not silently in a reader's browser."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\nHello\n")
    (tmp_path / "docs" / "a.md").write_text("# A\n\nWorld\n")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\ntheme:\n  name: material\nplugins:\n  - search:\n      lang: [en, ja]\n"
    )
    done = build_site(tmp_path, tmp_path / "out")
    assert done.returncode == 0, done.stderr[-2000:]
    settings, entries = written_index(tmp_path / "out")
    assert settings["lang"] == ["en", "ja"] and settings["separator"]
    assert set(settings["fields"]) >= {"title", "text"}
    assert {"location", "title", "text"} <= set(entries[0])
    assert {e["location"] for e in entries} >= {"", "a/"}
    page = (tmp_path / "out" / "a" / "index.html").read_text(encoding="utf-8")
    assert '"base": ".."' in page  # the site's root, as a page at a/ sees it
    assert '"base": "../../"' in with_language_base(page, "ja/a/b/")  # ja/ from ja/a/b/
    bundle = next((tmp_path / "out" / "assets" / "javascripts").glob("bundle.*.min.js"))
    assert 'new URL("search/search_index.json",' in bundle.read_text(encoding="utf-8")


def test_strict_build_fails_on_a_missing_snippet_section(tmp_path: Path):
    page = tmp_path / "docs" / "index.md"
    page.parent.mkdir()
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "a.py").write_text(
        "# --8<-- [start:here]\nx = 1\n# --8<-- [end:here]\n"
    )
    page.write_text('# Home\n\n```python\n--8<-- "snippets/a.py:not_there"\n```\n')
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nmarkdown_extensions:\n  - pymdownx.superfences\n  - pymdownx.snippets:\n"
        "      base_path: [!relative $config_dir]\n      check_paths: true\n"
    )
    done = build_site(tmp_path, tmp_path / "out")
    assert done.returncode != 0
    assert "not_there" in done.stderr + done.stdout


def test_no_page_holds_inline_code():
    problems = inline_code(ROOT / "docs")
    assert not problems, "\n".join(map(str, problems))


def test_inline_code_is_reported_with_page_and_line(tmp_path: Path):
    page = tmp_path / "guide.md"
    page.write_text(
        '# Guide\n\n=== "Fabric"\n\n    ```python\n    --8<-- "snippets/a.py:x"\n'
        "    print('typed here')\n    ```\n\n```bash\npip install wandb\n```\n\n"
        "```mermaid\ngraph LR; a-->b\n```\n"
    )
    problems = inline_code(tmp_path)
    assert [(p.path.name, p.line) for p in problems] == [("guide.md", 7), ("guide.md", 11)]
    assert "include it from snippets/" in str(problems[0])
