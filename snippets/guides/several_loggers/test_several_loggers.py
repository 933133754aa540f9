"""Several-loggers guide: W&B and CSVLogger record the same values at the same steps."""

import csv
from pathlib import Path

import pytest
from lightning.fabric.loggers import CSVLogger

from tested_docs import RecordedRun

HERE = Path(__file__).parent

METRICS = ("train_loss", "val_accuracy", "epoch")


def csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def by_step(pairs) -> dict[tuple[str, int], float]:
    return {(key, int(step)): float(value) for key, step, value in pairs}


def check_same_values(run: RecordedRun, csv_file: Path) -> None:
    """Every (metric, step, value) in W&B is in the CSV file, and the other way round."""
    rows = csv_rows(csv_file)
    assert rows and set(METRICS) | {"step"} <= set(rows[0])
    in_csv = by_step(
        (key, row["step"], row[key]) for row in rows for key in METRICS if row[key]
    )
    in_wandb = by_step(
        (key, row["trainer/global_step"], row[key])
        for row in run.history
        for key in METRICS
        if key in row
    )
    assert in_wandb.keys() == in_csv.keys()
    assert in_wandb == pytest.approx(in_csv, rel=1e-6)
    assert len([k for k in in_csv if k[0] == "train_loss"]) == 4  # every 10 steps
    assert len([k for k in in_csv if k[0] == "val_accuracy"]) == 2  # every epoch


def check_trainer_run(run: RecordedRun, csv_file: Path) -> None:
    assert run.exit_code == 0 and run.project == "lightning-loggers"
    assert run.config == {"hidden": 64, "lr": 0.01}
    hparams = (csv_file.parent / "hparams.yaml").read_text()
    assert "hidden: 64" in hparams and "lr: 0.01" in hparams  # both got the config
    check_same_values(run, csv_file)
    # self.loggers in on_fit_start reached W&B: val_accuracy's summary is its max
    assert run.metrics["val_accuracy"].summary == ("max",)
    assert run.summary["val_accuracy"] == {"max": max(run.column("val_accuracy"))}
    # trainer.loggers reached the run after fit: the CSV file is saved with it
    assert "metrics.csv" in run.files
    assert (run.files_dir / "metrics.csv").read_text() == csv_file.read_text()
    # the first logger (W&B) decides where ModelCheckpoint saves
    root = run.path.parent.parent  # WANDB_DIR, which is also the working directory
    assert list(
        (root / "lightning-loggers" / run.run_id / "checkpoints").glob("*.ckpt")
    )


def check_fabric_run(run: RecordedRun, csv_file: Path) -> None:
    assert run.exit_code == 0 and run.project == "lightning-loggers"
    assert run.config == {"hidden": 64, "lr": 0.01, "epochs": 2}
    check_same_values(run, csv_file)
    assert run.summary["val_accuracy"] > 0.8


def test_trainer(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "several_loggers_trainer.py")
    csv_file = Path(namespace["csv_file"])
    assert csv_file.resolve() == (
        wandb_offline.root / "logs" / "digits" / "version_0" / "metrics.csv"
    )
    check_trainer_run(wandb_offline.run(), csv_file)
    trainer = namespace["trainer"]
    assert trainer.strategy.root_device.type == torch_device
    assert trainer.logger is namespace["wandb_logger"]


def test_fabric(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "several_loggers_fabric.py")
    csv_file = Path(namespace["csv_logger"].log_dir) / "metrics.csv"
    assert csv_file.resolve() == (
        wandb_offline.root / "logs" / "digits-fabric" / "version_0" / "metrics.csv"
    )
    check_fabric_run(wandb_offline.run(), csv_file)
    assert namespace["fabric"].device.type == torch_device


def test_fabric_csv_logger_pitfalls(tmp_path):
    """What the page warns about: no hyperparameters, and rows written at finalize."""
    logger = CSVLogger(tmp_path, name="pitfalls")
    with pytest.raises(NotImplementedError):
        logger.log_hyperparams({"lr": 0.01})
    logger.log_metrics({"train_loss": 1.0}, step=10)
    metrics = Path(logger.log_dir) / "metrics.csv"
    assert not metrics.exists()  # buffered: flush_logs_every_n_steps=100
    logger.finalize("success")
    assert csv_rows(metrics) == [{"train_loss": "1.0", "step": "10"}]
