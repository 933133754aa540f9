"""The MkDocs hooks (full examples, tested-with stamp, offline mermaid) and the stamp the tests write."""

from __future__ import annotations

from pathlib import Path

import pytest

from tested_docs import mkdocs_hooks as hooks
from tested_docs.stamp import STAMP_ENV, file_hash, load_stamp, merge

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


def result(outcome: str, **extra) -> dict:
    return {
        "outcome": outcome,
        "passed": int(outcome == "passed"),
        "failed": int(outcome == "failed"),
        "date": "2026-11-24",
        "lightning": "2.6.6",
        "wandb": "0.31.0",
        "torch": "2.13.0",
        "python": "3.11.7",
        "device": None,
        **extra,
    }


@pytest.fixture
def scripts(tmp_path: Path) -> tuple[Path, list[str]]:
    """A project root holding the two scripts a page shows."""
    for name in ("trainer.py", "fabric.py"):
        (tmp_path / "snippets" / "guide").mkdir(parents=True, exist_ok=True)
        (tmp_path / "snippets" / "guide" / name).write_text(f"print({name!r})\n")
    return tmp_path, ["snippets/guide/trainer.py", "snippets/guide/fabric.py"]


def stamp_of(root: Path, names: list[str], **accelerators) -> dict:
    return {
        "format": 2,
        "scripts": {
            name: {"sha256": file_hash(root / name), "accelerators": dict(accelerators)}
            for name in names
        },
    }


def test_stamp_says_what_passed_in_each_language(scripts):
    root, names = scripts
    stamp = stamp_of(root, names, cpu=result("passed"))
    en = hooks.stamp_html(names, stamp, "en", root)
    assert "tested-with--passed" in en
    assert "lightning 2.6.6, wandb 0.31.0 and torch 2.13.0 on CPU (2026-11-24)" in en
    assert "GPU" not in en  # the GPU cases did not run: the stamp says nothing of them
    assert "CPU でテスト済み" in hooks.stamp_html(names, stamp, "ja", root)
    assert "在 CPU 上" in hooks.stamp_html(names, stamp, "zh", root)
    assert "테스트 통과" in hooks.stamp_html(names, stamp, "ko", root)
    both = stamp_of(root, names, cpu=result("passed"), gpu=result("passed", device="NVIDIA H100"))
    assert "on CPU and GPU (NVIDIA H100)" in hooks.stamp_html(names, both, "en", root)


def test_no_stamp_without_a_record_of_every_script_as_it_is_now(scripts):
    root, names = scripts
    assert hooks.stamp_html(names, None, "en", root) == ""
    # A partial run recorded one of the page's two scripts: the page claims nothing.
    assert (
        hooks.stamp_html(names, stamp_of(root, names[:1], cpu=result("passed")), "en", root) == ""
    )
    stamp = stamp_of(root, names, cpu=result("passed"))
    assert hooks.stamp_html(names, stamp, "en", root)
    (root / names[1]).write_text("print('edited since the tests ran')\n")
    assert hooks.stamp_html(names, stamp, "en", root) == ""
    # A GPU case that ran one script but not the other is not claimed.
    mixed = stamp_of(root, names, cpu=result("passed"))
    mixed["scripts"][names[0]]["accelerators"]["gpu"] = result("passed", device="H100")
    assert "GPU" not in hooks.stamp_html(names, mixed, "en", root)


def test_a_failure_is_shown(scripts):
    root, names = scripts
    failed = hooks.stamp_html(names, stamp_of(root, names, cpu=result("failed")), "en", root)
    assert "tested-with--failed" in failed and "failed on CPU" in failed


def test_stamp_goes_under_the_title():
    out = hooks.add_stamp("---\na: b\n---\n\n# Title {#t}\n\nText\n", "<p>S</p>")
    assert out.splitlines()[4:8] == ["# Title {#t}", "", "<p>S</p>", ""]


def test_merge_is_per_script_and_an_edited_script_starts_afresh():
    old = {
        "format": 2,
        "scripts": {
            "a.py": {
                "sha256": "1",
                "accelerators": {"gpu": result("passed"), "cpu": result("passed")},
            },
            "b.py": {"sha256": "2", "accelerators": {"cpu": result("passed")}},
        },
    }
    new = merge(old, {"a.py": {"sha256": "1", "accelerators": {"cpu": result("failed")}}})
    assert new["scripts"]["a.py"]["accelerators"]["gpu"]["outcome"] == "passed"
    assert new["scripts"]["a.py"]["accelerators"]["cpu"]["outcome"] == "failed"
    assert new["scripts"]["b.py"] == old["scripts"]["b.py"]  # not run: left as it was
    edited = merge(new, {"a.py": {"sha256": "3", "accelerators": {"cpu": result("passed")}}})
    assert set(edited["scripts"]["a.py"]["accelerators"]) == {"cpu"}
    assert merge(None, {})["scripts"] == {}


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


SNIPPET_TEST = """
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def test_one(wandb_offline, accelerator):
    wandb_offline.run_script(HERE / "ok.py")


@pytest.mark.parametrize("n", [1, 2])
def test_two(wandb_offline, accelerator, n):
    wandb_offline.run_script(HERE / "other.py")
    assert n < 2


def test_without_accelerator(wandb_offline):
    wandb_offline.run_script(HERE / "unstamped.py")
"""


@pytest.mark.parametrize("workers", [[], ["-p", "xdist", "-n", "2"]], ids=["plain", "xdist"])
def test_a_snippets_session_writes_the_stamp_once(pytester, monkeypatch, workers):
    path = pytester.path / "out" / "tested-with.json"
    monkeypatch.setenv(STAMP_ENV, str(path))
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")  # the GPU cases skip, even on a GPU machine
    pytester.makefile(".toml", pyproject="[tool.pytest.ini_options]\n")
    pytester.makeconftest('pytest_plugins = ["tested_docs.pytest_plugin"]\n')
    pytester.mkpydir("snippets")
    guide = pytester.mkpydir("snippets/guide")
    (guide / "test_guide.py").write_text(SNIPPET_TEST)
    for name in ("ok.py", "other.py", "unstamped.py"):
        (guide / name).write_text("x = 1\n")
    done = pytester.runpytest_subprocess("snippets", *workers, "-p", "no:randomly")
    done.assert_outcomes(passed=3, failed=1, skipped=3)
    stamp = load_stamp(path)
    assert stamp is not None
    scripts = stamp["scripts"]
    assert set(scripts) == {"snippets/guide/ok.py", "snippets/guide/other.py"}
    ok = scripts["snippets/guide/ok.py"]
    assert ok["sha256"] == file_hash(guide / "ok.py")
    assert set(ok["accelerators"]) == {"cpu"}  # the GPU case skipped before running anything
    assert ok["accelerators"]["cpu"]["outcome"] == "passed"
    other = scripts["snippets/guide/other.py"]["accelerators"]["cpu"]
    assert (other["outcome"], other["passed"], other["failed"]) == ("failed", 1, 1)
    assert other["lightning"] and other["wandb"] and other["torch"] and other["date"]
    assert sorted(p.name for p in path.parent.iterdir()) == [".tested-with.json.lock", path.name]


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
