"""Your test file (save it as test_my_training.py): what W&B recorded, checked."""

# --8<-- [start:test]
from my_training import train
from wandb_testing import read_wandb_run


def test_training_logs_to_wandb(wandb_dir):
    train(hidden=32, lr=0.02, max_epochs=2, accelerator="cpu")

    (run_dir,) = wandb_dir.glob("offline-run-*")  # exactly one run
    run = read_wandb_run(run_dir)
    assert run["config"] == {"hidden": 32, "lr": 0.02}
    logged = set().union(*run["history"])
    assert {"train_loss", "val_accuracy", "epoch", "trainer/global_step"} <= logged
    val_accuracy = [
        row["val_accuracy"] for row in run["history"] if "val_accuracy" in row
    ]
    assert len(val_accuracy) == 2  # once per epoch
    steps = [row["trainer/global_step"] for row in run["history"]]
    assert steps == sorted(steps)  # the x-axis never goes back
    assert run["summary"]["val_accuracy"] == val_accuracy[-1]
    assert run["summary"]["val_accuracy"] > 0.5  # it learned something
    # --8<-- [end:test]
