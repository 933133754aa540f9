"""No broken link or anchor in any language: the strict build, and lychee over the built HTML."""

from __future__ import annotations

import shutil
from pathlib import Path

from strict_build import build_site, check_links
from tested_docs.pages import LANGUAGES

ROOT = Path(__file__).resolve().parents[1]


def test_built_site_has_no_broken_links_or_anchors(built_site):
    done = check_links(built_site.path)
    assert done.returncode == 0, done.stdout + done.stderr
    for language in LANGUAGES[1:]:  # every language was there to check
        assert list((built_site.path / language).rglob("index.html")), language


def test_link_checker_names_a_broken_anchor_and_a_missing_page(built_site, tmp_path: Path):
    site = tmp_path / "site"
    shutil.copytree(built_site.path, site)
    page = site / "ja" / "quickstart" / "index.html"
    html = page.read_text(encoding="utf-8")
    planted = '<a href="../quickstart/#no-such-anchor">a</a><a href="../nowhere/">b</a>'
    page.write_text(html.replace("</article>", planted + "</article>", 1), encoding="utf-8")
    done = check_links(site)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert f"[{page}]" in output
    assert "quickstart#no-such-anchor" in output and "Cannot find fragment" in output
    assert "ja/nowhere" in output


def test_strict_build_fails_on_a_broken_anchor(tmp_path: Path):
    """The real `validation:` block of mkdocs.yml turns a broken anchor into a build error."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    lines = config[config.index("\nvalidation:") + 1 :].splitlines()
    end = next((i for i, line in enumerate(lines[1:], 1) if line and not line[0].isspace()), None)
    validation = "\n".join(lines[:end]) + "\n"
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\nSee [setup](setup.md#no-such-id).\n")
    (tmp_path / "docs" / "setup.md").write_text("# Setup\n\n## Install {#install}\n")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nnav: [index.md, setup.md]\nmarkdown_extensions: [attr_list, toc]\n"
        + validation
    )
    done = build_site(tmp_path, tmp_path / "out")
    log = done.stdout + done.stderr
    assert done.returncode != 0, log
    assert "index.md" in log and "no-such-id" in log
