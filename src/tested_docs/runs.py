"""Read back what an offline W&B run recorded, through W&B's own reader.

`wandb leet inspect --json` prints every record of a run's `.wandb` log as one JSON object a line.
This module only folds those records into plain Python values; it never parses W&B's binary format
itself, so it stays correct when that format changes.

The command is a thin Python wrapper (`wandb/cli/leet.py`) around the `wandb-core` binary that
wandb ships: starting Python and importing wandb costs about a second a read, the binary answers
in a few milliseconds. So the reader runs the binary with the arguments the wrapper gives it,
found through `wandb.util.get_core_path()`, the function wandb's own CLI uses (wandb documents no
other way to find it). `tests/test_runs.py` compares both on the same run, so a wandb release
that changes either side is caught. A run's records are read once per file version (path, size,
modification time), however often a test asks.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def wandb_digest(path: str | Path) -> str:
    """A file's digest as W&B records it in an artifact manifest: base64 of its MD5."""
    return base64.b64encode(hashlib.md5(Path(path).read_bytes()).digest()).decode()


class RunReadError(RuntimeError):
    """A path holds no finished offline run, or W&B's reader failed on it."""


@dataclass(frozen=True)
class ArtifactFile:
    """One entry of an artifact's manifest."""

    path: str
    digest: str  # base64 MD5, as W&B records it
    size: int
    local_path: Path | None


@dataclass(frozen=True)
class Artifact:
    """One logged artifact version, in the order the run logged it."""

    name: str
    type: str
    version: int  # 0 for the first version of this name logged by the run, 1 for the next, ...
    aliases: tuple[str, ...]
    files: tuple[ArtifactFile, ...]
    metadata: dict[str, Any]
    digest: str

    def file(self, path: str) -> ArtifactFile:
        for entry in self.files:
            if entry.path == path:
                return entry
        raise KeyError(f"artifact {self.name}:v{self.version} has no file {path!r}")


@dataclass(frozen=True)
class MetricDefinition:
    """A `define_metric` record; `name` is the glob for `define_metric("*", ...)`."""

    name: str
    step_metric: str | None
    summary: tuple[str, ...]
    hidden: bool


@dataclass
class RecordedRun:
    """Everything one finished offline run recorded."""

    path: Path
    run_id: str
    project: str
    start_time: str
    display_name: str | None
    group: str | None
    job_type: str | None
    tags: tuple[str, ...]
    config: dict[str, Any]
    history: list[dict[str, Any]]
    summary: dict[str, Any]
    metrics: dict[str, MetricDefinition]
    artifacts: list[Artifact]
    files: list[str]
    exit_code: int | None
    records: list[dict[str, Any]] = field(repr=False)

    @property
    def files_dir(self) -> Path:
        """Where the run keeps logged files (media, tables) on disk."""
        return self.path / "files"

    def image(self, name: str) -> Any:
        """The pixels of a logged image file (a path relative to `files_dir`), as a numpy array."""
        import numpy as np
        from PIL import Image

        with Image.open(self.files_dir / name) as image:
            return np.asarray(image)

    def column(self, key: str) -> list[Any]:
        """The values of `key`, from the history rows that hold it, in logging order."""
        return [row[key] for row in self.history if key in row]

    def rows_with(self, key: str) -> list[dict[str, Any]]:
        return [row for row in self.history if key in row]

    def steps(self, key: str) -> list[Any]:
        """The `trainer/global_step` of each history row that holds `key`: when it was logged
        (the x-axis Lightning's `WandbLogger` defines)."""
        return [row["trainer/global_step"] for row in self.rows_with(key)]

    def artifact_versions(self, name: str) -> list[Artifact]:
        return [a for a in self.artifacts if a.name == name]

    def alias_holder(self, name: str, alias: str) -> Artifact:
        """The version `alias` resolves to once synced: the last one logged with that alias."""
        holders = [a for a in self.artifact_versions(name) if alias in a.aliases]
        if not holders:
            logged = sorted({a.name for a in self.artifacts})
            raise KeyError(
                f"no version of artifact {name!r} has alias {alias!r} (logged: {logged})"
            )
        return holders[-1]


EXIT_WAIT = 10.0
"""Seconds to wait for a run's exit record: `wandb.finish()` can return before wandb-core has
written the end of the log (seen about once in a dozen runs on a loaded machine)."""


def read_run(path: str | Path, *, wait: float = EXIT_WAIT) -> RecordedRun:
    """Read a finished offline run from its run directory or its `.wandb` file."""
    path = Path(path)
    run_dir = path.parent if path.suffix == ".wandb" else path
    if not path.exists():
        raise RunReadError(f"{path}: no such file or directory")
    if path.is_dir() and not list(path.glob("*.wandb")):
        raise RunReadError(f"{path}: holds no .wandb file, so it is not a W&B run directory")
    deadline = time.monotonic() + wait
    records = _inspect(path)
    while not any(record.get("type") == "exit" for record in records):
        if time.monotonic() >= deadline:
            raise RunReadError(
                f"{path}: the run has not finished (no exit record after {wait:g} s); "
                "call wandb.finish()"
            )
        time.sleep(0.05)
        records = _inspect(path)
    return _fold(run_dir, records)


