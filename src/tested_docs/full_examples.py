"""MkDocs hook: a collapsed "Full example" after a script's last excerpt, and its notebook.

After the last excerpt of each Python snippet file on a page (inside its tab), a collapsed box
holds the whole file, so a reader copies a runnable script in one click, and links the same script
as a Jupyter notebook, written next to the page (`tested_docs.notebooks`), with the page's words in
the page's language. pymdownx.snippets drops the section markers when it includes a whole file.
The box is a `pymdownx.blocks.details` block whose `data-search-exclude` attribute keeps it out of
Material's search index: the excerpts are indexed already, and it would double the index and the
build's indexing time. Its words come from `glossary/labels.yml` (`tested_docs.labels`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from tested_docs import labels
from tested_docs.notebooks import is_notebook_material, notebook_json, notebook_name
from tested_docs.pages import page_language, parse_code_blocks

FULL_EXAMPLE_CLASS = "full-example"
RUNNABLE = (".py",)
"""Files a reader runs as they are: their excerpts get a "Full example"."""


def full_example(
    path: str, indent: int, words: Mapping[str, str], notebook: bool = False
) -> list[str]:
    """The block after the last excerpt of `path`: the whole file, and a link to its notebook."""
    pad = " " * indent
    name = notebook_name(path)
    download = f'{pad}<a class="notebook-download" href="{name}" download>'
    download += f"{words['notebook_link']}: {name}</a>"
    return [
        "",
        f"{pad}/// details | {words['full_example']}: {Path(path).name}",
        f"{pad}    type: example",
        f'{pad}    attrs: {{class: {FULL_EXAMPLE_CLASS}, data-search-exclude: "true"}}',
        "",
        *([download, ""] if notebook else []),
        f'{pad}```{_lexer(path)} title="{Path(path).name}"',
        f'{pad}--8<-- "{path}"',
        f"{pad}```",
        f"{pad}///",
        "",
    ]


def _lexer(path: str) -> str:
    return {".py": "python", ".sh": "bash", ".yaml": "yaml", ".yml": "yaml"}.get(
        Path(path).suffix, "text"
    )


def full_example_places(markdown: str) -> dict[str, tuple[int, int]]:
    """The runnable files that get a "Full example" on this page (those shown by section, never
    whole), each with the place it goes: after the closing line of its last excerpt, at its indent.
    """
    last: dict[str, tuple[int, int]] = {}
    whole: set[str] = set()
    for block in parse_code_blocks(markdown, Path()):
        for path, section in block.includes:
            if not path.endswith(RUNNABLE):
                continue
            if section is None:
                whole.add(path)
            else:
                last[path] = (block.closing_line - 1, block.indent)
    return {path: place for path, place in last.items() if path not in whole}


def notebook_files(markdown: str, root: Path) -> list[str]:
    """The full examples that are programs (not test files): each also comes as a notebook."""
    return [p for p in full_example_places(markdown) if is_notebook_material(root / p)]


def add_full_examples(
    markdown: str, words: Mapping[str, str], notebooks: Collection[str] = ()
) -> str:
    """Append a collapsed whole-file include after the last excerpt of each runnable file.

    Once per file and page: the reader has met the pieces, then gets the file to copy. A file the
    page already includes whole gets none. Files in `notebooks` also link their notebook.
    """
    inserts: dict[int, list[str]] = defaultdict(list)
    places = full_example_places(markdown)
    for path, (closing, indent) in sorted(places.items(), key=lambda item: item[1]):
        inserts[closing].extend(full_example(path, indent, words, path in notebooks))
    if not inserts:
        return markdown
    out: list[str] = []
    for n, line in enumerate(markdown.splitlines()):
        out.append(line)
        out.extend(inserts.get(n, []))
    return "\n".join(out) + ("\n" if markdown.endswith("\n") else "")


# --- MkDocs events -------------------------------------------------------------------------------


_notebooks: dict[str, list[tuple[str, str]]] = {}
"""Notebooks made from a page's scripts, written next to the page once it is written."""


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    root = Path(config["config_file_path"]).parent
    words = labels.load(root).of(page_language(page.file.src_uri))
    notebooks = notebook_files(markdown, root)
    _notebooks[page.file.abs_dest_path] = [
        (notebook_name(path), notebook_json(root / path, markdown, path)) for path in notebooks
    ]
    return add_full_examples(markdown, words, notebooks)


def on_post_page(output: str, page: Any, config: Any) -> str:
    for name, text in _notebooks.pop(page.file.abs_dest_path, []) if page else []:
        target = Path(page.file.abs_dest_path).parent / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text + "\n", encoding="utf-8")
    return output
