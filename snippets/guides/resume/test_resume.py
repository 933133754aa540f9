"""The resume guide's scripts: two sessions, two offline run folders, one run id, one x-axis."""

from pathlib import Path

import pytest

from tested_docs import RecordedRun

HERE = Path(__file__).parent

BATCHES = 24  # 1,500 training digits in batches of 64


def check_sessions(first: RecordedRun, second: RecordedRun, last_step: int) -> None:
    # Offline, each session writes its own folder, both under the one run id.
    assert first.path != second.path
    assert first.run_id == second.run_id
    assert first.project == second.project == "lightning-resume"
    assert first.exit_code == second.exit_code == 0
    assert first.config == second.config == {"hidden": 64, "lr": 0.01}
    # The second session goes on where the first stopped, never back to step 0.
    before, after = (
        first.column("trainer/global_step"),
        second.column("trainer/global_step"),
    )
    assert before == sorted(before) and after == sorted(after)
    assert before[-1] == last_step(2) and after[-1] == last_step(4)
    assert min(after) > max(before)
    assert first.column("epoch")[-1] == 1 and second.column("epoch")[0] == 2
    # It goes on from the checkpoint's weights, too: its loss starts low, not at ~2.3.
    assert second.column("train_loss")[0] < 0.5 * first.column("train_loss")[0]
    assert min(second.column("val_accuracy")) > 0.8  # chance is 0.1


def check_trainer(runs: list[RecordedRun]) -> None:
    assert len(runs) == 2
    first, second = runs
    check_sessions(first, second, last_step=lambda epochs: epochs * BATCHES - 1)
    # train_loss every 10 batches: 9, 19, ... counted across both sessions
    steps = [row["trainer/global_step"] for row in first.rows_with("train_loss")]
    steps += [row["trainer/global_step"] for row in second.rows_with("train_loss")]
    assert steps == list(range(9, 4 * BATCHES, 10))


def check_fabric(runs: list[RecordedRun]) -> None:
    assert len(runs) == 2
    first, second = runs
    check_sessions(first, second, last_step=lambda epochs: epochs * BATCHES)
    steps = [row["trainer/global_step"] for row in first.rows_with("train_loss")]
    steps += [row["trainer/global_step"] for row in second.rows_with("train_loss")]
    assert steps == list(range(10, 4 * BATCHES + 1, 10))
    assert [row["trainer/global_step"] for row in second.rows_with("val_accuracy")] == [
        3 * BATCHES,
        4 * BATCHES,
    ]


def test_trainer(wandb_offline, accelerator):
    checkpoints = wandb_offline.root / "checkpoints" / "trainer"
    # The restart fits into the folder that holds the checkpoint it resumes from:
    # Lightning warns about it then, and only then (the page says so).
    with pytest.warns(UserWarning, match="Checkpoint directory") as caught:
        wandb_offline.run_script(HERE / "resume_trainer.py")
    assert [str(w.message) for w in caught if "Checkpoint" in str(w.message)] == [
        f"Checkpoint directory {checkpoints} exists and is not empty."
    ]
    runs = wandb_offline.runs()
    check_trainer(runs)
    run_id_file = wandb_offline.root / "checkpoints" / "trainer-wandb-run-id.txt"
    assert run_id_file.read_text() == runs[0].run_id
    assert sorted(p.name for p in checkpoints.iterdir()) == [
        "epoch=3-step=96.ckpt",
        "last.ckpt",
    ]

    # sync.sh: the run id file finds every session's folder; --dry-run lists both
    folders = sorted(wandb_offline.root.glob(f"wandb/offline-run-*-{runs[0].run_id}*"))
    assert folders == sorted(run.path for run in runs)
    done = wandb_offline.cli("sync", "--dry-run", *map(str, folders))
    assert done.returncode == 0, done.stderr
    assert "Would sync 2 run(s):" in done.stderr
    for folder in folders:
        assert f"{folder.name}/run-{runs[0].run_id}.wandb" in done.stderr


def test_fabric(wandb_offline, accelerator):
    wandb_offline.run_script(HERE / "resume_fabric.py")
    check_fabric(wandb_offline.runs())
    checkpoints = wandb_offline.root / "checkpoints" / "fabric"
    run_id = (checkpoints / "wandb_run_id.txt").read_text()
    assert run_id == wandb_offline.runs()[0].run_id
    assert (checkpoints / "last.ckpt").exists()
