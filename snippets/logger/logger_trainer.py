"""Logger arguments (Trainer): name, group and tag a run, and prefix its metrics.

Run it with `python logger_trainer.py`. It runs offline unless you set WANDB_MODE.
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


def digits_loaders(fold: int, batch_size: int = 64) -> tuple[DataLoader, DataLoader]:
    """A different random split of the digits for each fold."""
    images, labels = load_digits(return_X_y=True)
    dataset = TensorDataset(
        torch.tensor(images / 16.0, dtype=torch.float32), torch.tensor(labels)
    )
    train, val = random_split(
        dataset, [1500, 297], generator=torch.Generator().manual_seed(fold)
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
        accuracy = (self.net(x).argmax(dim=1) == y).float().mean()
        self.log("val_accuracy", accuracy)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main(accelerator: str = "auto", fold: int = 1) -> None:
    L.seed_everything(fold)
    # --8<-- [start:logger]
    wandb_logger = WandbLogger(
        project="lightning-digits-cv",
        name=f"fold{fold}-mlp",  # the run's display name in the app
        prefix=f"fold{fold}",  # train_loss is recorded as "fold1-train_loss"
        # Everything below goes straight to wandb.init(...):
        group="digits-cv",  # the app groups all folds of this experiment
        job_type="train",
        tags=["digits", "mlp"],
        notes="One fold of a cross-validation run.",
        config={"fold": fold},
    )
    trainer = L.Trainer(
        logger=wandb_logger,
        max_epochs=2,
        log_every_n_steps=10,
        accelerator=accelerator,
        enable_progress_bar=False,
    )
    # --8<-- [end:logger]
    trainer.fit(DigitsClassifier(), *digits_loaders(fold))
    wandb.finish()


if __name__ == "__main__":
    main()
