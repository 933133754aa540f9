"""The "tested with" stamp: what test runs proved, test by test, for the files as they are now.

The `wandb_offline` fixture notes each script a test runs (`run_script`, `run_process`,
`run_notebook`) in the test's `user_properties`, with the `accelerator` case. At the end of a
session (on the xdist controller, or the one process of a plain run) the plugin writes a
*record* of that session into a JSON file, by default `build/tested-with.json` under the project
root (gitignored: a stamp comes from a test run in this checkout, never from a commit):

    {"format": 3,
     "collected": ["snippets/q/test_q.py::test_fit[cpu]", ...],   # selected or not
     "modules": ["snippets/q/test_q.py", ...],                    # collected whole
     "tests": {"snippets/q/test_q.py::test_fit[cpu]": {
         "outcome": "passed", "accelerator": "cpu", "device": null,
         "module_sha256": "...", "scripts": {"snippets/q/q_trainer.py": "9f2c..."},
         "date": "2026-11-30", "lightning": "2.6.6", "wandb": "0.31.0",
         "torch": "2.13.0", "python": "3.11.7"}}}

A record keeps each test's own outcome, never a per-script verdict, so that nothing a narrowed
run (`-k`, one folder, one shard) did not run can be overwritten by it:

- `update(old, new)`: a later session on this machine. The tests it ran replace their entries;
  every other entry stays, failures included.
- `combine(records)`: parts of one run (shards, machines): the union, and where two parts ran the
  same test, a failure wins. `merge_records(paths)` reads the files and combines them;
  `python -m tested_docs stamp merge A.json B.json -o OUT.json` is the same from a shell.
- `claims(record, root)`: what a page may say, per script and accelerator, for the files as they
  are now. A script is claimed only when every test that ran it passed with the script and the
  test module as they are now, and no collected test of its folder is without an outcome (a test
  that never ran may exercise any script of its folder: tests here run the scripts beside them).
  A failure of any test that ran it marks it failed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, the write itself stays atomic
    fcntl = None  # type: ignore[assignment]

STAMP_ENV = "TESTED_DOCS_STAMP"
"""Set it to write and read the stamp somewhere else than `build/tested-with.json`."""
FORMAT = 3
SCRIPT_PROPERTY = "script"
"""The `user_properties` key under which a test notes each script it ran."""
VERSIONED = ("lightning", "wandb", "torch")
"""A claim names these versions: the tests behind it must agree on them."""
_WORKER_OUTPUT = "tested_docs_collection"

Record = dict[str, Any]


class StampError(ValueError):
    """A record file that cannot be merged, named in the message."""


def stamp_path(root: Path) -> Path:
    return Path(os.environ.get(STAMP_ENV) or root / "build" / "tested-with.json")


def empty_record() -> Record:
    return {"format": FORMAT, "collected": [], "modules": [], "tests": {}}


def load_stamp(path: Path) -> Record | None:
    """The record at `path`, or None when there is none (or it is unreadable, or of another format)."""
    try:
        return read_record(path)
    except StampError:
        return None


def read_record(path: Path) -> Record:
    """The record at `path`; a missing, unreadable or foreign file raises `StampError` naming it."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise StampError(f"{path}: cannot read the test record: {error}") from error
    except ValueError as error:
        raise StampError(f"{path}: not JSON: {error}") from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise StampError(f"{path}: not a test record of format {FORMAT} (found {found!r})")
    if not all(isinstance(data.get(k), t) for k, t in (("collected", list), ("modules", list))):
        raise StampError(f"{path}: a test record needs the lists 'collected' and 'modules'")
    if not isinstance(data.get("tests"), dict):
        raise StampError(f"{path}: a test record needs the mapping 'tests'")
    return data


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


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


# --- merging records -----------------------------------------------------------------------------


