"""Several GPUs (Trainer): DDP training logged to one W&B run, from rank zero.

Run it with `python ddp_trainer.py` after `wandb login`, or without an account with
`WANDB_MODE=offline python ddp_trainer.py` (`wandb sync` uploads it later). It trains on
two GPUs; on a machine without any, it runs two processes on the CPU instead. Lightning
starts the second process by running this file again, so keep it a script: no notebook,
no `python -c`.
"""

# --8<-- [start:imports]
import socket
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
class SyncedClassifier(L.LightningModule):
    """The Quickstart's DigitsClassifier, made for DDP: it takes its hyperparameters
    from rank zero, and averages its validation metrics over all ranks.
    """

    def __init__(self, hidden: int = 64, lr: float = 1e-2):
        super().__init__()
        self.save_hyperparameters()

    def setup(self, stage):
        config = dict(self.hparams)
        # A sweep agent hands its values to rank zero's run only: take them there...
        if self.trainer.is_global_zero:
            config.update(self.logger.experiment.config)
        # ...and send them to every rank (every rank must call broadcast).
        config = self.trainer.strategy.broadcast(config, src=0)
        # Logged once, by rank zero, when training starts
        self.save_hyperparameters(config)

    def configure_model(self):
        # Runs on every rank after setup: the layers get the final hyperparameters.
        hidden = self.hparams.hidden
        self.net = nn.Sequential(
            nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10)
        )

    def training_step(self, batch, batch_idx):
        x, y = batch
        # Each rank has its own batch, so its own loss.
        loss = nn.functional.cross_entropy(self.net(x), y)
        # Without sync_dist: rank zero's value, every log_every_n_steps
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        # Each rank scores its own half of the validation set.
        x, y = batch
        logits = self.net(x)
        loss = nn.functional.cross_entropy(logits, y)
        acc = accuracy(logits.argmax(dim=1), y, task="multiclass", num_classes=10)
        # sync_dist=True: the mean over all ranks, the same value on every rank
        self.log_dict({"val_loss": loss, "val_accuracy": acc}, sync_dist=True)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


# --8<-- [end:model]


# --8<-- [start:run_dir]
class RunDirOnEveryRank(L.Callback):
    """Rank zero owns the W&B run;
    broadcast its folder so that every rank can use it.
    """

    def setup(self, trainer, pl_module, stage):
        # Only rank zero has a run:
        # elsewhere `logger.experiment` is a do-nothing stand-in.
        run_dir = trainer.logger.experiment.dir if trainer.is_global_zero else None
        # Every rank must call broadcast.
        run_dir = trainer.strategy.broadcast(run_dir, src=0)
        # Each rank writes a note into the run's folder
        # (one machine or a shared disk)...
        note = Path(run_dir, f"rank-{trainer.global_rank}.txt")
        note.write_text(
            f"rank {trainer.global_rank} of {trainer.world_size}"
            f" on {socket.gethostname()}\n"
        )
        # ...and waits until all notes are written.
        trainer.strategy.barrier()
        # Rank zero alone talks to W&B.
        if trainer.is_global_zero:
            for rank in range(trainer.world_size):
                note = Path(run_dir, f"rank-{rank}.txt")
                trainer.logger.experiment.save(str(note), base_path=run_dir)


# --8<-- [end:run_dir]

# --8<-- [start:trainer]
# The same initial weights and data order on every rank
L.seed_everything(0)
train_loader, val_loader = digits_loaders()
# No run yet: rank zero starts it when the Trainer first needs one.
# log_model=True: rank zero logs the best checkpoint once, at the end.
wandb_logger = WandbLogger(project="lightning-ddp", log_model=True)
# val_accuracy is synced, so every rank ranks the checkpoints by the same value.
checkpoint = ModelCheckpoint(monitor="val_accuracy", mode="max")
trainer = L.Trainer(
    devices=2,
    strategy="ddp",
    logger=wandb_logger,
    callbacks=[RunDirOnEveryRank(), checkpoint],
    max_epochs=2,
    log_every_n_steps=4,
)
trainer.fit(SyncedClassifier(), train_loader, val_loader)
# Close the one run; other ranks have no run to close.
if trainer.is_global_zero:
    wandb.finish()
# --8<-- [end:trainer]
