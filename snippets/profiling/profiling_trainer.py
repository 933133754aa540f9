"""Profiling (Trainer): the SimpleProfiler's (or AdvancedProfiler's) report, saved
with the W&B run.

Run it with `python profiling_trainer.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python profiling_trainer.py` (`wandb sync` uploads it later).
`python profiling_trainer.py --profiler advanced` profiles every function call.
"""

# --8<-- [start:imports]
import argparse

import lightning as L
import torch
import wandb
from lightning.pytorch.loggers import WandbLogger
from lightning.pytorch.profilers import AdvancedProfiler, SimpleProfiler
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


# --8<-- [start:profiler]
parser = argparse.ArgumentParser()
parser.add_argument("--profiler", choices=["simple", "advanced"], default="simple")
args = parser.parse_args()

wandb_logger = WandbLogger(project="lightning-profiling")
run = wandb_logger.experiment
# A folder per run: the profiler appends to a report that is already there.
report_dir = f"profiler/{run.id}"
profilers = {"simple": SimpleProfiler, "advanced": AdvancedProfiler}
profiler = profilers[args.profiler](dirpath=report_dir, filename="report")
# --8<-- [end:profiler]

# --8<-- [start:fit]
L.seed_everything(0)
trainer = L.Trainer(
    logger=wandb_logger, profiler=profiler, max_epochs=1, log_every_n_steps=8
)
trainer.fit(DigitsClassifier(), *digits_loaders())
# --8<-- [end:fit]

# --8<-- [start:save]
# The Trainer writes <dirpath>/fit-<filename>.txt as fit returns, not before.
run.save(f"{report_dir}/fit-report.txt", base_path=report_dir, policy="now")
wandb.finish()
# --8<-- [end:save]
