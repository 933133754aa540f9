"""Test your W&B logging offline: a pytest fixture and a reader. Copy this file.

Import the fixture in your conftest.py (`from wandb_testing import wandb_dir`); then
any test can take `wandb_dir` and read what a run recorded with `read_wandb_run`.
"""

# --8<-- [start:imports]
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import wandb

# --8<-- [end:imports]


# --8<-- [start:fixture]
@pytest.fixture
def wandb_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Offline W&B in a fresh temporary folder; yields the folder runs land in."""
    monkeypatch.setenv("WANDB_MODE", "offline")  # never upload from a test
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))  # runs: tmp_path/wandb/offline-run-*
    monkeypatch.setenv("WANDB_DATA_DIR", str(tmp_path / "data"))  # staged artifacts
    monkeypatch.setenv("WANDB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("WANDB_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("WANDB_SILENT", "true")
    for name in ("WANDB_API_KEY", "WANDB_PROJECT", "WANDB_ENTITY", "WANDB_RUN_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # Lightning writes checkpoints into the cwd
    wandb.teardown()  # wandb keeps settings per process: forget the last test's folder
    yield tmp_path / "wandb"
    wandb.finish()  # close a run a failing test left open
    wandb.teardown()
    # --8<-- [end:fixture]


# --8<-- [start:reader]
def read_wandb_run(run_dir: Path) -> dict:
    """Config, history rows and summary of a finished offline run, read by W&B's CLI."""
    # --json is a debugging view of W&B's own format: it may change between releases.
    command = [sys.executable, "-m", "wandb", "leet", "inspect", "--json", str(run_dir)]
    lines = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    run = {"config": {}, "history": [], "summary": {}}
    for line in lines.splitlines():
        record = json.loads(line)
        kind = record.get("type")
        if kind == "run":
            run["config"].update(record["run"].get("config", {}).get("update", {}))
        elif kind in ("config", "summary"):
            run[kind].update(record[kind].get("update", {}))
        elif kind == "history":
            run["history"].append(record["history"]["item"])
    run["config"].pop("_wandb", None)  # W&B's own bookkeeping
    run["summary"] = {k: v for k, v in run["summary"].items() if not k.startswith("_")}
    return run
    # --8<-- [end:reader]
