"""The build's speed-ups change nothing a reader gets: languages in parallel, cached highlighting."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from strict_build import build_site, differences
from tested_docs import highlight_cache, parallel_languages
from tested_docs.pages import LANGUAGES

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(400)
def test_parallel_build_is_the_sequential_build_file_for_file(built_site, tmp_path, monkeypatch):
    monkeypatch.setenv(parallel_languages.SERIAL_ENV, "1")
    done = build_site(ROOT, tmp_path / "serial")
    assert done.returncode == 0, done.stderr[-3000:]
    assert differences(tmp_path / "serial", built_site.path) == []


def test_each_language_reference_has_its_own_section_titles(built_site):
    """mkdocstrings-python translates its titles to ja and zh (ko falls back to English); the
    sequential build used to give each language the titles of the one built before it."""
    titles = {"en": "Parameters:", "ja": "引数：", "zh": "参数：", "ko": "Parameters:"}
    for language in LANGUAGES:
        prefix = "" if language == "en" else f"{language}/"
        page = built_site.path / prefix / "reference" / "trainer-logger" / "index.html"
        html = page.read_text(encoding="utf-8")
        assert f'<span class="doc-section-title">{titles[language]}</span>' in html, language


def test_stylesheets_are_linked_once_and_root_files_are_the_default_languages(built_site):
    for language in LANGUAGES:
        prefix = "" if language == "en" else f"{language}/"
        html = (built_site.path / prefix / "config" / "index.html").read_text(encoding="utf-8")
        assert html.count("_mkdocstrings.css") == 1, language
    assert '<html lang="en"' in (built_site.path / "404.html").read_text(encoding="utf-8")
    inventory = (built_site.path / "objects.inv").read_bytes()
    assert b"# Project: W&B with PyTorch Lightning\n" in inventory


# --- a small site: fast enough to plant defects in -----------------------------------------------


def small_site(root: Path, japanese_quickstart: str = "# クイックスタート\n") -> Path:
    """Two pages in English and Japanese, built with this project's build hooks."""
    docs = root / "docs"
    docs.mkdir(parents=True)
    pages = {
        "index.md": "# Home\n\n[Quickstart](quickstart.md)\n",
        "index.ja.md": "# ホーム\n\n[クイックスタート](quickstart.md)\n",
        "quickstart.md": "# Quickstart\n\n```python\nprint('hello')\n```\n",
        "quickstart.ja.md": japanese_quickstart + "\n```python\nprint('hello')\n```\n",
    }
    for name, text in pages.items():
        (docs / name).write_text(text, encoding="utf-8")
    hooks = "\n".join(
        f"  - {ROOT / 'src' / 'tested_docs' / name}"
        for name in ("parallel_languages.py", "highlight_cache.py", "i18n_fixes.py")
    )
    (root / "mkdocs.yml").write_text(
        textwrap.dedent("""\
            site_name: Small
            site_url: http://127.0.0.1:8000/
            theme: {name: material, language: en}
            markdown_extensions: [pymdownx.highlight, pymdownx.superfences]
            plugins:
              - search
              - i18n:
                  docs_structure: suffix
                  languages:
                    - {locale: en, default: true, name: English, build: true}
                    - {locale: ja, name: 日本語, build: true}
            validation: {links: {not_found: warn, anchors: warn}}
            hooks:
            """)
        + hooks
        + "\n",
        encoding="utf-8",
    )
    return root


def build(root: Path, out: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return build_site(root, out, env=env)


def test_small_site_parallel_and_sequential_agree_and_the_sitemap_lists_every_language(tmp_path):
    site = small_site(tmp_path / "src")
    parallel = build(site, tmp_path / "parallel")
    serial = build(site, tmp_path / "serial", **{parallel_languages.SERIAL_ENV: "1"})
    assert parallel.returncode == 0 and serial.returncode == 0, parallel.stderr + serial.stderr
    assert differences(tmp_path / "serial", tmp_path / "parallel") == []
    sitemap = (tmp_path / "parallel" / "sitemap.xml").read_text(encoding="utf-8")
    assert sitemap.count("<url>") == 4 and "/ja/quickstart/" in sitemap


def test_a_warning_in_a_translated_page_fails_the_parallel_build(tmp_path):
    site = small_site(tmp_path / "src", "# クイックスタート\n\n[壊れたリンク](missing.md)\n")
    done = build(site, tmp_path / "out")
    assert done.returncode != 0
    assert "'quickstart.ja.md' contains a link 'missing.md'" in done.stderr
    assert "Building the ja pages failed" in done.stdout + done.stderr


def test_the_i18n_loop_it_replaces_is_where_it_was():
    assert parallel_languages.layout_moved() is None


def test_a_moved_i18n_loop_is_named(monkeypatch):
    monkeypatch.setattr(parallel_languages.i18n_plugin, "build", None)
    assert "no longer calls its module's build()" in parallel_languages.layout_moved()


def test_a_sitemap_of_another_shape_stops_the_build():
    own = "<urlset>\n<url>en</url>\n</urlset>"
    assert parallel_languages.joined_sitemap(
        own, ["<urlset>\n<url>en</url><url>ja</url>\n</urlset>"]
    ) == ("<urlset>\n<url>en</url><url>ja</url>\n</urlset>")
    with pytest.raises(Abort, match="no longer starts with the default language's entries"):
        parallel_languages.joined_sitemap(own, ["<urlset><url>ja</url></urlset>"])


def test_a_highlight_is_reused_only_with_the_same_code_settings_and_versions(monkeypatch):
    from pymdownx.highlight import Highlight

    highlighter = Highlight(object(), linenums=False)
    key = highlight_cache.cache_key(highlighter, ("x = 1", "python"), {"code_block_count": 1})
    assert key == highlight_cache.cache_key(  # another page: another Markdown instance
        Highlight(object(), linenums=False), ("x = 1", "python"), {"code_block_count": 1}
    )
    assert key != highlight_cache.cache_key(
        highlighter, ("x = 2", "python"), {"code_block_count": 1}
    )
    assert key != highlight_cache.cache_key(
        Highlight(object(), linenums=True), ("x = 1", "python"), {"code_block_count": 1}
    )
    assert key != highlight_cache.cache_key(
        highlighter, ("x = 1", "python"), {"code_block_count": 2}
    )
    monkeypatch.setattr(highlight_cache, "VERSIONS", ("0.0", "0.0"))
    assert key != highlight_cache.cache_key(
        highlighter, ("x = 1", "python"), {"code_block_count": 1}
    )
    assert getattr(Highlight.highlight, "__wrapped_by_tested_docs__", False)
