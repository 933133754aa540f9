"""MkDocs hooks: what every page gets without being edited (registered under `hooks:` in mkdocs.yml).

- **Full example.** After the last excerpt of each Python snippet file on a page (inside its tab), a
  collapsed "Full example" holds the whole file, so a reader copies a runnable script in one click,
  and links the same script as a Jupyter notebook, written next to the page
  (`tested_docs.notebooks`), with the page's words in the page's language.
  pymdownx.snippets drops the section markers when it includes a whole file. The search index skips
  it (the excerpts are indexed already; it would double the index and the build's indexing time).
- **Tested-with stamp.** Under the title of every page that shows Python scripts, the lightning,
  wandb and torch versions and the accelerators its scripts last passed on, read from the JSON file
  the pytest plugin writes (`build/tested-with.json`, see `tested_docs.stamp`). Only when every
  test that ran each script the page shows has an outcome for the files as they are now (same
  SHA-256) does the page carry a stamp; otherwise it carries none. The build never needs the file.
- **Mermaid offline.** Material loads mermaid from a CDN unless `mermaid` already exists; pages that
  hold a diagram get the vendored copy (`docs/assets/vendor/mermaid/`) before Material's bundle.
- **No wasted requests.** mkdocs-static-i18n fills Material's `extra.alternate` with per-page links;
  Material renders them as `<link rel="alternate">` in the head and then fetches `sitemap.xml` below
  each one (meant for language roots), which 404s four times on every page view. The hook drops those
  head links; the language selector itself (plain links to the same page in each language) stays.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Collection
from pathlib import Path
from typing import Any

from tested_docs.notebooks import is_notebook_material, notebook_json, notebook_name
from tested_docs.pages import INCLUDE, outside_fences, page_language, parse_code_blocks
from tested_docs.stamp import VERSIONED, claims, load_stamp, stamp_path

FULL_EXAMPLE = {
    "en": "Full example",
    "ja": "完全なサンプル",
    "zh": "完整示例",
    "ko": "전체 예제",
}
FULL_EXAMPLE_CLASS = "full-example"
RUNNABLE = (".py",)
"""Files a reader runs as they are: their excerpts get a "Full example"."""

MERMAID_JS = "assets/vendor/mermaid/mermaid.min.js"
_BUNDLE = re.compile(r'<script src="(?P<prefix>[^"]*?)assets/javascripts/bundle\.[^"]*"')


# --- full examples -------------------------------------------------------------------------------


NOTEBOOK_LINK = {
    "en": "Download as a Jupyter notebook",
    "ja": "Jupyter ノートブックとしてダウンロード",
    "zh": "下载为 Jupyter 笔记本",
    "ko": "Jupyter 노트북으로 다운로드",
}


def full_example(path: str, indent: int, language: str, notebook: bool = False) -> list[str]:
    pad = " " * indent
    title = f"{FULL_EXAMPLE.get(language, FULL_EXAMPLE['en'])}: {Path(path).name}"
    link = NOTEBOOK_LINK.get(language, NOTEBOOK_LINK["en"])
    name = notebook_name(path)
    download = f'{pad}    <a class="notebook-download" href="{name}" download>{link}: {name}</a>'
    return [
        "",
        f'{pad}??? example {FULL_EXAMPLE_CLASS} "{title}"',
        "",
        *([download, ""] if notebook else []),
        f'{pad}    ```{_lexer(path)} title="{Path(path).name}"',
        f'{pad}    --8<-- "{path}"',
        f"{pad}    ```",
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


def add_full_examples(markdown: str, language: str, notebooks: Collection[str] = ()) -> str:
    """Append a collapsed whole-file include after the last excerpt of each runnable file.

    Once per file and page: the reader has met the pieces, then gets the file to copy. A file the
    page already includes whole gets none. Files in `notebooks` also link their notebook.
    """
    inserts: dict[int, list[str]] = defaultdict(list)
    places = full_example_places(markdown)
    for path, (closing, indent) in sorted(places.items(), key=lambda item: item[1]):
        inserts[closing].extend(full_example(path, indent, language, path in notebooks))
    if not inserts:
        return markdown
    out: list[str] = []
    for n, line in enumerate(markdown.splitlines()):
        out.append(line)
        out.extend(inserts.get(n, []))
    return "\n".join(out) + ("\n" if markdown.endswith("\n") else "")


# --- tested-with stamp ---------------------------------------------------------------------------


def scripts_of(markdown: str) -> list[str]:
    """The runnable snippet files the page shows, in order of first appearance."""
    scripts: list[str] = []
    for line in markdown.splitlines():
        match = INCLUDE.match(line)
        file = match["file"] if match else ""
        if file.startswith("snippets/") and file.endswith(RUNNABLE) and file not in scripts:
            scripts.append(file)
    return scripts


STAMP_TEXT = {
    "en": {
        "passed": "Tested with lightning {lightning}, wandb {wandb} and torch {torch} on {where} ({date}).",
        "and": " and ",
        "failed": "The last test run failed on {where} ({date}): an example on this page may be broken.",
    },
    "ja": {
        "passed": "lightning {lightning}、wandb {wandb}、torch {torch} を使い、{where} でテスト済みです（{date}）。",
        "and": " と ",
        "failed": "前回のテストは {where} で失敗しました（{date}）。このページの例が動かない可能性があります。",
    },
    "zh": {
        "passed": "已在 {where} 上使用 lightning {lightning}、wandb {wandb} 和 torch {torch} 测试通过（{date}）。",
        "and": " 和 ",
        "failed": "上次测试在 {where} 上失败（{date}），本页的示例可能无法运行。",
    },
    "ko": {
        "passed": "테스트 통과: lightning {lightning}, wandb {wandb}, torch {torch}, {where} ({date}).",
        "and": ", ",
        "failed": "마지막 테스트가 {where}에서 실패했습니다({date}). 이 페이지의 예제가 동작하지 않을 수 있습니다.",
    },
}


def _accelerator_name(accelerator: str, result: dict[str, Any]) -> str:
    name = accelerator.upper()
    device = result.get("device")
    return f"{name} ({device})" if accelerator == "gpu" and device else name


def stamp_html(scripts: list[str], claimed: dict[str, dict[str, Any]], language: str) -> str:
    """The stamp under a topic page's title, or "" when some script it shows is not claimed.

    `claimed` comes from `tested_docs.stamp.claims`: a script is there only when every test that
    ran it has an outcome for the script and the test as they are now.
    """
    words = STAMP_TEXT.get(language, STAMP_TEXT["en"])
    records = [claimed.get(script) for script in scripts]
    if not scripts or not all(records):
        return ""
    merged: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        for accelerator, outcome in (record or {}).get("accelerators", {}).items():
            merged[accelerator].append(outcome)
    failed = [a for a, found in merged.items() if any(o["outcome"] == "failed" for o in found)]
    if failed:
        dates = [o["date"] for a in failed for o in merged[a]]
        where = words["and"].join(a.upper() for a in failed)
        return _paragraph("failed", words["failed"].format(where=where, date=max(dates)))
    # An accelerator counts when it ran every script the page shows.
    passed = [a for a, found in sorted(merged.items()) if len(found) == len(scripts)]
    named = {tuple(o[k] for k in VERSIONED) for a in passed for o in merged[a]}
    if not passed or len(named) != 1:  # scripts tested with other versions: no one line is true
        return ""
    first = merged[passed[0]][0]
    text = words["passed"].format(
        lightning=first["lightning"],
        wandb=first["wandb"],
        torch=first["torch"],
        where=words["and"].join(_accelerator_name(a, merged[a][0]) for a in passed),
        date=max(o["date"] for a in passed for o in merged[a]),
    )
    return _paragraph("passed", text)


def _paragraph(kind: str, text: str) -> str:
    return f'<p class="tested-with tested-with--{kind}">{html.escape(text)}</p>'


def add_stamp(markdown: str, html_stamp: str) -> str:
    """Put the stamp right under the page's first `# ` heading (or at the top when it has none)."""
    lines = markdown.splitlines()
    title = next((n for n in outside_fences(lines) if lines[n].startswith("# ")), None)
    if title is None:
        lines[0:0] = [html_stamp, ""]
    else:
        lines[title + 1 : title + 1] = ["", html_stamp, ""]
    return "\n".join(lines) + ("\n" if markdown.endswith("\n") else "")


