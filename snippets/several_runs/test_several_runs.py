"""Several runs in one process: each script runs as `python <script>` would, in this process,
and W&B's own reader shows one finished run per fold or per learning rate, or, without
`wandb.finish()`, the single run both fits logged into."""

import re
from pathlib import Path

import lightning as L
import pytest
import wandb

from tested_docs import RecordedRun

HERE = Path(__file__).parent
# 1,797 images in 3 folds: 1,198 to train on (19 batches of 64 an epoch), 599 to validate
FOLD_SIZES = (1198, 599)
# 1,500 training images (24 batches of 64 an epoch) in the loop over learning rates
LR_STEPS = [9, 19, 23, 29, 39, 47]
# the warning the page quotes, word for word
RUN_IN_PROGRESS = (
    "There is a wandb run already in progress and newly created instances of"
    " `WandbLogger` will reuse this run. If this is not desired, call `wandb.finish()`"
    " before instantiating `WandbLogger`."
)


def checkpoints(run: RecordedRun) -> list[str]:
    """The checkpoint files the Trainer wrote into the run's own folder."""
    folder = Path("lightning-several-runs", run.run_id, "checkpoints")
    return sorted(path.name for path in folder.iterdir())


def check_fold(run: RecordedRun, fold: int, group: str, steps: list[int]) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-several-runs"
    assert run.display_name == f"fold-{fold}"
    assert run.group == group and group.startswith("kfold-")
    assert run.job_type == "train"
    assert run.config["fold"] == fold and run.config["n_splits"] == 3
    assert run.config["hidden"] == 64 and run.config["lr"] == 0.01
    assert run.metrics["*"].step_metric == "trainer/global_step"
    assert run.column("trainer/global_step") == steps
    assert len(run.column("train_loss")) == 3  # every 10 steps of 38
    assert len(run.column("val_accuracy")) == 2  # once an epoch
    assert run.summary["val_accuracy"] == run.column("val_accuracy")[-1]
    assert run.summary["val_accuracy"] > 0.85  # chance is 0.1
    assert run.column("train_loss")[-1] < run.column("train_loss")[0]


def check_kfold(runs: list[RecordedRun], namespace: dict, steps: list[int]) -> None:
    assert len(runs) == 3, "one run per fold"
    assert len({run.run_id for run in runs}) == 3
    for fold, run in enumerate(runs):
        check_fold(run, fold, namespace["group"], steps)
    # the accuracies the script averaged are the ones each fold's run recorded last
    recorded = [run.summary["val_accuracy"] for run in runs]
    assert namespace["scores"] == pytest.approx(recorded)
    # KFold: every image is validated on exactly once, in the fold that left it out
    dataset, folds = namespace["dataset"], namespace["folds"]
    seen = []
    for train_idx, val_idx in folds.split(dataset):
        assert (len(train_idx), len(val_idx)) == FOLD_SIZES
        seen += list(val_idx)
    assert sorted(seen) == list(range(len(dataset)))


def test_kfold_trainer(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "kfold_trainer.py")
    # the Trainer counts steps from 0: the last of epoch 0 is 18, of epoch 1 is 37
    runs = wandb_offline.runs()
    check_kfold(runs, namespace, [9, 18, 19, 29, 37])
    for run in runs:
        assert checkpoints(run) == ["epoch=1-step=38.ckpt"]
    assert namespace["trainer"].strategy.root_device.type == torch_device


def test_kfold_fabric(wandb_offline, accelerator, torch_device, monkeypatch):
    devices = []
    setup = L.Fabric.setup

    def recording_setup(fabric, *args, **kwargs):
        devices.append(fabric.device.type)
        return setup(fabric, *args, **kwargs)

    monkeypatch.setattr(L.Fabric, "setup", recording_setup)
    namespace = wandb_offline.run_script(HERE / "kfold_fabric.py")
    runs = wandb_offline.runs()
    # the Fabric loop counts steps from 1
    check_kfold(runs, namespace, [10, 19, 20, 30, 38])
    for run in runs:
        assert run.config["epochs"] == 2
        assert run.column("epoch") == [0, 1]
    assert devices == [torch_device] * 3


def check_lr_run(run: RecordedRun, lr: float) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-several-runs"
    assert run.display_name == f"lr-{lr:g}"
    assert run.group is None
    assert run.job_type == "train"
    assert run.config == {"hidden": 64, "lr": lr}
    assert run.column("trainer/global_step") == LR_STEPS
    assert len(run.column("train_loss")) == 4
    assert len(run.column("val_accuracy")) == 2
    assert run.summary["val_accuracy"] == run.column("val_accuracy")[-1]
    assert checkpoints(run) == ["epoch=1-step=48.ckpt"]


def test_configs(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "configs_trainer.py")
    runs = wandb_offline.runs()
    assert len(runs) == 2, "one run per learning rate"
    check_lr_run(runs[0], 0.01)
    check_lr_run(runs[1], 0.001)
    # chance is 0.1; after two epochs the larger step size is ahead
    assert runs[0].summary["val_accuracy"] > 0.85
    assert 0.5 < runs[1].summary["val_accuracy"] < runs[0].summary["val_accuracy"]
    assert namespace["trainer"].strategy.root_device.type == torch_device


def test_without_finish(wandb_offline, accelerator, torch_device):
    with (
        pytest.warns(UserWarning, match=f"^{re.escape(RUN_IN_PROGRESS)}$"),
        pytest.warns(
            UserWarning, match="Checkpoint directory .* exists and is not empty"
        ),
    ):
        namespace = wandb_offline.run_script(HERE / "without_finish.py")
    # `python without_finish.py` would finish the run when the process exits
    wandb.finish()
    # and with no run open, wandb.finish() does nothing
    wandb.finish()
    assert wandb.run is None
    run = wandb_offline.run()  # exactly one run: both fits landed in it
    logger = namespace["wandb_logger"]
    assert logger.experiment.id == run.run_id
    assert run.exit_code == 0
    # the first logger's name stays; the second fit's lr overwrote the first one's
    assert run.display_name == "lr-0.01"
    assert run.config == {"hidden": 64, "lr": 0.001}
    # the step restarts from 0: two fits' rows, one after the other, in one history
    assert run.column("trainer/global_step") == LR_STEPS + LR_STEPS
    assert len(run.column("train_loss")) == 8
    assert len(run.column("val_accuracy")) == 4
    assert run.summary["val_accuracy"] == run.column("val_accuracy")[-1]
    # and both fits wrote their checkpoints into the one run's folder
    assert checkpoints(run) == ["epoch=1-step=48-v1.ckpt", "epoch=1-step=48.ckpt"]
    assert namespace["trainer"].strategy.root_device.type == torch_device
