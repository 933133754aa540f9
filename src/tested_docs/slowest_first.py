"""pytest plugin: run the slowest tests first, by the durations pytest-split recorded.

With xdist, tests go to whichever worker is free; a minute-long test collected last keeps one
worker busy while the other idles. Started first, the long tests (DDP launches, notebooks, the
reader's own pytest session) overlap with everything else. The same file balances the shards of
`./dev test --shard K/N` (pytest-split). A test the file does not know counts as an average one;
a stale file only changes the order, never which tests run.
"""

from __future__ import annotations

import json
from pathlib import Path
from statistics import mean

import pytest

DURATIONS_FILE = ".test_durations"
"""pytest-split's default name, at the project's root; `./dev durations` writes it."""


def recorded_durations(path: Path) -> dict[str, float]:
    """Test id -> seconds; an unreadable file is named and ignored (the order is only an order)."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise pytest.UsageError(f"{path}: not a durations file ({error})") from error
    if not isinstance(data, dict):
        raise pytest.UsageError(f"{path}: not a durations file (expected an object of seconds)")
    return {str(k): float(v) for k, v in data.items() if isinstance(v, int | float)}


def slowest_first(items: list[pytest.Item], durations: dict[str, float]) -> list[pytest.Item]:
    """A stable sort: equal or unknown durations keep their collection order."""
    if not durations:
        return items
    typical = mean(durations.values())
    return sorted(items, key=lambda item: -durations.get(item.nodeid, typical))


def durations_path(config: pytest.Config) -> Path:
    given = config.getoption("durations_path", default=None)
    return Path(given) if given else config.rootpath / DURATIONS_FILE


@pytest.hookimpl(trylast=True)  # after pytest-split has chosen this shard's tests
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items[:] = slowest_first(items, recorded_durations(durations_path(config)))
