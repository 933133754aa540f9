"""The reader on real offline runs, and its errors."""

import base64
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import wandb

from tested_docs import RunReadError, read_run, wandb_digest
from tested_docs.runs import inspect_command


def record_a_run(tmp_path: Path) -> Path:
    checkpoint = tmp_path / "weights.bin"
    checkpoint.write_bytes(b"not really weights")
    with wandb.init(project="reader", name="r1", tags=["t"], config={"lr": 0.1}) as run:
        run.define_metric("acc", summary="max")
        run.define_metric("*", step_metric="global_step")
        for step, acc in enumerate([0.2, 0.9, 0.5]):
            run.log({"acc": acc, "global_step": step})
        run.config.update({"batch_size": 8})
        for aliases in (["latest", "best"], ["latest"]):
            artifact = wandb.Artifact(f"model-{run.id}", type="model", metadata={"n": 1})
            artifact.add_file(str(checkpoint), name="model.ckpt")
            run.log_artifact(artifact, aliases=aliases)
        return Path(run.dir).parent


def test_reads_everything_a_run_recorded(wandb_offline, tmp_path):
    run_dir = record_a_run(tmp_path)
    run = wandb_offline.run()
    assert run.path == run_dir
    assert (run.project, run.display_name, run.tags) == ("reader", "r1", ("t",))
    assert run.config == {"lr": 0.1, "batch_size": 8}
    assert run.column("acc") == [0.2, 0.9, 0.5]
    assert run.column("global_step") == [0, 1, 2]
    assert run.summary["acc"] == {"max": 0.9}
    assert run.metrics["acc"].summary == ("max",)
    assert run.metrics["*"].step_metric == "global_step"
    assert run.exit_code == 0

    first, second = run.artifact_versions(f"model-{run.run_id}")
    assert (first.version, second.version) == (0, 1)
    assert first.type == "model" and first.metadata == {"n": 1}
    assert run.alias_holder(first.name, "best") is first
    assert run.alias_holder(first.name, "latest") is second
    entry = second.file("model.ckpt")
    expected = base64.b64encode(hashlib.md5(b"not really weights").digest()).decode()
    assert (entry.digest, entry.size) == (expected, len(b"not really weights"))
    assert wandb_digest(tmp_path / "weights.bin") == expected
    assert entry.local_path is not None and entry.local_path.read_bytes() == b"not really weights"
    with pytest.raises(KeyError, match="alias 'production'"):
        run.alias_holder(first.name, "production")


def test_reads_a_logged_image(wandb_offline):
    import numpy as np

    pixels = np.arange(48, dtype=np.uint8).reshape(4, 4, 3)
    with wandb.init(project="reader") as run:
        run.log({"picture": wandb.Image(pixels)})
    recorded = wandb_offline.run()
    (row,) = recorded.rows_with("picture.path")
    assert (recorded.image(row["picture.path"]) == pixels).all()


def test_reads_a_run_from_its_wandb_file(wandb_offline, tmp_path):
    run_dir = record_a_run(tmp_path)
    (wandb_file,) = run_dir.glob("*.wandb")
    assert read_run(wandb_file).run_id == wandb_offline.run().run_id


def test_missing_path_is_named(tmp_path):
    with pytest.raises(RunReadError, match=str(tmp_path / "nowhere")):
        read_run(tmp_path / "nowhere")


def test_folder_without_a_run_is_named(tmp_path):
    with pytest.raises(RunReadError, match=f"{tmp_path}: holds no .wandb file"):
        read_run(tmp_path)


def test_corrupt_log_reports_the_readers_failure(tmp_path):
    run_dir = tmp_path / "offline-run-20260101_000000-abc"
    run_dir.mkdir()
    (run_dir / "run-abc.wandb").write_bytes(b"this is not a leveldb log" * 10)
    with pytest.raises(
        RunReadError, match=r"offline-run-20260101_000000-abc.*wandb leet inspect. failed"
    ):
        read_run(run_dir)


def test_unfinished_run_is_refused(wandb_offline):
    run = wandb.init(project="reader")
    run.log({"x": 1})
    run_dir = Path(run.dir).parent
    try:
        with pytest.raises(RunReadError, match=r"has not finished \(no exit record after 0.3 s\)"):
            read_run(run_dir, wait=0.3)
    finally:
        run.finish()
    assert read_run(run_dir).column("x") == [1]


def test_the_fast_reader_gives_exactly_what_wandbs_own_command_gives(wandb_offline, tmp_path):
    """The reader runs wandb-core directly; `wandb leet inspect --json` must print the same."""
    run_dir = record_a_run(tmp_path)
    (wandb_file,) = run_dir.glob("*.wandb")
    own = subprocess.run(
        [sys.executable, "-m", "wandb", "leet", "inspect", "--json", str(run_dir)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    fast = subprocess.run(inspect_command(wandb_file), capture_output=True, text=True, check=True)
    assert fast.stdout == own
    assert read_run(run_dir).records == [json.loads(line) for line in own.splitlines()]


def test_a_run_is_read_again_once_its_file_changes(wandb_offline):
    run = wandb.init(project="reader")
    run.log({"x": 1})
    run.finish()
    run_dir = Path(run.dir).parent
    first = read_run(run_dir)
    first.history.append({"x": 99})  # a caller's change never reaches the next read
    assert read_run(run_dir).column("x") == [1]
    (wandb_file,) = run_dir.glob("*.wandb")
    wandb_file.write_bytes(b"not a log any more" * 10)
    with pytest.raises(RunReadError, match="failed"):
        read_run(run_dir)
