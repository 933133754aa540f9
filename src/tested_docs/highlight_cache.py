"""MkDocs hook: highlight each code block once per build process, not once per language.

Every language shows the same code blocks, and Pygments highlighting them was about a fifth of
the build. pymdownx.highlight's `Highlight.highlight()` (the one method both pymdownx.highlight
and superfences call) is wrapped with a memo keyed by everything its output depends on: the code
and every argument, the extension's settings, and the Pygments and pymdown-extensions versions.
A block edited under `mkdocs serve` has other code, so another key. The page's Markdown instance
(`md`) is left out of the key: highlighting reads it only to stash raw HTML titles, and output
holding a stash placeholder is never cached. Inline code (an element, not text) is not either.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

from markdown.util import STX
from pymdownx.highlight import Highlight

VERSIONS = (version("pygments"), version("pymdown-extensions"))
MAX_ENTRIES = 20_000
"""A bound for long `mkdocs serve` sessions: the site has about 1,500 blocks."""

_memo: dict[str, str] = {}


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple | set):
        return tuple(_freeze(v) for v in value)
    return value


def cache_key(highlighter: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """Everything the output depends on, as one string."""
    settings = {name: value for name, value in vars(highlighter).items() if name != "md"}
    return repr((VERSIONS, _freeze(settings), _freeze(args), _freeze(kwargs)))


def memoized(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def highlight(self: Any, *args: Any, **kwargs: Any) -> Any:
        key = cache_key(self, args, kwargs)
        if key in _memo:
            return _memo[key]
        output = method(self, *args, **kwargs)
        if isinstance(output, str) and STX not in output:
            if len(_memo) >= MAX_ENTRIES:
                _memo.clear()
            _memo[key] = output
        return output

    highlight.__wrapped_by_tested_docs__ = True  # type: ignore[attr-defined]
    return highlight


if not getattr(Highlight.highlight, "__wrapped_by_tested_docs__", False):
    Highlight.highlight = memoized(Highlight.highlight)  # type: ignore[method-assign]
