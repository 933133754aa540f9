"""What a reader does on the built site, in a real Chromium: every page, tabs, languages, copy,
search, dark mode. Each test also fails on console errors and failed or off-machine requests."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from tested_docs.pages import code_blocks, outside_fences, page_language

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SCREENSHOTS = ROOT / "test-results" / "screenshots"  # the folder conftest.py prints
MARKER = re.compile(r"^\s*(#|//|<!--)?\s*-{1,2}8<-{1,2}\s*\[(start|end):[\w-]+\]")


def url_of(page: Path) -> tuple[str, str]:
    """`docs/quickstart.ja.md` -> (`ja`, `ja/quickstart/`); `docs/index.md` -> (`en`, ``)."""
    language = page_language(page)
    relative = page.relative_to(DOCS)
    stem = relative.name.removesuffix(".md").removesuffix(f".{language}")
    parts = [*relative.parent.parts] + ([] if stem == "index" else [stem])
    path = "".join(f"{part}/" for part in parts)
    return language, path if language == "en" else f"{language}/{path}"


PAGES = sorted(url_of(page) for page in DOCS.rglob("*.md"))
SOURCES = {url_of(page)[1]: page for page in DOCS.rglob("*.md")}


def shot_name(language: str, path: str, width: str) -> Path:
    inner = path.removeprefix(f"{language}/").strip("/").replace("/", "-") or "index"
    return SCREENSHOTS / language / f"{inner}-{width}.png"


# --- every page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("width", ["desktop", "phone"])
@pytest.mark.parametrize(("language", "path"), PAGES, ids=[p or "home" for _, p in PAGES])
def test_page_loads_cleanly_and_is_photographed(request, language, path, width):
    tab = request.getfixturevalue(f"{width}_tab")
    tab.take_problems()
    # "load", not "networkidle": the search worker's requests are checked by the search tests
    tab.open(path, wait_until="load")
    assert tab.page.locator("html").get_attribute("lang") == language
    assert tab.page.locator("article h1").count() == 1, "a page has exactly one title"
    target = shot_name(language, path, width)
    target.parent.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=str(target), full_page=True)
    assert not tab.take_problems()


# --- tabs ----------------------------------------------------------------------------------------

CHOSEN_TABS = """() => [...document.querySelectorAll('.tabbed-set')]
  .filter(set => [...set.querySelectorAll(':scope > .tabbed-labels > label')]
    .some(label => label.textContent.trim() === 'Fabric'))
  .map(set => {
    const checked = set.querySelector(':scope > input:checked');
    return set.querySelector(`:scope > .tabbed-labels > label[for="${checked.id}"]`).textContent.trim();
  })"""


def pages_with_fabric_tabs(site_root: Path) -> list[str]:
    found = []
    for _, path in PAGES:
        built = site_root / path / "index.html"
        html = built.read_text(encoding="utf-8") if built.is_file() else ""
        if "/" not in path.rstrip("/") and re.search(r"<label[^>]*>Fabric</label>", html):
            found.append(path)
    return found


def test_fabric_chosen_once_stays_chosen_on_the_next_page_and_after_a_reload(reader, site_root):
    first, second, *_ = pages_with_fabric_tabs(site_root)
    reader.open(first)
    assert set(reader.page.evaluate(CHOSEN_TABS)) == {"PyTorch Lightning"}
    reader.page.locator(".tabbed-labels label", has_text=re.compile(r"^Fabric$")).first.click()
    assert set(reader.page.evaluate(CHOSEN_TABS)) == {"Fabric"}, "every tab set on the page follows"
    reader.open(second)
    assert set(reader.page.evaluate(CHOSEN_TABS)) == {"Fabric"}
    reader.page.reload(wait_until="networkidle")
    assert set(reader.page.evaluate(CHOSEN_TABS)) == {"Fabric"}
    assert not reader.take_problems()


# --- languages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ja", "zh", "ko"])
def test_switching_language_on_a_deep_page_lands_on_the_same_page(reader, language):
    reader.open("quickstart/#run-it")
    for target, path in ((language, f"{language}/quickstart/"), ("en", "quickstart/")):
        reader.page.locator(".md-header__option .md-select button").click()
        with reader.page.expect_navigation(wait_until="networkidle"):
            reader.page.locator(f"a.md-select__link[hreflang={target}]").click()
        assert reader.page.url.split("#")[0] == reader.base + path
        assert reader.page.locator("html").get_attribute("lang") == target
        assert reader.page.locator("article h1").get_attribute("id") == "quickstart"
    assert not reader.take_problems()


# --- copy ----------------------------------------------------------------------------------------


def snippet_text(include: str, section: str | None) -> str:
    """What pymdownx.snippets puts on the page: the section (dedented) or the whole file, no markers."""
    lines = (ROOT / include).read_text(encoding="utf-8").splitlines()
    if section is not None:
        start = next(i for i, x in enumerate(lines) if re.search(rf"\[start:{section}\]", x))
        end = next(i for i, x in enumerate(lines) if re.search(rf"\[end:{section}\]", x))
        lines = lines[start + 1 : end]
    kept = "\n".join(line for line in lines if not MARKER.match(line))
    return textwrap.dedent(kept) if section is not None else kept


def copy_of(reader, scope) -> str:
    button = scope.locator("button[data-md-type=copy]").first
    button.hover()
    button.click()
    reader.page.wait_for_timeout(200)
    return reader.page.evaluate("navigator.clipboard.readText()")


def test_copy_button_copies_exactly_the_snippet_and_the_full_example_the_whole_file(reader):
    source = DOCS / "quickstart.md"
    first = code_blocks(source)[0]
    assert len(first.includes) == 1, "the test expects the page to open with a one-include block"
    reader.open("quickstart/")
    copied = copy_of(reader, reader.page.locator("article div.highlight").first)
    assert copied == snippet_text(*first.includes[0]).rstrip()

    example = reader.page.locator("article details.full-example").first
    name = example.locator("summary").inner_text().rsplit(":", 1)[-1].strip()
    include = next(
        f for block in code_blocks(source) for f, _ in block.includes if Path(f).name == name
    )
    example.locator("summary").click()
    whole = copy_of(reader, example)
    assert whole == snippet_text(include, None).rstrip()
    assert "--8<--" not in whole
    assert "wandb.finish()" in whole.splitlines()[-1]  # the whole script, to its last line
    compile(whole, name, "exec")  # a complete script, not an excerpt
    assert not reader.take_problems()


# --- search --------------------------------------------------------------------------------------
# Each language has its own index (tested_docs.search_index): a reader gets pages in the language of
# the page they search from, and Japanese words are found inside sentences.


def search(reader, term: str) -> list[str]:
    """Type `term` into Material's search box on the open page; the pages listed, best first."""
    box = reader.page.locator("input.md-search__input")
    box.click()
    box.fill(term)
    box.press("End")  # Material searches on a key press
    reader.page.wait_for_selector(".md-search-result__item", timeout=20_000)
    return reader.page.eval_on_selector_all(
        ".md-search-result__item > a", "links => links.map(a => a.href.split('?')[0])"
    )


