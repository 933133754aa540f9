"""MkDocs hook: load the API reference's packages once per build, not once per language.

mkdocs-static-i18n builds the site four times, and each build gets a new mkdocstrings handler that
makes griffe read all of `lightning` and `wandb` again (about 1,600 modules, 3-4 s each time). This
hook hands every handler the same collections of loaded modules, emptied when a build (or a
`mkdocs serve` rebuild) starts, so edited docstrings still show.
"""

from __future__ import annotations

from typing import Any

from griffe import LinesCollection, ModulesCollection

try:
    from mkdocstrings_handlers.python._internal.handler import PythonHandler
except ImportError:  # another mkdocstrings-python layout: build as usual, just slower
    PythonHandler = None

_shared: dict[str, Any] = {"modules": ModulesCollection(), "lines": LinesCollection()}


def _shared_collection(name: str) -> property:
    """Handlers read the current shared collection; what their __init__ assigns is ignored."""
    return property(lambda handler: _shared[name], lambda handler, value: None)


if PythonHandler is not None:
    PythonHandler._modules_collection = _shared_collection("modules")
    PythonHandler._lines_collection = _shared_collection("lines")


def on_config(config: Any) -> Any:
    """Start empty on each `mkdocs build` or serve rebuild; keep what the first language loaded."""
    i18n = config["plugins"].get("i18n")
    if not getattr(i18n, "building", False):  # True only while i18n builds the other languages
        _shared["modules"], _shared["lines"] = ModulesCollection(), LinesCollection()
    return config
