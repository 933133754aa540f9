"""Hyperparameters and config (Trainer): save_hyperparameters,
plus your own config keys.

Run it with `python config_trainer.py`. It runs offline unless you set WANDB_MODE.
"""

import os

import lightning as L
import torch
import wandb
from lightning.pytorch.loggers import WandbLogger
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split

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


# --8<-- [start:model]
class DigitsClassifier(L.LightningModule):
    def __init__(self, hidden: int = 64, lr: float = 1e-2, dropout: float = 0.1):
        super().__init__()
        # Records hidden, lr and dropout in self.hparams, in the checkpoint, and
        # (through the logger, when fit starts) in the W&B run's config.
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(64, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, 10)
        )

    # --8<-- [end:model]
    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        accuracy = (self.net(x).argmax(dim=1) == y).float().mean()
        self.log("val_accuracy", accuracy)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main(accelerator: str = "auto") -> None:
    L.seed_everything(0)
    train_loader, val_loader = digits_loaders()
    # --8<-- [start:extra_config]
    wandb_logger = WandbLogger(project="lightning-config")
    trainer = L.Trainer(
        logger=wandb_logger,
        max_epochs=2,
        log_every_n_steps=10,
        accelerator=accelerator,
        enable_progress_bar=False,
    )
    if trainer.is_global_zero:  # only rank zero has a real run
        # add several keys
        wandb_logger.experiment.config.update(
            {"dataset": "sklearn-digits", "train_size": len(train_loader.dataset)}
        )
        # add one key
        wandb_logger.experiment.config["batch_size"] = train_loader.batch_size
    # --8<-- [end:extra_config]
    # --8<-- [start:fit]
    trainer.fit(DigitsClassifier(hidden=32), train_loader, val_loader)
    wandb.finish()
    # --8<-- [end:fit]


if __name__ == "__main__":
    main()
