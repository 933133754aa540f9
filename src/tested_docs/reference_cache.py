"""MkDocs hook: load the API reference's packages once, not once per language or per rebuild.

mkdocs-static-i18n builds the site four times, and each build gets a new mkdocstrings handler that
makes griffe read all of `lightning` and `wandb` again (about 1,600 modules, 3-4 s each time). This
hook hands every handler the same collections of loaded modules. They are emptied when a build
(or a `mkdocs serve` rebuild) starts only if a source file of a loaded package changed since they
were loaded (its size or modification time), so edited docstrings still show and a rebuild after
editing a page does not read 1,600 modules again.
"""

from __future__ import annotations

import inspect
import logging
from pathlib import Path
from typing import Any

from griffe import LinesCollection, ModulesCollection

log = logging.getLogger("mkdocs.hooks.reference_cache")
PRIVATE_LAYOUT = "mkdocstrings_handlers.python._internal.handler.PythonHandler"
"""The private class patched here, and the attributes its __init__ must assign."""
ATTRIBUTES = ("_modules_collection", "_lines_collection")

try:
    from mkdocstrings_handlers.python._internal.handler import PythonHandler
except ImportError:  # another mkdocstrings-python layout: build as usual, slower, and say so
    PythonHandler = None

_shared: dict[str, Any] = {
    "modules": ModulesCollection(),
    "lines": LinesCollection(),
    "sources": (),
}


def sources_of(modules: ModulesCollection) -> tuple[tuple[str, int, int], ...]:
    """Every Python file of the loaded packages, with its size and modification time."""
    found = []
    for package in modules.members.values():
        paths = package.filepath if isinstance(package.filepath, list) else [package.filepath]
        for path in paths:
            folder = Path(path).parent if Path(path).name == "__init__.py" else Path(path)
            files = folder.rglob("*.py") if folder.is_dir() else [folder]
            for file in files:
                stat = file.stat()
                found.append((str(file), stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(found))


def layout_moved(handler: type | None = PythonHandler) -> str | None:
    """Why the patch cannot work with the installed mkdocstrings-python, or None when it can."""
    if handler is None:
        return f"{PRIVATE_LAYOUT} is gone"
    source = inspect.getsource(handler.__init__)
    missing = [name for name in ATTRIBUTES if f"self.{name}" not in source]
    if missing:
        return f"{PRIVATE_LAYOUT}.__init__ no longer sets {', '.join(missing)}"
    return None


def _shared_collection(name: str) -> property:
    """Handlers read the current shared collection; what their __init__ assigns is ignored."""
    return property(lambda handler: _shared[name], lambda handler, value: None)


if PythonHandler is not None and layout_moved() is None:
    PythonHandler._modules_collection = _shared_collection("modules")
    PythonHandler._lines_collection = _shared_collection("lines")


def on_config(config: Any) -> Any:
    """Keep what was loaded, across languages and serve rebuilds, until a source file changes."""
    moved = layout_moved()
    if moved:
        log.warning(
            f"reference_cache: {moved}; each language now loads the API reference again "
            "(a slower build). Update src/tested_docs/reference_cache.py or remove it."
        )
    i18n = config["plugins"].get("i18n")
    if getattr(i18n, "building", False):  # True only while i18n builds the other languages
        return config
    sources = sources_of(_shared["modules"])
    if sources != _shared["sources"]:
        _shared["modules"], _shared["lines"] = ModulesCollection(), LinesCollection()
    return config


def on_post_build(config: Any) -> None:
    """What was loaded, as it was on disk: the next build (a serve rebuild) checks against it."""
    i18n = config["plugins"].get("i18n")
    if not getattr(i18n, "building", False):
        _shared["sources"] = sources_of(_shared["modules"])