def update(old: Record | None, new: Record) -> Record:
    """A later session's record over an older one: what it ran replaces, the rest stays.

    A test module the new session collected whole drops the old entries of tests it no longer has
    (renamed or deleted tests claim nothing, and block nothing).
    """
    if old is None:
        return _normalized(new)
    whole, collected = set(new["modules"]), set(new["collected"])
    kept = [n for n in old["collected"] if module_of(n) not in whole]
    tests = {n: t for n, t in old["tests"].items() if module_of(n) not in whole or n in collected}
    tests.update(new["tests"])
    return _normalized(
        {
            "format": FORMAT,
            "collected": [*kept, *new["collected"]],
            "modules": [*old["modules"], *new["modules"]],
            "tests": tests,
        }
    )


def combine(records: Iterable[Record]) -> Record:
    """Parts of one run (shards, or machines) as one record: a failure in any part wins."""
    merged = empty_record()
    for record in records:
        merged["collected"] += record["collected"]
        merged["modules"] += record["modules"]
        for nodeid, test in record["tests"].items():
            before = merged["tests"].get(nodeid)
            if before is None or _rank(test) > _rank(before):
                merged["tests"][nodeid] = test
    return _normalized(merged)


def merge_records(paths: Sequence[Path]) -> Record:
    """The records of several shards, read from `paths` and combined; bad files raise StampError."""
    if not paths:
        raise StampError("no test records to merge")
    return combine(read_record(Path(path)) for path in paths)


def write_record(path: Path, record: Record) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(path)


def write_stamp(path: Path, record: Record) -> None:
    """Update the record at `path` with this session's, under a lock: sessions may end together."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "w") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        write_record(path, update(load_stamp(path), record))


def _rank(test: dict[str, Any]) -> int:
    return {"failed": 2, "skipped": 1}.get(test.get("outcome", ""), 0)


def _normalized(record: Record) -> Record:
    return {
        "format": FORMAT,
        "collected": sorted(set(record["collected"])),
        "modules": sorted(set(record["modules"])),
        "tests": dict(sorted(record["tests"].items())),
    }


# --- what a page may claim -----------------------------------------------------------------------


def claims(
    record: Record | None, root: Path, scripts: Iterable[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Per script: its hash and, per accelerator, the outcome a page may show for it now.

    A script is left out when a test that ran it was recorded against another version of the
    script or of the test module, was skipped after running it, or disagrees on the versions; or
    when a collected test of its folder has no outcome. An accelerator is claimed passed when
    every test of that case that ran the script passed; any failure, of any case, shows.
    `scripts` limits the answer to those scripts.
    """
    if record is None:
        return {}
    wanted = None if scripts is None else set(scripts)
    hashes: dict[str, str | None] = {}

    def current(relative: str) -> str | None:
        if relative not in hashes:
            path = root / relative
            hashes[relative] = file_hash(path) if path.is_file() else None
        return hashes[relative]

    tests = {n: t for n, t in record["tests"].items() if current(module_of(n)) is not None}
    unrun = {PurePosixPath(module_of(n)).parent for n in record["collected"] if n not in tests}
    by_script: dict[str, list[dict[str, Any]]] = {}
    for nodeid, test in tests.items():
        for script in test.get("scripts", {}):
            by_script.setdefault(script, []).append({"nodeid": nodeid, **test})
    claimed: dict[str, dict[str, Any]] = {}
    for script, ran in sorted(by_script.items()):
        if wanted is not None and script not in wanted:
            continue
        sha256 = current(script)
        if sha256 is None or any(folder in PurePosixPath(script).parents for folder in unrun):
            continue
        if any(
            t["scripts"][script] != sha256
            or t.get("module_sha256") != current(module_of(t["nodeid"]))
            or t["outcome"] not in ("passed", "failed")
            for t in ran
        ):
            continue
        accelerators = _by_accelerator(ran)
        if accelerators:
            claimed[script] = {"sha256": sha256, "accelerators": accelerators}
    return claimed


