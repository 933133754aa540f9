"""The site builds strictly in all four languages, and its pages show only included code."""

from pathlib import Path

from tested_docs.checks import inline_code
from tested_docs.pages import LANGUAGES
from tested_docs.site import build_site

ROOT = Path(__file__).resolve().parents[1]


def test_strict_build_has_no_warnings(built_site):
    for language in LANGUAGES:
        prefix = "" if language == "en" else f"{language}/"
        assert (built_site.path / prefix / "quickstart" / "index.html").is_file(), language


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
