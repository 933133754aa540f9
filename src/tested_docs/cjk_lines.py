"""MkDocs hook: no stray spaces where a Japanese or Chinese paragraph was wrapped in its source.

A paragraph wrapped in the Markdown source keeps its line breaks, and browsers show each one as a
space: a gap in the middle of a Japanese or Chinese sentence. No Markdown extension joins them
(Korean separates words with spaces and keeps its breaks). Code keeps its lines.
"""

from __future__ import annotations

import re
from typing import Any

from tested_docs.pages import page_language

JOINED = ("ja", "zh")
_CJK = "\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_LINE_BREAK = re.compile(rf"(?<=[{_CJK}])\n[ \t]*(?=[{_CJK}])")
_PRE = re.compile(r"(<pre\b.*?</pre>)", re.S)


def join_cjk_lines(html: str) -> str:
    """Drop line breaks between two Chinese or Japanese characters in prose, not in `<pre>`."""
    parts = _PRE.split(html)
    return "".join(p if p.startswith("<pre") else _CJK_LINE_BREAK.sub("", p) for p in parts)


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    return join_cjk_lines(html) if page_language(page.file.src_uri) in JOINED else html
