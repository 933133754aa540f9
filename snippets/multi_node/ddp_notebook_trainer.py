"""DDP in a notebook (Trainer): two processes forked from the Jupyter kernel, one run.

Run it in Jupyter, a cell per section (the page offers it as a notebook), after
`wandb login`, or without an account with `WANDB_MODE=offline` in the kernel's
environment (`wandb sync` uploads the run later).
"""

# --8<-- [start:imports]
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


# --8<-- [start:finish]
class FinishRunOnRankZero(L.Callback):
    """Closes the W&B run in rank zero's process, which ends without closing it."""

    def teardown(self, trainer, pl_module, stage):
        if trainer.is_global_zero:
            wandb.finish()


# --8<-- [end:finish]

# --8<-- [start:trainer]
# The same initial weights and data order in both processes
L.seed_everything(0)
train_loader, val_loader = digits_loaders()
wandb_logger = WandbLogger(project="lightning-ddp-notebook")
trainer = L.Trainer(
    devices=2,
    # Forks the kernel's process: no script file is run again.
    strategy="ddp_notebook",
    logger=wandb_logger,
    callbacks=[FinishRunOnRankZero()],
    max_epochs=2,
    log_every_n_steps=4,
)
trainer.fit(SyncedDigitsClassifier(), train_loader, val_loader)
# --8<-- [end:trainer]

# --8<-- [start:after]
# Back in the kernel, which has no run: rank zero's last logged values
print(trainer.callback_metrics)
# --8<-- [end:after]