# --- MkDocs events -------------------------------------------------------------------------------


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    language = page_language(page.file.src_uri)
    scripts = scripts_of(markdown)
    if scripts:
        root = Path(config["config_file_path"]).parent
        claimed = claims(load_stamp(stamp_path(root)), root, scripts)
        stamp = stamp_html(scripts, claimed, language)
        if stamp:
            markdown = add_stamp(markdown, stamp)
    root = Path(config["config_file_path"]).parent
    notebooks = notebook_files(markdown, root)
    _notebooks[page.file.abs_dest_path] = [
        (notebook_name(path), notebook_json(root / path, markdown, path)) for path in notebooks
    ]
    return add_full_examples(markdown, language, notebooks)


_notebooks: dict[str, list[tuple[str, str]]] = {}
"""Notebooks made from a page's scripts, written next to the page once it is written."""


_HEAD_ALTERNATE = re.compile(r'[ \t]*<link rel="alternate" href="[^"]*" hreflang="[^"]*">\n?')


_CJK = "\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_LINE_BREAK = re.compile(rf"(?<=[{_CJK}])\n[ \t]*(?=[{_CJK}])")
_PRE = re.compile(r"(<pre\b.*?</pre>)", re.S)


def join_cjk_lines(html: str) -> str:
    """Drop line breaks between two Chinese or Japanese characters in prose.

    A paragraph wrapped in the Markdown source keeps its line breaks, and browsers show each one
    as a space: a stray gap in the middle of a Japanese or Chinese sentence. Code keeps its lines.
    """
    parts = _PRE.split(html)
    return "".join(p if p.startswith("<pre") else _CJK_LINE_BREAK.sub("", p) for p in parts)


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    """Keep the full examples out of the search index: their excerpts are indexed already."""
    html = html.replace(
        f'<details class="example {FULL_EXAMPLE_CLASS}">',
        f'<details class="example {FULL_EXAMPLE_CLASS}" data-search-exclude="true">',
    )
    return join_cjk_lines(html) if page_language(page.file.src_uri) in ("ja", "zh") else html


def on_post_page(output: str, page: Any, config: Any) -> str:
    for name, text in _notebooks.pop(page.file.abs_dest_path, []) if page else []:
        target = Path(page.file.abs_dest_path).parent / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text + "\n", encoding="utf-8")
    head, end, body = output.partition("</head>")
    output = _HEAD_ALTERNATE.sub("", head) + end + body
    return with_mermaid(output)


def with_mermaid(output: str) -> str:
    """Give pages with a diagram the vendored mermaid, so Material does not fetch it from a CDN."""
    if 'class="mermaid"' not in output:
        return output
    bundle = _BUNDLE.search(output)
    if not bundle:
        return output
    script = f'<script src="{bundle["prefix"]}{MERMAID_JS}"></script>\n    '
    return output[: bundle.start()] + script + output[bundle.start() :]
