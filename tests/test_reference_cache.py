"""The reference cache patches mkdocstrings-python's private handler: prove it works, and that a
moved layout is reported instead of silently costing build time."""

from __future__ import annotations

from pathlib import Path

from griffe import LinesCollection, Module, ModulesCollection
from mkdocstrings_handlers.python._internal.config import PythonConfig
from mkdocstrings_handlers.python._internal.handler import PythonHandler

from tested_docs import reference_cache


def handler() -> PythonHandler:
    return PythonHandler(
        config=PythonConfig.from_data(),
        base_dir=Path(),
        mdx=[],
        mdx_config={},
        theme="material",
        custom_templates=None,
    )


def test_every_handler_shares_the_loaded_modules():
    assert reference_cache.layout_moved() is None
    first, second = handler(), handler()
    assert first._modules_collection is second._modules_collection
    assert first._modules_collection is reference_cache._shared["modules"]
    assert first._lines_collection is reference_cache._shared["lines"]


def test_a_rebuild_keeps_what_was_loaded_until_a_source_file_changes(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    init = package / "__init__.py"
    init.write_text('"""Doc."""\n')
    modules = ModulesCollection()
    modules.set_member("pkg", Module("pkg", filepath=init))
    reference_cache._shared.update(modules=modules, lines=LinesCollection(), sources=())
    config = {"plugins": {"i18n": None}}
    reference_cache.on_post_build(config)  # a build loaded pkg and ended
    reference_cache.on_config(config)  # a serve rebuild starts: nothing changed
    assert reference_cache._shared["modules"] is modules
    assert handler()._modules_collection is modules
    init.write_text('"""An edited docstring."""\n')
    reference_cache.on_config(config)
    assert reference_cache._shared["modules"] is not modules
    assert handler()._modules_collection is reference_cache._shared["modules"]


def test_a_moved_private_layout_is_named(caplog):
    class Renamed:
        def __init__(self) -> None:
            self._modules = None

    assert reference_cache.layout_moved(None) == f"{reference_cache.PRIVATE_LAYOUT} is gone"
    assert "no longer sets _modules_collection, _lines_collection" in (
        reference_cache.layout_moved(Renamed) or ""
    )
    original = reference_cache.layout_moved
    reference_cache.layout_moved = lambda handler=None: "the layout moved"
    try:
        reference_cache.on_config({"plugins": {}})
    finally:
        reference_cache.layout_moved = original
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert warnings and "reference_cache: the layout moved" in warnings[0].getMessage()
    assert warnings[0].name.startswith("mkdocs.")  # counted by `mkdocs build --strict`
