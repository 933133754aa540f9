"""Several GPUs (Trainer): DDP training logged to one W&B run, from rank zero.

Run it with `python ddp_trainer.py` on a machine with two GPUs, or try it on any machine
with `python ddp_trainer.py --accelerator cpu` (two processes on the CPU). Lightning
starts the second process by running this file again, so keep it a script: no notebook,
no `python -c`. It runs offline unless you set WANDB_MODE=online (after `wandb login`).
"""

import argparse
import os
import socket
from pathlib import Path

import lightning as L
import torch
import wandb
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
    # No DistributedSampler here: the Trainer adds one,
    # so each process sees half the data.
    return DataLoader(train, batch_size=batch_size, shuffle=True), DataLoader(
        val, batch_size=297
    )


# --8<-- [start:model]
class DigitsClassifier(L.LightningModule):
    def __init__(self, hidden: int = 64, lr: float = 1e-2):
        super().__init__()
        self.save_hyperparameters()  # logged once, by rank zero
        self.net = nn.Sequential(
            nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10)
        )

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self.net(x), y)
        self.log("train_loss", loss)  # rank zero's value, every log_every_n_steps
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        acc = accuracy(self.net(x).argmax(dim=1), y, task="multiclass", num_classes=10)
        # sync_dist=True averages the value over all processes before it is logged
        self.log("val_accuracy", acc, sync_dist=True)

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
        run_dir = trainer.strategy.broadcast(run_dir, src=0)  # every rank must call it
        # Each rank writes a note into the run's folder
        # (one machine or a shared disk)...
        note = Path(run_dir, f"rank-{trainer.global_rank}.txt")
        note.write_text(
            f"rank {trainer.global_rank} of {trainer.world_size}"
            f" on {socket.gethostname()}\n"
        )
        trainer.strategy.barrier()  # ...and waits until all notes are written.
        if trainer.is_global_zero:  # rank zero alone talks to W&B
            for rank in range(trainer.world_size):
                note = Path(run_dir, f"rank-{rank}.txt")
                trainer.logger.experiment.save(str(note), base_path=run_dir)


# --8<-- [end:run_dir]


def main(accelerator: str = "gpu") -> None:
    # --8<-- [start:seed]
    L.seed_everything(0)  # the same initial weights and data order on every rank
    train_loader, val_loader = digits_loaders()
    # --8<-- [end:seed]
    # --8<-- [start:trainer]
    wandb_logger = WandbLogger(
        project="lightning-ddp"
    )  # no run yet: rank zero starts it
    trainer = L.Trainer(
        accelerator=accelerator,
        devices=2,
        strategy="ddp",
        logger=wandb_logger,
        callbacks=[RunDirOnEveryRank()],
        max_epochs=2,
        log_every_n_steps=4,
        enable_progress_bar=False,
    )
    trainer.fit(DigitsClassifier(), train_loader, val_loader)
    if trainer.is_global_zero:
        wandb.finish()  # close the one run; other ranks have no run to close
    # --8<-- [end:trainer]


# --8<-- [start:cli]
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accelerator", default="gpu", help='"gpu" (default) or "cpu"')
    main(parser.parse_args().accelerator)
# --8<-- [end:cli]