def read_runs(wandb_dir: str | Path) -> list[RecordedRun]:
    """Every finished run under a `WANDB_DIR` (or its `wandb/` folder), in the order they started."""
    root = Path(wandb_dir)
    root = root / "wandb" if (root / "wandb").is_dir() else root
    runs = [read_run(p.parent) for p in sorted(root.glob("*run-*/*.wandb"))]
    return sorted(runs, key=lambda run: run.start_time)


def inspect_command(wandb_file: Path) -> list[str]:
    """What `wandb leet inspect --json RUN` runs for an offline run: wandb-core, with no telemetry."""
    from wandb.util import get_core_path

    return [
        get_core_path(),
        *("leet", "inspect", "--no-observability", "--json"),
        *("--run-file", str(wandb_file), str(wandb_file.parent.parent)),
    ]


def _wandb_file(path: Path) -> Path:
    if path.suffix == ".wandb":
        return path.resolve()
    found = sorted(path.glob("run-*.wandb"))
    if len(found) != 1:
        raise RunReadError(f"{path}: expected one run-*.wandb file, found {len(found)}")
    return found[0].resolve()


_records_cache: dict[tuple[Path, int, int], list[dict[str, Any]]] = {}


def _inspect(path: Path) -> list[dict[str, Any]]:
    wandb_file = _wandb_file(path)
    stat = wandb_file.stat()
    key = (wandb_file, stat.st_size, stat.st_mtime_ns)
    if key not in _records_cache:
        command = inspect_command(wandb_file)
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            message = (done.stderr or done.stdout).strip()
            raise RunReadError(
                f"{path}: `wandb leet inspect` failed ({done.returncode}): {message}"
            )
        _records_cache[key] = [json.loads(line) for line in done.stdout.splitlines() if line]
    return copy.deepcopy(_records_cache[key])


def _fold(run_dir: Path, records: list[dict[str, Any]]) -> RecordedRun:
    head: dict[str, Any] = {}
    config: dict[str, Any] = {}
    summary: dict[str, Any] = {}
    history: list[dict[str, Any]] = []
    metrics: dict[str, MetricDefinition] = {}
    artifacts: list[Artifact] = []
    files: list[str] = []
    exit_code: int | None = None
    for record in records:
        kind = record.get("type")
        body = record.get(kind, {}) if isinstance(kind, str) else {}
        if kind == "run":
            head = body
            _apply(config, body.get("config", {}))
        elif kind == "config":
            _apply(config, body)
        elif kind == "summary":
            _apply(summary, body)
        elif kind == "history":
            history.append(body.get("item", {}))
        elif kind == "metric":
            definition = _metric(body)
            metrics[definition.name] = definition
        elif kind == "artifact":
            artifacts.append(_artifact(body, artifacts))
        elif kind == "files":
            files.extend(f["path"] for f in body.get("files", []))
        elif kind == "exit":
            exit_code = int(body.get("exit_code", 0))
    if not head:
        raise RunReadError(f"{run_dir}: W&B's reader found no run record")
    config.pop("_wandb", None)
    summary = {k: v for k, v in summary.items() if not k.startswith("_")}
    return RecordedRun(
        path=run_dir,
        run_id=head["run_id"],
        project=head.get("project", ""),
        start_time=head.get("start_time", ""),
        display_name=head.get("display_name"),
        group=head.get("run_group"),
        job_type=head.get("job_type"),
        tags=tuple(head.get("tags", ())),
        config=config,
        history=history,
        summary=summary,
        metrics=metrics,
        artifacts=artifacts,
        files=files,
        exit_code=exit_code,
        records=records,
    )


def _apply(target: dict[str, Any], change: dict[str, Any]) -> None:
    target.update(change.get("update", {}))
    for key in change.get("remove", []):
        target.pop(key if isinstance(key, str) else ".".join(key.get("nested_key", [])), None)


def _metric(body: dict[str, Any]) -> MetricDefinition:
    options = body.get("options", {})
    return MetricDefinition(
        name=body.get("name") or body.get("glob_name", ""),
        step_metric=body.get("step_metric"),
        summary=tuple(sorted(k for k, on in body.get("summary", {}).items() if on)),
        hidden=bool(options.get("hidden", False)),
    )


def _artifact(body: dict[str, Any], earlier: list[Artifact]) -> Artifact:
    name = body["name"]
    entries = tuple(
        ArtifactFile(
            path=entry["path"],
            digest=entry.get("digest", ""),
            size=int(entry.get("size", 0)),
            local_path=Path(entry["local_path"]) if entry.get("local_path") else None,
        )
        for entry in body.get("manifest", {}).get("contents", [])
    )
    metadata = body.get("metadata") or "{}"
    return Artifact(
        name=name,
        type=body.get("type", ""),
        version=sum(1 for a in earlier if a.name == name),
        aliases=tuple(body.get("aliases", ())),
        files=entries,
        metadata=json.loads(metadata) if isinstance(metadata, str) else metadata,
        digest=body.get("digest", ""),
    )
