"""What readers see and copy: the Python a page shows is clean under ruff, undefined names included.

pytest-examples reads raw Markdown, where a block is only `--8<--` lines. So each page's excerpts of
a script are joined the way a reader copies them (the sections the page shows, in the file's order:
`tested_docs.excerpts.joined_excerpts`, the same join the checker uses for undefined names), then
linted by pytest-examples. Each block as shown, expanded by pymdownx.snippets with mkdocs.yml's
settings, must also fit the 88 columns of a code block.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import markdown
from pytest_examples import CodeExample, EvalExample

from tested_docs.pages import code_blocks, page_language, pages
from tested_docs.excerpts import joined_excerpts, shown_sections

ROOT = Path(__file__).resolve().parents[1]
EXCERPT_RULES = ["E", "W", "F", "B", "UP", "SIM"]
# A page may show an import section whole and only some of the code that uses it.
EXCERPT_IGNORES = ["F401", "I001", "RUF100"]


def english_pages() -> list[Path]:
    # Translations show the very same includes (the checker sees to that).
    return [page for page in pages(ROOT / "docs") if page_language(page) == "en"]


def shown_python_blocks() -> list[tuple[Path, int, str]]:
    expander = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={
            "pymdownx.snippets": {
                "base_path": [str(ROOT)],
                "check_paths": True,
                "dedent_subsections": True,
            }
        },
    ).preprocessors["snippet"]
    shown = []
    for page in english_pages():
        for block in code_blocks(page):
            if block.lang == "python":
                body = textwrap.dedent("\n".join(block.body)).splitlines()
                shown.append((page, block.line, "\n".join(expander.run(body)) + "\n"))
    return shown


def test_what_a_reader_copies_from_each_page_is_lint_clean(eval_example: EvalExample):
    eval_example.set_config(
        line_length=88,
        target_version="py311",
        ruff_select=EXCERPT_RULES,
        ruff_ignore=EXCERPT_IGNORES,
    )
    failures, linted = [], 0
    for page in english_pages():
        for file, includes in shown_sections(page).items():
            source, _ = joined_excerpts(ROOT / file, [section for _, section in includes])
            example = CodeExample.create(
                source, path=page.relative_to(ROOT), start_line=includes[0][0]
            )
            linted += 1
            try:
                eval_example.lint_ruff(example)
            except BaseException as failed:  # pytest-examples fails through pytest.fail
                failures.append(f"{page.relative_to(ROOT)} shows {file}:\n{failed}")
    assert linted >= 10  # every topic page shows at least one script
    assert not failures, "\n\n".join(failures)


def test_every_python_block_fits_a_code_block():
    blocks = shown_python_blocks()
    assert len(blocks) >= 5  # the Quickstart alone shows more
    failures = []
    for page, line, source in blocks:
        # pytest-examples leaves length to the formatter: check it here, as readers see it.
        for offset, text in enumerate(source.splitlines(), start=1):
            if len(text) > 88:
                failures.append(
                    f"{page.relative_to(ROOT)}:{line}: line {offset} of the block is wider than "
                    f"the 88 columns of a code block ({len(text)}): {text.strip()[:60]}..."
                )
    assert not failures, "\n\n".join(failures)
