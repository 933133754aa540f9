"""What readers see: every Python block, expanded from its includes, is clean under ruff.

pytest-examples reads raw Markdown, where a block is only `--8<--` lines. So the blocks are first
expanded by pymdownx.snippets itself (the build's own mechanism, with mkdocs.yml's settings), then
linted by pytest-examples as readers see them: excerpts, not whole files, so names defined in
another excerpt of the same script are allowed; lines must fit the 88 columns of a code block.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import markdown
from pytest_examples import CodeExample, EvalExample

from tested_docs.pages import code_blocks, page_language, pages

ROOT = Path(__file__).resolve().parents[1]
EXCERPT_RULES = ["E", "W", "F", "B", "UP", "SIM"]
# Names, imports and assignments shared between the excerpts of one script, and import blocks
# that a page joins with the next section.
EXCERPT_IGNORES = ["F821", "F401", "F811", "F841", "E402", "I001", "RUF100"]


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
    for page in pages(ROOT / "docs"):
        if page_language(page) != "en":
            continue  # translations show the very same includes (the checker sees to that)
        for block in code_blocks(page):
            if block.lang == "python":
                body = textwrap.dedent("\n".join(block.body)).splitlines()
                shown.append((page, block.line, "\n".join(expander.run(body)) + "\n"))
    return shown


def test_python_blocks_are_lint_clean_as_readers_see_them(eval_example: EvalExample):
    eval_example.set_config(
        line_length=88,
        target_version="py311",
        ruff_select=EXCERPT_RULES,
        ruff_ignore=EXCERPT_IGNORES,
    )
    blocks = shown_python_blocks()
    assert len(blocks) >= 5  # the Quickstart alone shows more
    failures = []
    for page, line, source in blocks:
        example = CodeExample.create(source, path=page.relative_to(ROOT), start_line=line)
        try:
            eval_example.lint_ruff(example)
        except BaseException as failed:  # pytest-examples fails through pytest.fail
            failures.append(f"{page.relative_to(ROOT)}:{line}:\n{failed}")
        # pytest-examples always ignores E501 (it leaves length to the formatter): check it here.
        for offset, text in enumerate(source.splitlines(), start=1):
            if len(text) > 88:
                failures.append(
                    f"{page.relative_to(ROOT)}:{line}: line {offset} of the block is wider than "
                    f"the 88 columns of a code block ({len(text)}): {text.strip()[:60]}..."
                )
    assert not failures, "\n\n".join(failures)
