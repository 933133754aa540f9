"""Download and load a checkpoint (Trainer): restore a logged checkpoint by its alias.

Run it with `python restore_trainer.py`. It trains for two epochs offline,
then restores the "best" checkpoint from the run's own records and checks that it
predicts what the model did.
"""

# --8<-- [start:imports]
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import lightning as L
import torch
import wandb
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.loggers import WandbLogger
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split
from torchmetrics.functional import accuracy

# --8<-- [end:imports]

os.environ.setdefault("WANDB_MODE", "offline")


def digits_loaders(batch_size: int = 64) -> tuple[DataLoader, DataLoader]:
    """scikit-learn ships 1,797 real 8x8 digit images, so nothing is downloaded."""
    images, labels = load_digits(return_X_y=True)
    dataset = TensorDataset(
        torch.tensor(images / 16.0, dtype=torch.float32), torch.tensor(labels)
    )
    train, val = random_split(
        dataset, [1500, 297], generator=torch.Generator().manual_seed(0)
    )
    return DataLoader(train, batch_size=batch_size, shuffle=True), DataLoader(
        val, batch_size=297
    )


class DigitsClassifier(L.LightningModule):
    def __init__(self, hidden: int = 64, lr: float = 1e-2):
        super().__init__()
        # load_from_checkpoint rebuilds the model from these
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10)
        )

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        preds = self(x).argmax(dim=1)
        self.log("val_accuracy", accuracy(preds, y, task="multiclass", num_classes=10))

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


# --8<-- [start:download_logger]
def download_with_logger(
    reference: str,
) -> Path:  # pragma: no cover - needs a W&B server
    # reference: "entity/project/model-RUNID:best" (or ":latest", or ":v3")
    artifact_dir = WandbLogger.download_artifact(reference, artifact_type="model")
    return Path(artifact_dir) / "model.ckpt"


# --8<-- [end:download_logger]


# --8<-- [start:download_run]
def download_with_run(reference: str) -> Path:  # pragma: no cover - needs a W&B server
    run = wandb.init(project="lightning-checkpoints", job_type="restore")
    artifact = run.use_artifact(reference, type="model")  # recorded as this run's input
    artifact_dir = artifact.download()
    return Path(artifact_dir) / "model.ckpt"


# --8<-- [end:download_run]


# --8<-- [start:restore_offline]
def restore_checkpoint(run_dir: str | Path, alias: str, dest: str | Path) -> Path:
    """Copy the checkpoint `alias` points to out of a finished offline run,
    no server.
    """
    command = [sys.executable, "-m", "wandb", "leet", "inspect", "--json", str(run_dir)]
    lines = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    records = [json.loads(line) for line in lines.splitlines() if line.strip()]
    run_id = next(r["run"]["run_id"] for r in records if r.get("type") == "run")
    # Once synced, an alias points to the last version logged with it.
    versions = [
        r["artifact"]
        for r in records
        if r.get("type") == "artifact"
        and r["artifact"]["name"] == f"model-{run_id}"
        and alias in r["artifact"].get("aliases", [])
    ]
    if not versions:
        raise LookupError(f"no checkpoint of run {run_id} has the alias {alias!r}")
    entry = next(
        e for e in versions[-1]["manifest"]["contents"] if e["path"] == "model.ckpt"
    )
    staged = Path(entry["local_path"])  # W&B's own copy, kept until the run is synced
    digest = base64.b64encode(hashlib.md5(staged.read_bytes()).digest()).decode()
    if digest != entry["digest"]:
        raise ValueError(f"{staged} does not match the digest W&B recorded")
    Path(dest).parent.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(staged, dest))


# --8<-- [end:restore_offline]


def main(accelerator: str = "auto") -> tuple[DigitsClassifier, DigitsClassifier]:
    L.seed_everything(0)
    train_loader, val_loader = digits_loaders()
    wandb_logger = WandbLogger(project="lightning-checkpoints", log_model="all")
    trainer = L.Trainer(
        logger=wandb_logger,
        callbacks=[ModelCheckpoint(monitor="val_accuracy", mode="max")],
        max_epochs=2,
        accelerator=accelerator,
        enable_progress_bar=False,
    )
    model = DigitsClassifier()
    trainer.fit(model, train_loader, val_loader)
    run_dir = Path(wandb_logger.experiment.dir).parent  # wandb/offline-run-.../
    wandb.finish()  # the run's records are complete once it has finished

    # --8<-- [start:load]
    path = restore_checkpoint(run_dir, "best", "restored/model.ckpt")
    restored = DigitsClassifier.load_from_checkpoint(path)
    restored.eval()  # switch off training-only behaviour before predicting
    # --8<-- [end:load]
    return model, restored


if __name__ == "__main__":
    main()
