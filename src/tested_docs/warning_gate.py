"""Warnings are errors in every process of a test, with the same exact-message exceptions.

The rules live in one place, pytest's `filterwarnings` (pyproject.toml), plus any `-W` option
and the test's own `@pytest.mark.filterwarnings`. The plugin hands the test's rules to its child
processes (DDP ranks, a script run as `python file.py`, notebook kernels) in the environment
variable `TESTED_DOCS_FILTERWARNINGS`; `child_guard/sitecustomize.py` installs them at start-up,
so a warning in a child raises there as it would in the test.

A rule is pytest's `action:message:category:module:lineno`, with `message` and `module` as
regular expressions, as pytest reads `filterwarnings`. The category is matched by its dotted
name, without importing its module: a child that never imports lightning does not pay for it.
"""

from __future__ import annotations

import builtins
import json
import os
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # not imported at run time: every child process loads this module
    import pytest

ENV = "TESTED_DOCS_FILTERWARNINGS"
"""A JSON list of rules, lowest priority first, for the child processes of a test."""


def rules_of(item: pytest.Item) -> list[str]:
    """The rules pytest applies to `item`, lowest priority first (as pytest applies them)."""
    config = item.config
    rules = [*config.getini("filterwarnings"), *(config.known_args_namespace.pythonwarnings or [])]
    for mark in reversed(list(item.iter_markers("filterwarnings"))):
        rules.extend(mark.args)
    return rules


class _ByName(type):
    """The metaclass of a category known by name: `issubclass` compares dotted names."""

    dotted: str

    def __subclasscheck__(cls, subclass: type) -> bool:
        return any(
            f"{base.__module__}.{base.__qualname__}" == cls.dotted
            for base in getattr(subclass, "__mro__", ())
        )


def category(name: str) -> type[Warning]:
    """The warning class `name` ("FutureWarning", "lightning.x.PossibleUserWarning")."""
    if not name:
        return Warning
    if "." not in name:
        found = getattr(builtins, name, None)
        if isinstance(found, type) and issubclass(found, Warning):
            return found
        raise ValueError(f"{name!r} is not a built-in warning category")
    return _ByName(name, (Warning,), {"dotted": name})


def install(rules: Iterable[str]) -> None:
    """Apply `rules` in order, each over the ones before, as pytest does."""
    for rule in rules:
        parts = rule.split(":")
        if len(parts) > 5:
            raise ValueError(f"too many fields in the warning filter {rule!r}")
        action, message, name, module, lineno = (p.strip() for p in (*parts, "", "", "", "")[:5])
        warnings.filterwarnings(
            action,  # type: ignore[arg-type]
            message=message,
            category=category(name),
            module=module,
            lineno=int(lineno) if lineno else 0,
        )


def install_from_env() -> None:
    """In a child process: the rules its test handed down, if any."""
    rules = os.environ.get(ENV)
    if rules:
        install(json.loads(rules))
