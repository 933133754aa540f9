"""The Quickstart page's two scripts, run as `python <script>` would, read back from W&B's record."""

from pathlib import Path

from tested_docs import RecordedRun

HERE = Path(__file__).parent


def check_trainer_run(run: RecordedRun) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-quickstart"
    assert run.config == {"hidden": 64, "lr": 0.01}
    steps = run.column("trainer/global_step")
    assert (
        steps == sorted(steps) and steps[-1] == 3 * 24 - 1
    )  # 24 batches an epoch, 3 epochs
    assert len(run.column("train_loss")) == 7  # every 10 steps
    assert len(run.column("val_accuracy")) == 3
    assert run.summary["val_accuracy"] == run.column("val_accuracy")[-1]
    assert run.summary["val_accuracy"] > 0.8  # chance is 0.1
    assert run.column("train_loss")[-1] < run.column("train_loss")[0]


def test_trainer(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "quickstart_trainer.py")
    check_trainer_run(wandb_offline.run())
    assert namespace["trainer"].strategy.root_device.type == torch_device


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


def test_fabric(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "quickstart_fabric.py")
    check_fabric_run(wandb_offline.run())
    assert namespace["fabric"].device.type == torch_device
