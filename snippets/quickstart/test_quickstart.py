"""The Quickstart page's two scripts, run in-process and read back from what W&B recorded."""

import pytest

from snippets.quickstart import quickstart_fabric, quickstart_trainer
from tested_docs import RecordedRun


def check_trainer_run(run: RecordedRun) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-quickstart"
    assert run.config == {"hidden": 64, "lr": 0.01}
    steps = run.column("trainer/global_step")
    assert (
        steps == sorted(steps) and steps[-1] == 3 * 24 - 1
    )  # 24 batches an epoch, 3 epochs
    assert len(run.column("train_loss")) == 7  # every 10 steps
    assert run.column("val_accuracy") and len(run.column("val_accuracy")) == 3
    assert run.summary["val_accuracy"] == run.column("val_accuracy")[-1]
    assert run.summary["val_accuracy"] > 0.8  # chance is 0.1
    assert run.column("train_loss")[-1] < run.column("train_loss")[0]


def check_fabric_run(run: RecordedRun) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-quickstart"
    assert run.config == {"hidden": 64, "lr": 0.01, "epochs": 3}
    # train_loss every 10 steps, val_accuracy at the end of each 24-batch epoch
    assert run.column("trainer/global_step") == sorted([*range(10, 71, 10), 24, 48, 72])
    assert len(run.column("train_loss")) == 7
    assert len(run.column("val_accuracy")) == 3
    assert run.summary["val_accuracy"] > 0.8
    assert run.column("train_loss")[-1] < run.column("train_loss")[0]
    assert set(run.summary) >= {
        "train_loss",
        "val_accuracy",
        "epoch",
        "trainer/global_step",
    }


def test_trainer(wandb_offline, accelerator):
    quickstart_trainer.main(accelerator=accelerator)
    check_trainer_run(wandb_offline.run())


def test_fabric(wandb_offline, accelerator):
    quickstart_fabric.main(accelerator=accelerator)
    check_fabric_run(wandb_offline.run())


@pytest.mark.parametrize(
    ("script", "check"),
    [(quickstart_trainer, check_trainer_run), (quickstart_fabric, check_fabric_run)],
    ids=["trainer", "fabric"],
)
def test_runs_as_a_script(wandb_offline, script, check):
    wandb_offline.run_script(script.__file__)
    check(wandb_offline.run())
