"""Download and load a checkpoint (Trainer): restore a logged checkpoint by its alias.

The script trains for three epochs, logging each new best checkpoint, then restores the
"best" one from the run's own records, with no server, and loads it. Once the run is
synced, `download_with_logger` or `download_with_run` gets the same file from W&B.

Run it with `python restore_trainer.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python restore_trainer.py`.
"""

# --8<-- [start:imports]
import base64
import hashlib
import json
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


# --8<-- [start:data]
def digits_loaders() -> tuple[DataLoader, DataLoader]:
    """scikit-learn ships 1,797 real 8x8 digit images, so nothing is downloaded."""
    images, labels = load_digits(return_X_y=True)
    dataset = TensorDataset(
        torch.tensor(images / 16.0, dtype=torch.float32), torch.tensor(labels)
    )
    train, val = random_split(
        dataset, [1500, 297], generator=torch.Generator().manual_seed(0)
    )
    return DataLoader(train, batch_size=64, shuffle=True), DataLoader(
        val, batch_size=297
    )


# --8<-- [end:data]


# --8<-- [start:model]
class DigitsClassifier(L.LightningModule):
    def __init__(self, hidden: int = 64, lr: float = 1e-2):
        super().__init__()
        self.save_hyperparameters()  # hidden and lr land in the W&B run's config
        self.net = nn.Sequential(
            nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10)
        )

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        preds = self.net(x).argmax(dim=1)
        self.log("val_accuracy", accuracy(preds, y, task="multiclass", num_classes=10))

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


# --8<-- [end:model]


# --8<-- [start:download_logger]
def download_with_logger(reference: str) -> Path:
    """Download a logged checkpoint without starting a run (needs `wandb login`)."""
    # reference: "entity/project/model-RUNID:best" (or ":latest", or ":v3")
    return Path(WandbLogger.download_artifact(reference, artifact_type="model"))


# --8<-- [end:download_logger]


# --8<-- [start:download_run]
def download_with_run(reference: str) -> Path:
    """Download through a new run, which records the checkpoint as its input."""
    run = wandb.init(project="lightning-checkpoints", job_type="restore")
    # the run stays open: log your evaluation to it, then call wandb.finish()
    return Path(run.use_artifact(reference, type="model").download())


# --8<-- [end:download_run]


# --8<-- [start:restore_offline]
def restore_checkpoint(run_dir: str | Path, alias: str, dest: str | Path) -> Path:
    """Copy out the checkpoint `alias` points to in a finished run's records."""
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

# --8<-- [start:train]
L.seed_everything(0)
train_loader, val_loader = digits_loaders()
wandb_logger = WandbLogger(project="lightning-checkpoints", log_model="all")
trainer = L.Trainer(
    logger=wandb_logger,
    callbacks=[ModelCheckpoint(monitor="val_accuracy", mode="max")],
    max_epochs=3,
    log_every_n_steps=10,
)
model = DigitsClassifier()
trainer.fit(model, train_loader, val_loader)
# the run's folder, wandb/offline-run-<date>-<run id>/ when offline
run_dir = Path(wandb_logger.experiment.dir).parent
# the run's records are complete once it has finished
wandb.finish()
# --8<-- [end:train]

# --8<-- [start:load]
path = restore_checkpoint(run_dir, "best", "restored/model.ckpt")
restored = DigitsClassifier.load_from_checkpoint(path)
# switch off training-only behaviour before predicting
restored.eval()
# --8<-- [end:load]
