"""Download and load a checkpoint (Trainer): restore the best checkpoint.

The script trains for three epochs, logging each new best checkpoint, then loads the
best one from the file Lightning wrote, which needs no server. Once the run is synced,
`download_with_logger` or `download_with_run` gets the same file from W&B by its alias.

Run it with `python restore_trainer.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python restore_trainer.py`.
"""

# --8<-- [start:imports]
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
    # With no run open it asks wandb.Api(); with one open, that run's use_artifact.
    return Path(WandbLogger.download_artifact(reference, artifact_type="model"))


# --8<-- [end:download_logger]


# --8<-- [start:download_run]
def download_with_run(reference: str) -> Path:
    """Download through a new run, which records the checkpoint as its input."""
    run = wandb.init(project="lightning-checkpoints", job_type="restore")
    # the run stays open: log your evaluation to it, then call wandb.finish()
    return Path(run.use_artifact(reference, type="model").download())


# --8<-- [end:download_run]


# --8<-- [start:train]
L.seed_everything(0)
train_loader, val_loader = digits_loaders()
wandb_logger = WandbLogger(project="lightning-checkpoints", log_model="all")
checkpoint = ModelCheckpoint(monitor="val_accuracy", mode="max")
trainer = L.Trainer(
    logger=wandb_logger, callbacks=[checkpoint], max_epochs=3, log_every_n_steps=10
)
model = DigitsClassifier()
trainer.fit(model, train_loader, val_loader)
wandb.finish()
# --8<-- [end:train]

# --8<-- [start:load]
# the file Lightning wrote, and W&B logged as model-<run id>:best
path = checkpoint.best_model_path
restored = DigitsClassifier.load_from_checkpoint(path)
# switch off training-only behaviour before predicting
restored.eval()
# --8<-- [end:load]
