"""Your test file (save it as test_my_training.py): what W&B recorded, checked."""

# --8<-- [start:test]
from my_training import train
from wandb_testing import read_wandb_run


def test_training_logs_to_wandb(wandb_dir):
    train(hidden=32, lr=0.02, max_epochs=2)

    # exactly one run
    (run_dir,) = wandb_dir.glob("offline-run-*")
    run = read_wandb_run(run_dir)
    assert run["config"] == {"hidden": 32, "lr": 0.02}
    logged = set().union(*run["history"])
    assert {"train_loss", "val_accuracy", "epoch", "trainer/global_step"} <= logged
    val_accuracy = [
        row["val_accuracy"] for row in run["history"] if "val_accuracy" in row
    ]
    # once per epoch
    assert len(val_accuracy) == 2
    # every 10 of the 48 training steps
    assert len([row for row in run["history"] if "train_loss" in row]) == 4
    steps = [row["trainer/global_step"] for row in run["history"]]
    # the x-axis never goes back
    assert steps == sorted(steps)
    assert run["summary"]["val_accuracy"] == val_accuracy[-1]
    # it learned something
    assert run["summary"]["val_accuracy"] > 0.5
    # --8<-- [end:test]