def body_text(page: Path) -> str:
    """A page's prose as a reader sees it: no front matter, headings, code or snippet includes.

    Line breaks inside Japanese and Chinese paragraphs are dropped, as the built page drops them.
    """
    lines = page.read_text(encoding="utf-8").splitlines()
    if lines and lines[0] == "---":
        lines = lines[lines.index("---", 1) + 1 :]
    prose = [lines[i] for i in outside_fences(lines)]
    prose = [x for x in prose if not x.lstrip().startswith(("#", "--8<--", "<!--"))]
    joiner = "" if page_language(page) in ("ja", "zh") else " "
    return joiner.join(x.strip() for x in prose)


def deep_page(language: str) -> str:
    """A page two folders below the language's root: the results' links must still resolve."""
    return next(p for lang, p in PAGES if lang == language and p.count("/") >= 3)


SEARCHES = [
    ("ja", "全体像", "ja/how-it-fits/"),
    ("zh", "整体结构", "zh/how-it-fits/"),
    ("ko", "전체 구조", "ko/how-it-fits/"),
    ("ja", "クイックスタート", "ja/quickstart/"),
    ("zh", "手写", "zh/quickstart/"),
    ("ko", "손글씨", "ko/quickstart/"),
]


@pytest.mark.parametrize(("language", "term", "expected"), SEARCHES)
def test_search_finds_a_cjk_term_on_the_right_page_in_that_language(
    reader, language, term, expected
):
    reader.open(f"{language}/")
    hrefs = search(reader, term)
    assert hrefs[0].startswith(reader.base + f"{language}/"), hrefs[:3]
    assert reader.base + expected in hrefs[:3], hrefs[:3]
    assert not reader.take_problems()


