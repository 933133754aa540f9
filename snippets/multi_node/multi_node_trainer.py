"""Several nodes (Trainer): one job on two machines, logged to one W&B run.

Start it once on every node, with torchrun or with `srun` from a SLURM batch script
(`run_multi_node.sh`, `slurm_job.sh`); each node runs its share of the ranks, and global
rank zero alone logs to W&B. Log in first (`wandb login`), or, without an account,
give every node's process `WANDB_MODE=offline`, as in
`WANDB_MODE=offline python multi_node_trainer.py` (`wandb sync` uploads the run later).
"""

# --8<-- [start:imports]
import os

import lightning as L
import torch
import wandb
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


# --8<-- [start:model_setup]
class SyncedDigitsClassifier(L.LightningModule):
    """The Quickstart's classifier, its validation metrics averaged over all ranks."""

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

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)

    # --8<-- [end:model_setup]
    # --8<-- [start:model]
    def validation_step(self, batch, batch_idx):
        # Each rank, on each node, scores its own share of the validation set.
        x, y = batch
        logits = self.net(x)
        loss = nn.functional.cross_entropy(logits, y)
        acc = accuracy(logits.argmax(dim=1), y, task="multiclass", num_classes=10)
        # sync_dist=True: the mean over every rank of every node
        self.log_dict({"val_loss": loss, "val_accuracy": acc}, sync_dist=True)


# --8<-- [end:model]

# --8<-- [start:trainer]
# The same initial weights and data order on every rank of every node
L.seed_everything(0)
train_loader, val_loader = digits_loaders()
# A SLURM job's id names the run, and a requeued job keeps its id:
# the run continues. Elsewhere (torchrun) there is no job id, and W&B picks one.
wandb_logger = WandbLogger(
    project="lightning-multi-node",
    id=os.environ.get("SLURM_JOB_ID"),
    resume="allow",
)
trainer = L.Trainer(
    # devices="auto" (the default): every GPU of a node, or one CPU process
    num_nodes=2,
    strategy="ddp",
    logger=wandb_logger,
    max_epochs=2,
    log_every_n_steps=4,
)
trainer.fit(SyncedDigitsClassifier(), train_loader, val_loader)
# Global rank zero has the one run; no other rank, on any node, has one.
if trainer.is_global_zero:
    wandb.finish()
# --8<-- [end:trainer]
