"""MkDocs hook: build the translated languages at the same time, one process each.

mkdocs-static-i18n builds the default language, then, inside its `on_post_build`, each other
language in turn by calling `mkdocs.commands.build.build(config)` (its module's `build`). This hook
replaces that `build` with one that forks: each translated language is built by a child process,
started from the finished English build (so the loaded API reference, jieba's dictionary and the
highlighted code blocks come with it), into a folder of its own. Once the last one is started, the
parent waits for all of them and copies their folders into the site in language order, so that a
file every language writes (404.html, objects.inv) ends as the sequential build leaves it.

What the sequential build accumulates across languages is put back together: the sitemap lists
the pages of every language, so its entries are joined from each child's sitemap; each child
hands back its search entries, which mkdocs-static-i18n then merges as it always does. Any child
that fails (a strict-mode warning included, reported in its own log lines) fails the build.

`TESTED_DOCS_SERIAL_BUILD=1` builds one language after another, as mkdocs-static-i18n does;
`tests/test_site_build.py` proves both builds identical, file for file, but for the build time
in the compressed sitemap.
"""

from __future__ import annotations

import gzip
import inspect
import json
import logging
import os
import shutil
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mkdocs_static_i18n.plugin as i18n_plugin
from mkdocs import utils
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.exceptions import Abort

log = logging.getLogger("mkdocs.hooks.parallel_languages")
SERIAL_ENV = "TESTED_DOCS_SERIAL_BUILD"
SITEMAP = "sitemap.xml"
SEARCH_ENTRIES = ".search-entries.json"
"""What a child hands back: the search entries its build added, in its folder (not copied)."""


def layout_moved() -> str | None:
    """Why mkdocs-static-i18n no longer builds through its module's `build`, or None."""
    source = inspect.getsource(inspect.unwrap(i18n_plugin.I18n.on_post_build))
    if getattr(i18n_plugin, "build", None) is None or "build(config" not in source:
        return "mkdocs_static_i18n.plugin.I18n.on_post_build no longer calls its module's build()"
    if "self.search_entries" not in inspect.getsource(i18n_plugin.I18n.__init__):
        return "mkdocs_static_i18n's plugin no longer collects search_entries"
    return None


@dataclass
class Child:
    language: str
    pid: int
    folder: Path
    entries_before: int  # search entries mkdocs-static-i18n held when the child started


@dataclass
class Forks:
    children: list[Child] = field(default_factory=list)


_forks = Forks()


def _i18n(config: Any) -> Any:
    return config.plugins.get("i18n")


def _languages_after_default(plugin: Any) -> list[str]:
    return [lang for lang in plugin.build_languages if lang != plugin.default_language]


def _build_in_child(config: Any, folder: Path, dirty: bool, entries_before: int) -> None:
    """Runs in the forked process: build one language into `folder`, then leave at once."""
    code = 1
    try:
        config.site_dir = str(folder)
        mkdocs_build(config, dirty=dirty)
        added = _i18n(config).search_entries[entries_before:]
        (folder / SEARCH_ENTRIES).write_text(json.dumps(added), encoding="utf-8")
        code = 0
    except Abort as error:
        log.error(f"{_i18n(config).current_language}: {error}")
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        for handler in logging.getLogger().handlers + logging.getLogger("mkdocs").handlers:
            handler.flush()
        os._exit(code)


def forking_build(config: Any, *, dirty: bool = False, **kwargs: Any) -> None:
    """Stands in for `build(config)` in mkdocs-static-i18n's loop over the other languages."""
    plugin = _i18n(config)
    if os.environ.get(SERIAL_ENV) or kwargs or plugin is None:
        mkdocs_build(config, dirty=dirty, **kwargs)
        return
    language = plugin.current_language
    folder = Path(tempfile.mkdtemp(prefix=f"tested-docs-{language}-"))
    entries_before = len(plugin.search_entries)
    pid = os.fork()
    if pid == 0:
        _build_in_child(config, folder, dirty, entries_before)
    _forks.children.append(Child(language, pid, folder, entries_before))
    if language == _languages_after_default(plugin)[-1]:
        children, _forks.children = _forks.children, []
        _join(children, Path(config.site_dir), plugin)


def _join(children: list[Child], site_dir: Path, plugin: Any) -> None:
    failed = []
    for child in children:
        _, status = os.waitpid(child.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            failed.append(child.language)
    try:
        if failed:
            raise Abort(f"Building the {', '.join(failed)} pages failed (see the messages above)")
        own_sitemap = _read(site_dir / SITEMAP)
        sitemaps = [_read(child.folder / SITEMAP) for child in children]
        for child in children:
            entries = child.folder / SEARCH_ENTRIES
            plugin.search_entries.extend(json.loads(entries.read_text(encoding="utf-8")))
            entries.unlink()
            shutil.copytree(child.folder, site_dir, dirs_exist_ok=True)
        if own_sitemap is not None:
            _write_sitemap(site_dir / SITEMAP, joined_sitemap(own_sitemap, sitemaps))
    finally:
        for child in children:
            shutil.rmtree(child.folder, ignore_errors=True)


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def joined_sitemap(own: str, theirs: list[str | None]) -> str:
    """The default language's sitemap with each child's own entries added, in language order.

    Each child's sitemap holds the default language's entries, then its own: what the sequential
    build writes last holds them all, one language after another.
    """
    if "</url>" not in own:
        raise Abort("parallel_languages: the default language's sitemap.xml lists no page")
    head, end = own.rsplit("</url>", 1)
    head += "</url>"
    entries = []
    for sitemap in theirs:
        if sitemap is None:
            continue
        if not sitemap.startswith(head) or not sitemap.endswith(end):
            raise Abort(
                "parallel_languages: a language's sitemap.xml no longer starts with the default "
                "language's entries; build with TESTED_DOCS_SERIAL_BUILD=1 and update "
                "src/tested_docs/parallel_languages.py"
            )
        entries.append(sitemap[len(head) : len(sitemap) - len(end)])
    return head + "".join(entries) + end


def _write_sitemap(path: Path, text: str) -> None:
    """As MkDocs writes it: the file, and the file gzipped with the build time in its header."""
    utils.write_file(text.encode("utf-8"), str(path))
    gz_filename = f"{path}.gz"
    with (
        open(gz_filename, "wb") as f,
        gzip.GzipFile(
            fileobj=f, filename=gz_filename, mode="wb", mtime=utils.get_build_timestamp()
        ) as gz,
    ):
        gz.write(text.encode("utf-8"))


def on_config(config: Any) -> Any:
    moved = layout_moved()
    if moved:  # a warning fails the strict build: the hook must be updated, not silently skipped
        log.warning(f"parallel_languages: {moved}; languages are built one after another")
    elif _i18n(config) is not None:
        i18n_plugin.build = forking_build
    return config
