"""The API reference: rendered in every language, readable (no reST left), linked from topics."""

from __future__ import annotations

import html
import importlib
import inspect
import re
from pathlib import Path

import pytest

from tested_docs.pages import LANGUAGES, page_language, pages
from tested_docs.rest_docstrings import rest_to_markdown, without_examples

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = {
    "trainer-logger": "lightning.pytorch.loggers.WandbLogger",
    "fabric-logger": "wandb.integration.lightning.fabric.WandbLogger",
    "tested-docs": "RecordedRun",
}
LOGGERS = {  # page: (module, class) as a reader imports it
    "trainer-logger": ("lightning.pytorch.loggers", "WandbLogger"),
    "fabric-logger": ("wandb.integration.lightning.fabric", "WandbLogger"),
}
NO_ARGUMENT_UPDATE = re.compile(r"config\.update\(\s*\)")
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


def test_examples_give_way_to_the_note():
    docstring = (
        "Log with W&B.\n\n"
        "**Log hyper-parameters**\n\n"
        "Add other config parameters:\n\n"
        ".. code-block:: python\n\n"
        "    wandb.config.update()\n\n"
        "Args:\n"
        "    x: a value, e.g.::\n\n"
        "        f(x=1)\n\n"
        "Example::\n\n"
        "    f(x=2)\n\n"
        "Examples:\n"
        "    >>> f(x=3)\n"
    )
    assert without_examples(docstring, "NOTE") == (
        "Log with W&B.\n\nNOTE\n\nArgs:\n    x: a value, e.g.::\n\n        f(x=1)\n\n"
        "Example::\n\n    f(x=2)"
    )
    converted = rest_to_markdown(docstring, examples="NOTE")
    assert "f(x=" not in converted and "config" not in converted
    assert converted.startswith("Log with W&B.\n\nNOTE\n\nArgs:\n    x: a value, e.g.:\n\n")
    # Without `examples`, nothing is dropped.
    assert "wandb.config.update()" in rest_to_markdown(docstring)


def _installed(name: str) -> type:
    module, cls = LOGGERS[name]
    return getattr(importlib.import_module(module), cls)


def public_members(cls: type) -> list[str]:
    """The public names of an installed class: its own and those it inherits from its base
    classes (the loggers' `Logger`), as `help()` lists them."""
    return sorted(
        name
        for name, _, owner, _ in inspect.classify_class_attrs(cls)
        if not name.startswith("_") and owner is not object
    )


def _member_headings(api: str, article_html: str) -> dict[str, str]:
    """Each member heading mkdocstrings rendered under `api`, and the text of its own entry
    (docstring), signatures left out."""
    found = list(
        re.finditer(
            rf'<h\d id="{re.escape(api)}\.(?P<member>\w+)" class="doc doc-heading"', article_html
        )
    )
    entries = {}
    for n, heading in enumerate(found):
        end = found[n + 1].start() if n + 1 < len(found) else len(article_html)
        body = article_html[article_html.index("</h", heading.end()) : end]
        body = re.sub(r'<div class="doc-signature.*?</div>', "", body, flags=re.S)
        entries[heading["member"]] = html.unescape(re.sub(r"<[^>]+>", " ", body)).strip()
    return entries


def _prose_entries(article_html: str) -> dict[str, str]:
    """The page's own list items that link to an anchor on the page: {anchor: item's HTML}."""
    return {
        anchor: item
        for item in re.findall(r"<li>.*?</li>", article_html, flags=re.S)
        for anchor in re.findall(r'href="#([^"]+)"', item)
    }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", LOGGERS)
def test_every_public_member_has_an_entry(built_site, language: str, name: str):
    """Every public member of the installed class is on the built page, and says what it does:
    with its docstring, or, where upstream has none, with the page's own sentence and a link to
    the tested page that shows it."""
    prefix = "" if language == "en" else f"{language}/"
    page = built_site.path / prefix / "reference" / name / "index.html"
    text = article(page)
    api = REFERENCE[name]
    entries = _member_headings(api, text)
    prose = _prose_entries(text)
    problems = []
    for member in public_members(_installed(name)):
        if member not in entries:
            problems.append(f"{member}: no entry on the {language} page")
    for member, docstring in entries.items():
        if docstring:
            continue
        item = prose.get(f"{api}.{member}")
        if item is None:
            problems.append(
                f"{member}: no docstring and no sentence of the {language} page links to it"
            )
        elif not re.search(r'href="\.\./[^"#]', item):
            problems.append(f"{member}: the {language} page's sentence links no tested page")
    assert not problems, f"{page}:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", LOGGERS)
def test_reference_shows_no_upstream_code_example(built_site, language: str, name: str):
    """No code from the docstrings (the site shows only code it runs), `config.update()` with no
    argument (a TypeError) least of all; the links the note and the page make within the page
    lead somewhere."""
    prefix = "" if language == "en" else f"{language}/"
    page = built_site.path / prefix / "reference" / name / "index.html"
    text = article(page)
    assert not NO_ARGUMENT_UPDATE.search(visible_text(page)), f"{page}: config.update() shows"
    assert '<div class="highlight">' not in text, f"{page}: a code block shows"
    assert 'href="#tested-examples"' in text  # the docstring's note, pointing to the tested pages
    ids = set(re.findall(r'id="([^"]+)"', text))
    broken = sorted({a for a in re.findall(r'href="#([^"]+)"', text)} - ids)
    assert not broken, f"{page}: links to anchors not on the page: {broken}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_trainer_page_says_sync_step_is_gone(built_site, language: str):
    assert "sync_step" not in inspect.signature(_installed("trainer-logger")).parameters
    prefix = "" if language == "en" else f"{language}/"
    page = built_site.path / prefix / "reference" / "trainer-logger" / "index.html"
    api = article(page).split(f'id="{REFERENCE["trainer-logger"]}"')[0]
    assert "sync_step" in api, f"{page}: no word on sync_step before the arguments"


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
