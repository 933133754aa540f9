"""The API reference: rendered in every language, readable (no reST left), linked from topics."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from tested_docs.pages import LANGUAGES, page_language, pages
from tested_docs.rest_docstrings import rest_to_markdown

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = {
    "trainer-logger": "lightning.pytorch.loggers.WandbLogger",
    "fabric-logger": "wandb.integration.lightning.fabric.WandbLogger",
    "tested-docs": "RecordedRun",
}
REST_LEFTOVERS = (".. code-block::", ".. note::", ":class:", ":func:", ":meth:", ":paramref:", "``")
NOT_TOPICS = {"index.md", "contributing.md"}


ARTICLE_LINK = re.compile(r'href="[^"]*reference/(?:trainer-logger|fabric-logger|tested-docs)/')


def article(page: Path) -> str:
    """The page's own content: the navigation links every page to the reference anyway."""
    html_text = page.read_text(encoding="utf-8")
    return html_text[html_text.index("<article") : html_text.index("</article>")]


def visible_text(page: Path) -> str:
    text = re.sub(r"<script.*?</script>|<style.*?</style>", "", page.read_text(), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def test_rest_becomes_markdown():
    docstring = (
        "Log with `W&B <https://wandb.ai>`_ from :class:`~lightning.pytorch.LightningModule`.\n\n"
        "Example::\n\n"
        ".. code-block:: python\n"
        "    :caption: two lines\n\n"
        "    logger = WandbLogger()\n"
        "    trainer = Trainer(logger=logger)\n\n"
        "Set ``log_model`` and :paramref:`~a.b.save_top_k`, see :func:`wandb.init`.\n\n"
        ".. note:: Offline runs sync later.\n"
    )
    assert rest_to_markdown(docstring) == (
        "Log with [W&B](https://wandb.ai) from `LightningModule`.\n\n"
        "Example:\n\n"
        "```python\n"
        "logger = WandbLogger()\n"
        "trainer = Trainer(logger=logger)\n"
        "```\n\n"
        "Set `log_model` and `save_top_k`, see `wandb.init`.\n\n"
        "!!! note\n\n"
        "    Offline runs sync later."
    )


def test_literal_block_keeps_its_indent_inside_a_section():
    docstring = "Args:\n    x: a value, e.g.::\n\n        f(x=1)\n\n    y: another.\n"
    assert rest_to_markdown(docstring) == (
        "Args:\n    x: a value, e.g.:\n\n        ```python\n        f(x=1)\n        ```\n\n    y: another."
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", REFERENCE)
def test_reference_page_renders_the_api_without_rest(built_site, language: str, name: str):
    prefix = "" if language == "en" else f"{language}/"
    page = built_site.path / prefix / "reference" / name / "index.html"
    text = visible_text(page)
    assert REFERENCE[name] in text
    rendered = page.read_text()
    assert rendered.count('class="doc doc-heading"') >= 5  # the members, each with its docs
    if name != "tested-docs":  # parsed Args/Returns sections (titles translated: 引数, 参数)
        assert rendered.count('class="doc-section-title"') >= 3
    left = [markup for markup in REST_LEFTOVERS if markup in text]
    assert not left, f"{page}: raw reST shows as text: {left}"


def test_topic_pages_link_to_the_reference(built_site):
    topics = [
        page.relative_to(ROOT / "docs")
        for page in pages(ROOT / "docs")
        if page_language(page) == "en"
        and page.name not in NOT_TOPICS
        and page.parent.name != "reference"
    ]
    assert topics
    missing = []
    for topic in topics:
        for language in LANGUAGES:
            prefix = "" if language == "en" else f"{language}/"
            built = built_site.path / prefix / topic.with_suffix("") / "index.html"
            if not ARTICLE_LINK.search(article(built)):
                missing.append(f"{prefix}{topic}")
    assert not missing, f"topic pages with no link to the API reference: {missing}"
