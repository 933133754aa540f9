"""The "tested with" stamp: what the last test runs proved, per script, accelerator and content.

The `wandb_offline` fixture notes each script a test runs (`run_script`, `run_process`) in the
test's `user_properties`, with the `accelerator` case. At the end of a session (on the xdist
controller only) the plugin merges the outcomes into a JSON file, by default
`build/tested-with.json` under the project root (gitignored: a stamp comes from a test run in this
checkout, never from a commit). Each script's entry carries the SHA-256 of the file as it ran:

    {"format": 2, "scripts": {"snippets/quickstart/quickstart_trainer.py": {
        "sha256": "9f2c...", "accelerators": {
            "cpu": {"outcome": "passed", "passed": 1, "failed": 0,
                    "date": "2026-11-30", "lightning": "2.6.6", "wandb": "0.31.0",
                    "torch": "2.13.0", "python": "3.11.7", "device": null}}}}}

The MkDocs hook (`tested_docs.mkdocs_hooks`) shows a stamp on a page only when every script the
page shows has an entry whose hash matches the file now: an edited script, or one no test run
has covered, leaves the page without a stamp. A partial run (`-k`, one folder) updates the
scripts it ran and leaves the others' entries as they were.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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
FORMAT = 2
SCRIPT_PROPERTY = "script"
"""The `user_properties` key under which a test notes each script it ran."""


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


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def merge(old: dict[str, Any] | None, results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """This session's results over the old stamp, script by script and accelerator by accelerator.

    A script whose hash changed starts afresh; an accelerator this session did not run keeps its
    entry (a GPU run recorded on a CUDA machine still stands after a CPU-only run).
    """
    stamp = {"format": FORMAT, "scripts": dict((old or {}).get("scripts") or {})}
    for script, result in results.items():
        before = stamp["scripts"].get(script) or {}
        recorded = (
            dict(before.get("accelerators") or {})
            if before.get("sha256") == result["sha256"]
            else {}
        )
        recorded.update(result["accelerators"])
        stamp["scripts"][script] = {"sha256": result["sha256"], "accelerators": recorded}
    return stamp


class StampRecorder:
    """Registered on the controller only: xdist hands it the workers' reports."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.counts: dict[tuple[str, str], dict[str, int]] = defaultdict(
            lambda: {"passed": 0, "failed": 0}
        )
        self.hashes: dict[str, str] = {}
        self.devices: dict[tuple[str, str], str] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        accelerator = dict(report.user_properties).get("accelerator")
        scripts = {v for k, v in report.user_properties if k == SCRIPT_PROPERTY}
        if accelerator is None:
            return
        device = dict(report.user_properties).get("device")
        for script, sha256 in scripts:
            key = (script, accelerator)
            self.hashes[script] = sha256
            if device:
                self.devices[key] = device
            if report.failed:
                self.counts[key]["failed"] += 1
            elif report.passed and report.when == "call":
                self.counts[key]["passed"] += 1
        # A case skipped before it ran a script (no CUDA) notes none: it claims nothing.

    def results(self) -> dict[str, dict[str, Any]]:
        now = {"date": dt.date.today().isoformat(), **versions()}
        results: dict[str, dict[str, Any]] = {}
        for (script, accelerator), counts in sorted(self.counts.items()):
            outcome = "failed" if counts["failed"] else "passed"
            entry = results.setdefault(script, {"sha256": self.hashes[script], "accelerators": {}})
            entry["accelerators"][accelerator] = {
                "outcome": outcome,
                **counts,
                **now,
                "device": self.devices.get((script, accelerator)),
            }
        return results

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if not self.counts or exitstatus == pytest.ExitCode.INTERRUPTED:
            return
        write_stamp(stamp_path(self.config.rootpath), self.results())


def write_stamp(path: Path, results: dict[str, dict[str, Any]]) -> None:
    """Merge `results` into the stamp at `path`, under a lock: sessions may finish side by side."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "w") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = merge(load_stamp(path), results)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_text(json.dumps(stamp, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        temporary.replace(path)
