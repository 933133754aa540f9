"""Resume a run (Trainer): continue training from a checkpoint, in the same W&B run.

It trains for 2 epochs (the session that gets cut short), then starts again from the
last checkpoint and trains up to epoch 4 (the restart). Run it with
`python resume_trainer.py` after `wandb login`, or without an account with
`WANDB_MODE=offline python resume_trainer.py` (`wandb sync` uploads it later).
Delete the checkpoints/ folder to start a new run.
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

# --8<-- [start:train]
CHECKPOINTS = Path("checkpoints", "trainer")
# Beside the checkpoint folder, not in it: ModelCheckpoint expects only its own files.
RUN_ID_FILE = Path("checkpoints", "trainer-wandb-run-id.txt")


def train(max_epochs: int) -> None:
    """Start a new run, or continue the last one from its last checkpoint."""
    last = CHECKPOINTS / "last.ckpt"
    restart = last.exists()
    # On a restart, pass the run's id: W&B continues that run instead of starting one.
    run_id = RUN_ID_FILE.read_text() if restart else None
    wandb_logger = WandbLogger(project="lightning-resume", id=run_id, resume="allow")
    RUN_ID_FILE.parent.mkdir(parents=True, exist_ok=True)
    # Asking for the experiment starts the run: keep its id.
    RUN_ID_FILE.write_text(wandb_logger.experiment.id)
    trainer = L.Trainer(
        # the total, counted from the first session's start
        max_epochs=max_epochs,
        logger=wandb_logger,
        callbacks=[ModelCheckpoint(dirpath=CHECKPOINTS, save_last=True)],
        log_every_n_steps=10,
    )
    # ckpt_path restores the weights, the optimizer, the epoch and trainer.global_step
    trainer.fit(
        DigitsClassifier(), *digits_loaders(), ckpt_path=last if restart else None
    )
    wandb.finish()


# --8<-- [end:train]

# --8<-- [start:sessions]
L.seed_everything(0)
# the session that gets cut short
train(max_epochs=2)
# the restart: epochs 3 and 4
train(max_epochs=4)
# --8<-- [end:sessions]
