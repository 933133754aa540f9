"""MkDocs hook: what building the languages one after another leaves wrong, set right.

mkdocs-static-i18n builds each language with the same configuration object, which its own
`on_config` (priority -100) changes for that language. What another plugin reads earlier then
lags one language behind, and what each build adds piles up:

- mkdocstrings takes its locale from the theme's language in its `on_config`: the Japanese API
  reference showed English section titles, the Chinese one Japanese titles, the Korean one
  Chinese titles. The theme's language is set to the language being built first.
- mkdocstrings adds its stylesheet to `extra_css` in every build: Korean pages linked it four
  times. Each stylesheet is kept once.
- Files every build writes at the site's root (`404.html`, `objects.inv`) ended as the last
  language left them (a Korean 404 page for every reader): they are the default language's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.plugins import CombinedEvent, event_priority

ROOT_FILES = ("404.html", "objects.inv")
_root_files: dict[str, bytes] = {}


def _i18n(config: Any) -> Any:
    return config.plugins.get("i18n")


@event_priority(100)  # before mkdocstrings reads the theme's language
def _language_first(config: Any) -> Any:
    plugin = _i18n(config)
    if plugin is not None and "language" in config.theme:
        config.theme["language"] = plugin.current_language or plugin.default_language
    return config


@event_priority(-150)  # after every plugin added its stylesheets
def _stylesheets_once(config: Any) -> Any:
    config.extra_css = list(dict.fromkeys(config.extra_css))
    return config


def _outermost(config: Any) -> bool:
    """The default language's own build, not one that mkdocs-static-i18n runs inside it."""
    plugin = _i18n(config)
    return plugin is not None and not plugin.building


@event_priority(-50)  # the default language's root files are written; its i18n loop is next
def _keep_root_files(config: Any) -> None:
    if _outermost(config):
        site = Path(config.site_dir)
        _root_files.clear()
        _root_files.update({n: (site / n).read_bytes() for n in ROOT_FILES if (site / n).is_file()})


@event_priority(-200)  # after mkdocs-static-i18n built the other languages
def _restore_root_files(config: Any) -> None:
    if _outermost(config):
        for name, content in _root_files.items():
            (Path(config.site_dir) / name).write_bytes(content)
        _root_files.clear()


on_config = CombinedEvent(_language_first, _stylesheets_once)
on_post_build = CombinedEvent(_keep_root_files, _restore_root_files)
