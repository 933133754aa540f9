"""Check your setup: train a tiny digit classifier with the Trainer and log it to W&B.

python check_setup.py                      # offline: the default of this script
WANDB_MODE=online python check_setup.py    # live, after `wandb login`
WANDB_MODE=disabled python check_setup.py  # W&B does nothing, training still runs
"""

import os

import lightning as L
import torch
import wandb
from lightning.pytorch.loggers import WandbLogger
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split

# --8<-- [start:default_mode]
# Offline unless you chose a mode yourself (WANDB_MODE=online or disabled).
os.environ.setdefault("WANDB_MODE", "offline")
# --8<-- [end:default_mode]


def log_in() -> None:  # pragma: no cover - needs a W&B account and asks for an API key
    # --8<-- [start:notebook_login]
    import wandb

    wandb.login()  # prompts for the key once and stores it in ~/.netrc
    # --8<-- [end:notebook_login]


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
        accuracy = (self.net(x).argmax(dim=1) == y).float().mean()
        self.log("val_accuracy", accuracy)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main(accelerator: str = "auto") -> float:
    """Train for two epochs; return the last validation accuracy."""
    L.seed_everything(0)
    # --8<-- [start:run]
    wandb_logger = WandbLogger(project="lightning-setup-check")
    trainer = L.Trainer(
        logger=wandb_logger,
        max_epochs=2,
        log_every_n_steps=10,
        accelerator=accelerator,
        enable_progress_bar=False,
    )
    trainer.fit(DigitsClassifier(), *digits_loaders())
    print("W&B mode:", os.environ["WANDB_MODE"], "run id:", wandb_logger.version)
    wandb.finish()
    # --8<-- [end:run]
    return float(trainer.callback_metrics["val_accuracy"])


if __name__ == "__main__":
    main()
