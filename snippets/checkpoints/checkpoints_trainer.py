"""Checkpoints as artifacts (Trainer): every checkpoint ModelCheckpoint saves
becomes a W&B artifact.

Run it with `python checkpoints_trainer.py`. It runs offline unless you set
WANDB_MODE=online (after `wandb login`); `wandb sync` uploads the run
and its checkpoints later.
"""

# --8<-- [start:imports]
import os

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
        self.save_hyperparameters()
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


def main(accelerator: str = "auto", log_model: bool | str = "all") -> None:
    L.seed_everything(0)
    train_loader, val_loader = digits_loaders()
    # --8<-- [start:log_model]
    # log_model="all": log each checkpoint as soon as ModelCheckpoint saves it.
    # log_model=True: log the checkpoints once, when training ends.
    wandb_logger = WandbLogger(project="lightning-checkpoints", log_model=log_model)
    checkpoint_callback = ModelCheckpoint(monitor="val_accuracy", mode="max")
    trainer = L.Trainer(
        logger=wandb_logger,
        callbacks=[checkpoint_callback],
        max_epochs=2,
        accelerator=accelerator,
        enable_progress_bar=False,
    )
    trainer.fit(DigitsClassifier(), train_loader, val_loader)
    wandb.finish()
    # --8<-- [end:log_model]


if __name__ == "__main__":
    main()
