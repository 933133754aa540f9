"""The "tested with" stamp: what the last `pytest snippets` run proved, per topic and accelerator.

The pytest plugin records every snippet test's outcome with its topic (`snippets/<topic>/...`) and
accelerator (`cpu`/`gpu`, from the `accelerator` fixture), and at the end of the session (on the
xdist controller only) merges them into a JSON file, by default `build/tested-with.json` under the
project root (gitignored: a stamp comes from a test run in this checkout, never from a commit):

    {"format": 1, "topics": {"quickstart": {"accelerators": {
        "cpu": {"outcome": "passed", "passed": 6, "failed": 0, "skipped": 0, "date": "2026-11-24",
                "lightning": "2.6.6", "wandb": "0.31.0", "torch": "2.13.0", "python": "3.11.2",
                "device": null},
        "gpu": {"outcome": "skipped", ...}}}}}

The MkDocs hook (`tested_docs.mkdocs_hooks`) reads it; the site builds without it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from collections import defaultdict
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, the write itself stays atomic
    fcntl = None  # type: ignore[assignment]

STAMP_ENV = "TESTED_DOCS_STAMP"
"""Set it to write and read the stamp somewhere else than `build/tested-with.json`."""
FORMAT = 1


def stamp_path(root: Path) -> Path:
    return Path(os.environ.get(STAMP_ENV) or root / "build" / "tested-with.json")


def load_stamp(path: Path) -> dict[str, Any] | None:
    """The recorded stamp, or None when there is none (or it is unreadable, or of another format)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def versions() -> dict[str, str | None]:
    def version(name: str) -> str | None:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    return {
        "lightning": version("lightning"),
        "wandb": version("wandb"),
        "torch": version("torch"),
        "python": platform.python_version(),
    }


def topic_of(nodeid: str) -> str | None:
    """`snippets/quickstart/test_quickstart.py::test_trainer[cpu]` -> `quickstart`."""
    parts = nodeid.split("::", 1)[0].split("/")
    return parts[1] if len(parts) >= 3 and parts[0] == "snippets" else None


def merge(
    old: dict[str, Any] | None, results: dict[str, dict[str, dict[str, Any]]]
) -> dict[str, Any]:
    """This session's results over the old stamp, topic by topic and accelerator by accelerator.

    A `skipped` result (no CUDA here) does not erase a `passed` one recorded with the same versions:
    the GPU run that passed is still the last one that ran.
    """
    stamp = {"format": FORMAT, "topics": dict((old or {}).get("topics") or {})}
    for topic, accelerators in results.items():
        entry = dict(stamp["topics"].get(topic) or {})
        recorded = dict(entry.get("accelerators") or {})
        for accelerator, result in accelerators.items():
            before = recorded.get(accelerator)
            keep = (
                before is not None
                and result["outcome"] == "skipped"
                and before.get("outcome") == "passed"
                and all(before.get(k) == result.get(k) for k in ("lightning", "wandb", "torch"))
            )
            if not keep:
                recorded[accelerator] = result
        entry["accelerators"] = recorded
        stamp["topics"][topic] = entry
    return stamp


class StampRecorder:
    """Registered on the controller only: xdist hands it the workers' reports."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.counts: dict[tuple[str, str], dict[str, int]] = defaultdict(
            lambda: {"passed": 0, "failed": 0, "skipped": 0}
        )
        self.devices: dict[tuple[str, str], str] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        properties = dict(report.user_properties)
        accelerator, topic = properties.get("accelerator"), topic_of(report.nodeid)
        if accelerator is None or topic is None:
            return
        key = (topic, accelerator)
        if properties.get("device"):
            self.devices[key] = properties["device"]
        if report.failed:
            self.counts[key]["failed"] += 1
        elif report.skipped and report.when in ("setup", "call"):
            self.counts[key]["skipped"] += 1
        elif report.passed and report.when == "call":
            self.counts[key]["passed"] += 1

    def results(self) -> dict[str, dict[str, dict[str, Any]]]:
        now = {"date": dt.date.today().isoformat(), **versions()}
        results: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        for (topic, accelerator), counts in sorted(self.counts.items()):
            if counts["failed"]:
                outcome = "failed"
            elif counts["passed"]:
                outcome = "passed"
            else:
                outcome = "skipped"
            results[topic][accelerator] = {
                "outcome": outcome,
                **counts,
                **now,
                "device": self.devices.get((topic, accelerator)),
            }
        return dict(results)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if not self.counts or exitstatus == pytest.ExitCode.INTERRUPTED:
            return
        write_stamp(stamp_path(self.config.rootpath), self.results())


def write_stamp(path: Path, results: dict[str, dict[str, dict[str, Any]]]) -> None:
    """Merge `results` into the stamp at `path`, under a lock: sessions may finish side by side."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "w") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = merge(load_stamp(path), results)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_text(json.dumps(stamp, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        temporary.replace(path)
