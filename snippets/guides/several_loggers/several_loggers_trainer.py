"""Several loggers at once (Trainer): W&B and a CSV file from the same `self.log` calls.

Run it with `python several_loggers_trainer.py` after `wandb login`, or without an
account with `WANDB_MODE=offline python several_loggers_trainer.py` (`wandb sync`
uploads it later). The CSV lands in logs/digits/version_<n>/metrics.csv.
"""

# --8<-- [start:imports]
import os

import lightning as L
import torch
import wandb
from lightning.pytorch.loggers import CSVLogger, WandbLogger
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


# --8<-- [start:reach_in_module]
class BestAccuracyClassifier(DigitsClassifier):
    """The Quickstart's model, plus a max summary for val_accuracy in W&B."""

    def on_fit_start(self):
        # self.loggers holds every logger; self.logger is only the first one.
        for logger in self.loggers:
            if isinstance(logger, WandbLogger) and self.trainer.is_global_zero:
                logger.experiment.define_metric("val_accuracy", summary="max")


# --8<-- [end:reach_in_module]

# --8<-- [start:loggers]
L.seed_everything(0)
wandb_logger = WandbLogger(project="lightning-loggers")
csv_logger = CSVLogger("logs", name="digits")
# the first logger is trainer.logger
trainer = L.Trainer(
    logger=[wandb_logger, csv_logger], max_epochs=2, log_every_n_steps=10
)
trainer.fit(BestAccuracyClassifier(), *digits_loaders())
# --8<-- [end:loggers]
# --8<-- [start:reach_run]
# Find the W&B run among the loggers, without relying on their order.
run = next(lg for lg in trainer.loggers if isinstance(lg, WandbLogger)).experiment
csv_file = os.path.join(csv_logger.log_dir, "metrics.csv")
# keep a copy of the CSV file with the run
run.save(csv_file, base_path=csv_logger.log_dir, policy="now")
wandb.finish()
# --8<-- [end:reach_run]
