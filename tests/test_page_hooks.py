"""What every page gets without being edited: full examples, where the stamp goes
(tests/test_stamp.py: what it says), CJK lines joined, and the theme override (head, mermaid)."""

from __future__ import annotations

import re
from pathlib import Path

import material
import pytest

from tested_docs import labels
from tested_docs.cjk_lines import join_cjk_lines
from tested_docs.full_examples import add_full_examples
from tested_docs.page_stamp import add_stamp, scripts_of
from tested_docs.pages import LANGUAGES, page_language

ROOT = Path(__file__).resolve().parents[1]
WORDS = {language: labels.load(ROOT).of(language) for language in LANGUAGES}

PAGE = """\
# Guide {#guide}

```bash
--8<-- "snippets/guide/install.sh:install"
```

## Log {#log}

=== "PyTorch Lightning"

    ```python
    --8<-- "snippets/guide/trainer.py:imports"

    --8<-- "snippets/guide/trainer.py:model"
    ```

    Then fit:

    ```python
    --8<-- "snippets/guide/trainer.py:fit"
    ```

=== "Fabric"

    ```python
    --8<-- "snippets/guide/fabric.py:loop"
    ```

## Whole {#whole}

```python
--8<-- "snippets/guide/trainer.py"
```

```python
--8<-- "snippets/guide/trainer.py:fit"
```
"""


def test_full_example_once_per_file_and_page_after_its_last_excerpt():
    out = add_full_examples(PAGE.replace('trainer.py"\n', 'other.py"\n'), WORDS["en"])
    lines = out.splitlines()
    titles = [(n, line) for n, line in enumerate(lines) if "/// details" in line]
    assert [line for _, line in titles] == [
        "    /// details | Full example: fabric.py",
        "/// details | Full example: trainer.py",
    ]
    fabric, trainer = (n for n, _ in titles)
    assert lines[fabric + 1 : fabric + 9] == [
        "        type: example",
        '        attrs: {class: full-example, data-search-exclude: "true"}',
        "",
        '    ```python title="fabric.py"',
        '    --8<-- "snippets/guide/fabric.py"',
        "    ```",
        "    ///",
        "",
    ]
    assert lines[trainer - 3] == '--8<-- "snippets/guide/trainer.py:fit"' and trainer > fabric
    # shell commands get none
    assert not any("install.sh" in line and "??? " in line for line in lines)


def test_no_full_example_for_a_file_the_page_shows_whole():
    out = add_full_examples(PAGE, WORDS["en"])
    assert [line.strip() for line in out.splitlines() if "/// details" in line] == [
        "/// details | Full example: fabric.py"
    ]


def test_full_example_at_top_level_and_translated():
    page = '# T\n\n```python\n--8<-- "snippets/a/b.py:x"\n```\ntext\n'
    out = add_full_examples(page, WORDS["ja"])
    assert "/// details | 完全なサンプル: b.py" in out
    assert out.index("/// details") < out.index("text")
    assert add_full_examples(page, WORDS["zh"]).count("完整示例") == 1
    assert add_full_examples(page, WORDS["ko"]).count("전체 예제") == 1
    assert add_full_examples("# T\n\nno code\n", WORDS["en"]) == "# T\n\nno code\n"


def test_wrapped_cjk_prose_loses_its_stray_spaces_but_code_keeps_its_lines():
    html = "<p>検証精度を\n  確認します。Trainer\nを使う</p><pre><code>コード\nの行</code></pre>"
    assert join_cjk_lines(html) == (
        "<p>検証精度を確認します。Trainer\nを使う</p><pre><code>コード\nの行</code></pre>"
    )


def test_language_and_scripts_of_a_page():
    assert page_language("quickstart.ja.md") == "ja"
    assert page_language("guides/resume.md") == "en"
    assert scripts_of(PAGE) == ["snippets/guide/trainer.py", "snippets/guide/fabric.py"]
    assert scripts_of('```bash\n--8<-- "snippets/site_commands.sh:test"\n```') == []


def test_stamp_goes_under_the_title():
    out = add_stamp("---\na: b\n---\n\n# Title {#t}\n\nText\n", "<p>S</p>")
    assert out.splitlines()[4:8] == ["# Title {#t}", "", "<p>S</p>", ""]


MATERIAL_BASE = Path(material.__file__).parent / "templates" / "base.html"
ALTERNATE_LOOP = re.compile(
    r"\n *\{% if config\.extra\.alternate is iterable %\}.*?\{% endif %\}", re.S
)


def block(template: str, name: str) -> str:
    found = re.search(rf"\{{% block {name} %\}}(.*?)\{{% endblock %\}}", template, re.S)
    assert found, f"no block {name}"
    return found[1]


def test_the_theme_override_is_materials_head_without_the_alternate_links():
    """overrides/main.html copies Material's `site_meta` block but for the per-language head links:
    when Material changes that block (an upgrade), copy it again (this test shows the change)."""
    upstream = block(MATERIAL_BASE.read_text(encoding="utf-8"), "site_meta")
    assert ALTERNATE_LOOP.search(upstream), "Material no longer writes the alternate head links"
    ours = block((ROOT / "overrides" / "main.html").read_text(encoding="utf-8"), "site_meta")
    assert ours == ALTERNATE_LOOP.sub("", upstream)
    # Material fetches a sitemap below every head link; the language selector's links stay.
    assert "[rel=alternate]" in next(
        MATERIAL_BASE.parent.glob("assets/javascripts/bundle.*.js")
    ).read_text(encoding="utf-8")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_label_of_every_language(language: str):
    assert all(WORDS[language].values())
    assert "{where}" in WORDS[language]["stamp_passed"]


def test_labels_with_a_missing_language_or_a_changed_field_name_the_file(tmp_path: Path):
    path = labels.labels_path(tmp_path)
    path.parent.mkdir()
    text = labels.labels_path(ROOT).read_text(encoding="utf-8")
    path.write_text(text.replace("  ko: 전체 예제\n", ""), encoding="utf-8")
    with pytest.raises(
        labels.LabelError, match=rf"{re.escape(str(path))}:\d+: .*'full_example'.*ko"
    ):
        labels.load(tmp_path)
    path.write_text(text.replace("{where}에서", "{wo}에서"), encoding="utf-8")
    with pytest.raises(labels.LabelError, match="'stamp_failed' in ko has fields"):
        labels.load(tmp_path)


def test_the_built_site_carries_full_examples_stamps_and_no_cdn(built_site):
    page = (built_site.path / "ja" / "quickstart" / "index.html").read_text(encoding="utf-8")
    assert "<summary>完全なサンプル: quickstart_trainer.py</summary>" in page
    assert page.count('<details class="example full-example">') == 2  # one per script
    assert '<link rel="alternate"' not in page and 'hreflang="en"' in page  # the selector stays
    index = (built_site.path / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "完全なサンプル" not in index  # the excerpts are indexed, the whole files are not
    assert "--8&lt;--" not in page and "[start:" not in page
    for html in built_site.path.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "unpkg.com" not in text and "fonts.googleapis.com" not in text, html
    diagram = (built_site.path / "how-it-fits" / "index.html").read_text(encoding="utf-8")
    assert 'src="../assets/vendor/mermaid/mermaid.min.js"' in diagram