BODY_SEARCHES = [
    # (term, a page whose body, not its headings, holds the term)
    ("手書き", "quickstart.ja.md"),  # kanji and kana: Material's own search found nothing
    ("学習率", "config.ja.md"),  # kanji only, inside a sentence
    ("ハイパーパラメーター", "config.ja.md"),  # katakana, inside a sentence
    ("手写数字", "tutorials/image-classification.zh.md"),
    ("学习率", "config.zh.md"),
    ("손글씨", "quickstart.ko.md"),
]


@pytest.mark.parametrize(("term", "source"), BODY_SEARCHES, ids=[t for t, _ in BODY_SEARCHES])
def test_search_finds_a_word_of_a_page_body_from_a_page_in_that_language(reader, term, source):
    page = DOCS / source
    language, expected = url_of(page)
    assert term in body_text(page), f"{term} is not in the body of docs/{source}"
    reader.open(deep_page(language))
    hrefs = search(reader, term)
    root = reader.base + f"{language}/"
    assert hrefs[0].startswith(root), hrefs[:3]
    assert all(href.startswith(root) for href in hrefs), "only pages in the reader's language"
    assert reader.base + expected in hrefs, hrefs
    if language == "ja":  # found as typed: 学習率 is not cut down to 学習, nor 手書き to 手き
        for href in hrefs:
            text = SOURCES[href.removeprefix(reader.base)].read_text(encoding="utf-8")
            assert term in re.sub(r"\n\s*", "", text), f"{href} does not hold {term}"
    assert not reader.take_problems()


SHARED = "数字"
"""Written the same in Chinese and Japanese: one index for both listed Japanese pages first."""


@pytest.mark.parametrize(
    ("language", "source"),
    [("zh", "tutorials/image-classification.zh.md"), ("ja", "media.ja.md")],
)
def test_a_term_shared_by_chinese_and_japanese_lists_the_readers_language_first(
    reader, language, source
):
    for other in ("tutorials/image-classification.zh.md", "media.ja.md"):
        assert SHARED in body_text(DOCS / other), f"{SHARED} is not in the body of docs/{other}"
    page = DOCS / source
    reader.open(deep_page(language))
    hrefs = search(reader, SHARED)
    root = reader.base + f"{language}/"
    assert hrefs[0].startswith(root), hrefs[:3]
    assert all(href.startswith(root) for href in hrefs), "only pages in the reader's language"
    assert reader.base + url_of(page)[1] in hrefs, hrefs
    assert not reader.take_problems()


def test_a_japanese_result_opens_its_page_with_the_word_highlighted(reader):
    reader.open(deep_page("ja"))
    search(reader, "学習率")
    link = reader.page.locator(".md-search-result__item > a[href*='/ja/config/']").first
    with reader.page.expect_navigation(wait_until="networkidle"):
        link.click()
    assert reader.page.url.split("?")[0] == reader.base + "ja/config/"
    assert reader.page.locator("html").get_attribute("lang") == "ja"
    marks = reader.page.locator("article mark[data-md-highlight]").all_inner_texts()
    assert "学習率" in marks, marks
    assert not reader.take_problems()


# --- dark and light ------------------------------------------------------------------------------


def test_dark_and_light_toggle_and_survive_a_reload(reader):
    page = reader.page
    reader.open("quickstart/")

    def scheme() -> str:
        return page.locator("body").get_attribute("data-md-color-scheme")

    assert scheme() == "default"
    page.locator("form[data-md-component=palette] label:visible").click()
    assert scheme() == "slate"
    page.reload(wait_until="networkidle")
    assert scheme() == "slate"
    target = SCREENSHOTS / "en" / "quickstart-dark.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target))
    page.locator("form[data-md-component=palette] label:visible").click()
    assert scheme() == "default"
    assert not reader.take_problems()
