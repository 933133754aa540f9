"""Gradients, parameters and topology (Trainer): wandb_logger.watch.

Run it with `python watch_trainer.py`. It runs offline unless you set WANDB_MODE.
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
    def __init__(self, hidden: int = 32, lr: float = 1e-2):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10)
        )

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        # self(x), not self.net(x): watch() records parameters from a hook on
        # the watched module's forward, so the module itself must be called.
        loss = nn.functional.cross_entropy(self(x), y)
        self.log("train_loss", loss)
        return loss

    # --8<-- [end:model]
    def validation_step(self, batch, batch_idx):
        x, y = batch
        accuracy = (self(x).argmax(dim=1) == y).float().mean()
        self.log("val_accuracy", accuracy)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main(accelerator: str = "auto") -> None:
    L.seed_everything(0)
    # --8<-- [start:watch]
    model = DigitsClassifier()
    wandb_logger = WandbLogger(project="lightning-watch")
    # log="all": gradients and parameters; log_freq: every 10 batches
    wandb_logger.watch(model, log="all", log_freq=10)
    trainer = L.Trainer(
        logger=wandb_logger,
        max_epochs=2,
        log_every_n_steps=10,
        accelerator=accelerator,
        enable_progress_bar=False,
    )
    trainer.fit(model, *digits_loaders())
    wandb.finish()
    # --8<-- [end:watch]


if __name__ == "__main__":
    main()