def _by_accelerator(ran: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """One entry per accelerator case; a failure of a test without a case marks every case."""
    anywhere_failed = any(t["outcome"] == "failed" and not t.get("accelerator") for t in ran)
    out: dict[str, dict[str, Any]] = {}
    for accelerator in sorted({t["accelerator"] for t in ran if t.get("accelerator")}):
        cases = [t for t in ran if t.get("accelerator") == accelerator]
        if len({tuple(t.get(k) for k in VERSIONED) for t in cases}) > 1:
            continue  # parts run with other versions: no one version line is true
        failed = sum(t["outcome"] == "failed" for t in cases)
        out[accelerator] = {
            "outcome": "failed" if failed or anywhere_failed else "passed",
            "passed": len(cases) - failed,
            "failed": failed,
            "date": max(t["date"] for t in cases),
            **{k: cases[0].get(k) for k in (*VERSIONED, "python")},
            "device": next((t["device"] for t in cases if t.get("device")), None),
        }
    return out


# --- recording a session -------------------------------------------------------------------------


class StampRecorder:
    """Registered in every process of a session; each does its part.

    The process that collects (a plain run, or each xdist worker) notes what it collected,
    selected or not; the one that sees every report (a plain run, or the xdist controller) notes
    each test's outcome and writes the record.
    """

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.root = config.rootpath
        self.collected: set[str] = set()
        self.modules: set[str] = set()
        self.failed_modules: set[str] = set()
        self.tests: dict[str, dict[str, Any]] = {}
        self.workers_collected = False

    # -- collection (plain run, or xdist worker) --

    def pytest_deselected(self, items: Sequence[pytest.Item]) -> None:
        self.collected.update(item.nodeid for item in items)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:  # a module that cannot be collected ran none of its tests
            self.failed_modules.add(module_of(report.nodeid))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.collected.update(item.nodeid for item in session.items)
        narrowed = {module_of(self._nodeid(arg)) for arg in self.config.args if "::" in arg}
        self.modules = {module_of(n) for n in self.collected} - narrowed
        # A module that failed to collect: its folder's scripts claim nothing.
        self.collected.update(f"{m}::<collection failed>" for m in self.failed_modules)
        self.modules |= self.failed_modules
        workeroutput = getattr(self.config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput[_WORKER_OUTPUT] = {
                "collected": sorted(self.collected),
                "modules": sorted(self.modules),
            }

    def _nodeid(self, arg: str) -> str:
        path, _, rest = arg.partition("::")
        absolute = Path(self.config.invocation_params.dir, path).resolve()
        relative = absolute.relative_to(self.root) if absolute.is_relative_to(self.root) else path
        return f"{PurePosixPath(relative)}::{rest}"

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """xdist controller: each worker sends what it collected when it stops."""
        collection = getattr(node, "workeroutput", {}).get(_WORKER_OUTPUT)
        if collection:
            self.workers_collected = True
            self.collected.update(collection["collected"])
            self.modules.update(collection["modules"])

    # -- outcomes (plain run, or xdist controller) --

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if hasattr(self.config, "workerinput"):
            return
        properties = dict(report.user_properties)
        test = self.tests.setdefault(report.nodeid, {"outcome": "skipped", "scripts": {}})
        test["accelerator"] = properties.get("accelerator")
        test["device"] = properties.get("device")
        test["scripts"].update(v for k, v in report.user_properties if k == SCRIPT_PROPERTY)
        if report.failed:
            test["outcome"] = "failed"
        elif report.when == "call" and report.passed and test["outcome"] != "failed":
            test["outcome"] = "passed"

    def record(self) -> Record:
        now = {"date": dt.date.today().isoformat(), **versions()}
        tests: dict[str, dict[str, Any]] = {}
        for nodeid, test in self.tests.items():
            module = self.root / module_of(nodeid)
            module_sha256 = file_hash(module) if module.is_file() else None
            tests[nodeid] = {**test, "module_sha256": module_sha256, **now}
        return _normalized(
            {
                "format": FORMAT,
                "collected": [*self.collected, *tests],
                "modules": list(self.modules),
                "tests": tests,
            }
        )

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if hasattr(self.config, "workerinput"):
            return
        if not any(t["scripts"] or t["accelerator"] for t in self.tests.values()):
            return  # a session of no snippet test (pytest tests) says nothing of any script
        if exitstatus == pytest.ExitCode.INTERRUPTED:
            return
        write_stamp(stamp_path(self.root), self.record())
