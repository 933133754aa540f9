"""Resume a run (Trainer): continue training from a checkpoint, in the same W&B run.

Run it with `python resume_trainer.py`: it trains for 2 epochs (the session that gets
cut short), then starts again from the last checkpoint and trains up to epoch 4 (the
restart). It runs offline unless you set WANDB_MODE=online (after `wandb login`).
"""

import os
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


# --8<-- [start:train]
CHECKPOINTS = Path("checkpoints", "trainer")


def train(max_epochs: int, accelerator: str = "auto") -> None:
    """Start a new run, or continue the last one from its last checkpoint."""
    last = CHECKPOINTS / "last.ckpt"
    run_id_file = CHECKPOINTS / "wandb_run_id.txt"
    restart = last.exists()
    # On a restart, pass the run's id: W&B continues that run instead of starting one.
    run_id = run_id_file.read_text() if restart else None
    wandb_logger = WandbLogger(project="lightning-resume", id=run_id, resume="allow")
    CHECKPOINTS.mkdir(parents=True, exist_ok=True)
    run_id_file.write_text(wandb_logger.experiment.id)  # starts the run; keep its id
    trainer = L.Trainer(
        accelerator=accelerator,
        max_epochs=max_epochs,  # the total, counted from the first session's start
        logger=wandb_logger,
        callbacks=[ModelCheckpoint(dirpath=CHECKPOINTS, save_last=True)],
        log_every_n_steps=10,
        enable_progress_bar=False,
    )
    # ckpt_path restores the weights, the optimizer, the epoch and trainer.global_step
    trainer.fit(
        DigitsClassifier(), *digits_loaders(), ckpt_path=last if restart else None
    )
    wandb.finish()


# --8<-- [end:train]


def main(accelerator: str = "auto") -> None:
    L.seed_everything(0)
    # --8<-- [start:sessions]
    train(max_epochs=2, accelerator=accelerator)  # the session that gets cut short
    train(max_epochs=4, accelerator=accelerator)  # the restart: epochs 3 and 4
    # --8<-- [end:sessions]


if __name__ == "__main__":
    main()
