"""The resume guide's scripts: two sessions, two offline run folders, one run id, one x-axis."""

import pytest

from snippets.guides.resume import resume_fabric, resume_trainer
from tested_docs import RecordedRun

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
    resume_trainer.main(accelerator=accelerator)
    check_trainer(wandb_offline.runs())
    assert (wandb_offline.root / "checkpoints/trainer/last.ckpt").exists()


def test_fabric(wandb_offline, accelerator):
    resume_fabric.main(accelerator=accelerator)
    check_fabric(wandb_offline.runs())


@pytest.mark.parametrize(
    ("script", "check"),
    [(resume_trainer, check_trainer), (resume_fabric, check_fabric)],
    ids=["trainer", "fabric"],
)
def test_runs_as_a_script(wandb_offline, script, check):
    wandb_offline.run_script(script.__file__)
    check(wandb_offline.runs())
