"""Logger arguments (Trainer): name, group and tag a run, and prefix its metrics.

Each run trains one fold of a 5-fold cross-validation; the fold comes from the
command line. Run it with `python logger_trainer.py 1` (then 2 to 5) after
`wandb login`, or without an account with
`WANDB_MODE=offline python logger_trainer.py 1` (`wandb sync` uploads it later).
"""

# --8<-- [start:imports]
import sys

import lightning as L
import torch
import wandb
from lightning.pytorch.loggers import WandbLogger
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, Subset, TensorDataset
from torchmetrics.functional import accuracy

# --8<-- [end:imports]


# --8<-- [start:data]
def fold_loaders(fold: int) -> tuple[DataLoader, DataLoader]:
    """Fold 1 to 5 of the digits: every 5th image, from the fold's start, validates."""
    images, labels = load_digits(return_X_y=True)
    dataset = TensorDataset(
        torch.tensor(images / 16.0, dtype=torch.float32), torch.tensor(labels)
    )
    val = [i for i in range(len(dataset)) if i % 5 == fold - 1]
    train = [i for i in range(len(dataset)) if i % 5 != fold - 1]
    return DataLoader(Subset(dataset, train), batch_size=64, shuffle=True), DataLoader(
        Subset(dataset, val), batch_size=len(val)
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

# --8<-- [start:logger]
# The fold to train, from the command line: python logger_trainer.py 1
fold = int(sys.argv[1])
wandb_logger = WandbLogger(
    project="lightning-digits-cv",
    # the run's display name in the app
    name=f"fold{fold}-mlp",
    # train_loss is recorded as "fold1-train_loss"
    prefix=f"fold{fold}",
    # Everything below goes straight to wandb.init(...):
    # the app groups all folds of this experiment
    group="digits-cv",
    job_type="train",
    tags=["digits", "mlp"],
    notes="One fold of a cross-validation run.",
    config={"fold": fold},
)
trainer = L.Trainer(logger=wandb_logger, max_epochs=2, log_every_n_steps=10)
# --8<-- [end:logger]
# --8<-- [start:fit]
L.seed_everything(fold)
trainer.fit(DigitsClassifier(), *fold_loaders(fold))
wandb.finish()
# --8<-- [end:fit]
