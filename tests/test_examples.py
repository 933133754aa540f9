"""What readers see: each Python block as shown, expanded by pymdownx.snippets with mkdocs.yml's
settings, fits the 88 columns of a code block. (What a reader copies is linted once, by the
checker: `tested_docs.excerpts`.)
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import markdown

from tested_docs.pages import code_blocks, page_language, pages

ROOT = Path(__file__).resolve().parents[1]


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


def test_every_python_block_fits_a_code_block():
    blocks = shown_python_blocks()
    assert len(blocks) >= 5  # the Quickstart alone shows more
    failures = []
    for page, line, source in blocks:
        # The checker lints the excerpts joined and dedented: width counts as readers see it.
        for offset, text in enumerate(source.splitlines(), start=1):
            if len(text) > 88:
                failures.append(
                    f"{page.relative_to(ROOT)}:{line}: line {offset} of the block is wider than "
                    f"the 88 columns of a code block ({len(text)}): {text.strip()[:60]}..."
                )
    assert not failures, "\n\n".join(failures)
