"""The metrics page: suffixes, steps, rows logged straight to the run, and define_metric."""

from pathlib import Path

from tested_docs import RecordedRun

HERE = Path(__file__).parent


def check_summary_is_the_max(run: RecordedRun) -> None:
    history = run.column("val_accuracy")
    assert len(history) == 2 and max(history) > 0.8  # chance is 0.1
    assert run.summary["val_accuracy"] == {"max": max(history)}
    definition = run.metrics["val_accuracy"]
    assert definition.summary == ("max",)
    assert definition.step_metric == "trainer/global_step"


def test_trainer(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "metrics_trainer.py")
    run = wandb_offline.run()
    assert run.exit_code == 0
    assert run.project == "lightning-metrics"
    assert run.config == {"hidden": 64, "lr": 0.01}
    keys = {key for row in run.history for key in row}
    # on_step=True, on_epoch=True: Lightning records two metrics with suffixes
    assert {"train_loss_step", "train_loss_epoch"} <= keys
    assert "train_loss" not in keys
    # epoch-only and validation metrics keep their names
    assert {"train_accuracy", "val_loss", "val_accuracy", "epoch"} <= keys
    steps = run.column("trainer/global_step")
    assert steps == sorted(steps)  # never goes back
    # Lightning records at the number of steps taken before the batch: 24 an epoch,
    # log_every_n_steps=10
    assert run.steps("train_loss_step") == [9, 19, 29, 39]
    assert run.steps("train_loss_epoch") == [23, 47]
    assert run.steps("train_accuracy") == [23, 47]
    assert run.steps("val_accuracy") == [23, 47]
    assert run.column("train_loss_step")[-1] < run.column("train_loss_step")[0]
    # the rows logged with experiment.log, at the start of each epoch
    histograms = run.rows_with("first_layer_weights._type")
    assert run.steps("first_layer_weights._type") == [0, 24]
    for row in histograms:
        assert row["first_layer_weights._type"] == "histogram"
        assert sum(row["first_layer_weights.values"]) == 64 * 64  # every weight
    assert 0.8 < run.column("train_accuracy")[-1] <= 1
    check_summary_is_the_max(run)
    assert namespace["trainer"].global_step == 48
    assert namespace["trainer"].strategy.root_device.type == torch_device


def test_fabric(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "metrics_fabric.py")
    run = wandb_offline.run()
    assert run.exit_code == 0
    assert run.project == "lightning-metrics"
    # train_loss every 10 steps, the epoch values at the end of each 24-batch epoch
    assert run.column("trainer/global_step") == [10, 20, 24, 30, 40, 48]
    assert run.steps("train_loss") == [10, 20, 30, 40]
    assert run.steps("val_accuracy") == [24, 48]
    assert run.steps("train_accuracy") == [24, 48]
    assert run.column("epoch") == [0, 1]
    assert run.column("train_loss")[-1] < run.column("train_loss")[0]
    first, second = run.column("train_accuracy")
    assert 0.8 < second <= 1 and second > first
    check_summary_is_the_max(run)
    assert namespace["fabric"].device.type == torch_device
