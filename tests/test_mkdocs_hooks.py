"""The MkDocs hooks: full examples, where the stamp goes (tests/test_stamp.py: what it says), mermaid."""

from __future__ import annotations

from pathlib import Path

from tested_docs import mkdocs_hooks as hooks

ROOT = Path(__file__).resolve().parents[1]

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
    out = hooks.add_full_examples(PAGE.replace('trainer.py"\n', 'other.py"\n'), "en")
    lines = out.splitlines()
    titles = [(n, line) for n, line in enumerate(lines) if "??? example" in line]
    assert [line for _, line in titles] == [
        '    ??? example full-example "Full example: fabric.py"',
        '??? example full-example "Full example: trainer.py"',
    ]
    fabric, trainer = (n for n, _ in titles)
    assert lines[fabric + 2 : fabric + 5] == [
        '        ```python title="fabric.py"',
        '        --8<-- "snippets/guide/fabric.py"',
        "        ```",
    ]
    assert lines[trainer - 3] == '--8<-- "snippets/guide/trainer.py:fit"' and trainer > fabric
    # shell commands get none
    assert not any("install.sh" in line and "??? " in line for line in lines)


def test_no_full_example_for_a_file_the_page_shows_whole():
    out = hooks.add_full_examples(PAGE, "en")
    assert [line.strip() for line in out.splitlines() if "??? example" in line] == [
        '??? example full-example "Full example: fabric.py"'
    ]


def test_full_example_at_top_level_and_translated():
    page = '# T\n\n```python\n--8<-- "snippets/a/b.py:x"\n```\ntext\n'
    out = hooks.add_full_examples(page, "ja")
    assert '??? example full-example "完全なサンプル: b.py"' in out
    assert out.index("??? example") < out.index("text")
    assert hooks.add_full_examples(page, "zh").count("完整示例") == 1
    assert hooks.add_full_examples(page, "ko").count("전체 예제") == 1
    assert hooks.add_full_examples("# T\n\nno code\n", "en") == "# T\n\nno code\n"


def test_wrapped_cjk_prose_loses_its_stray_spaces_but_code_keeps_its_lines():
    html = "<p>検証精度を\n  確認します。Trainer\nを使う</p><pre><code>コード\nの行</code></pre>"
    assert hooks.join_cjk_lines(html) == (
        "<p>検証精度を確認します。Trainer\nを使う</p><pre><code>コード\nの行</code></pre>"
    )


def test_language_and_scripts_of_a_page():
    assert hooks.page_language("quickstart.ja.md") == "ja"
    assert hooks.page_language("guides/resume.md") == "en"
    assert hooks.scripts_of(PAGE) == ["snippets/guide/trainer.py", "snippets/guide/fabric.py"]
    assert hooks.scripts_of('```bash\n--8<-- "snippets/site_commands.sh:test"\n```') == []


def test_stamp_goes_under_the_title():
    out = hooks.add_stamp("---\na: b\n---\n\n# Title {#t}\n\nText\n", "<p>S</p>")
    assert out.splitlines()[4:8] == ["# Title {#t}", "", "<p>S</p>", ""]


def test_mermaid_comes_from_this_site_and_head_alternates_are_dropped():
    html = (
        '<head><link rel="alternate" href="../ja/x/" hreflang="ja">\n</head><body>'
        '<pre class="mermaid"><code>graph TD; a--&gt;b</code></pre>'
        '<a class="md-select__link" hreflang="ja" href="../ja/x/">ja</a>'
        '<script src="../assets/javascripts/bundle.abc.min.js"></script></body>'
    )
    out = hooks.on_post_page(html, None, None)
    assert '<link rel="alternate"' not in out and 'hreflang="ja" href="../ja/x/"' in out
    assert out.index("../assets/vendor/mermaid/mermaid.min.js") < out.index("bundle.abc")
    plain = html.replace('class="mermaid"', 'class="x"')
    assert "mermaid.min.js" not in hooks.on_post_page(plain, None, None)
    assert (ROOT / "docs" / hooks.MERMAID_JS).is_file()


def test_the_built_site_carries_full_examples_stamps_and_no_cdn(built_site):
    page = (built_site.path / "ja" / "quickstart" / "index.html").read_text(encoding="utf-8")
    assert "<summary>完全なサンプル: quickstart_trainer.py</summary>" in page
    assert page.count('<details class="example full-example">') == 2  # one per script
    index = (built_site.path / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "完全なサンプル" not in index  # the excerpts are indexed, the whole files are not
    assert "--8&lt;--" not in page and "[start:" not in page
    for html in built_site.path.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "unpkg.com" not in text and "fonts.googleapis.com" not in text, html
    diagram = (built_site.path / "how-it-fits" / "index.html").read_text(encoding="utf-8")
    assert 'src="../assets/vendor/mermaid/mermaid.min.js"' in diagram
