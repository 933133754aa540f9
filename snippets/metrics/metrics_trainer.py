"""Metrics (Trainer): self.log with torchmetrics, logging straight to the run,
define_metric.

Run it with `python metrics_trainer.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python metrics_trainer.py` (`wandb sync` uploads it later).
"""

# --8<-- [start:imports]
import lightning as L
import torch
import wandb
from lightning.pytorch.loggers import WandbLogger
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split
from torchmetrics.classification import MulticlassAccuracy

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
class MetricsClassifier(L.LightningModule):
    def __init__(self, hidden: int = 64, lr: float = 1e-2):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10)
        )
        # Module metrics: attributes of the module, so they move to its device,
        # accumulate over the epoch and reset when Lightning logs them.
        self.train_accuracy = MulticlassAccuracy(num_classes=10, average="micro")
        self.val_accuracy = MulticlassAccuracy(num_classes=10, average="micro")

    def training_step(self, batch, batch_idx):
        x, y = batch
        logits = self.net(x)
        loss = nn.functional.cross_entropy(logits, y)
        self.train_accuracy(logits, y)
        # on_step and on_epoch: recorded as train_loss_step and train_loss_epoch
        self.log("train_loss", loss, on_step=True, on_epoch=True)
        # epoch only: keeps its name, train_accuracy
        self.log("train_accuracy", self.train_accuracy, on_step=False, on_epoch=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self.net(x)
        self.val_accuracy(logits, y)
        # in validation the default is on_epoch=True: one value per epoch
        self.log("val_loss", nn.functional.cross_entropy(logits, y))
        self.log("val_accuracy", self.val_accuracy)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)

    # --8<-- [end:model]
    # --8<-- [start:log_direct]
    def on_train_epoch_start(self):
        # Only rank zero has a real run.
        if self.trainer.is_global_zero:
            # self.log takes scalars; a histogram of the weights goes to the run.
            weights = self.net[0].weight.detach().cpu()
            self.logger.experiment.log(
                {
                    "first_layer_weights": wandb.Histogram(weights.numpy()),
                    # never step=: the row joins the Trainer's x-axis
                    "trainer/global_step": self.trainer.global_step,
                }
            )

    # --8<-- [end:log_direct]
    # --8<-- [start:define_metric]
    def on_fit_start(self):
        # Once, on rank zero, after the logger has created the run:
        # the summary of val_accuracy becomes its maximum, not its last value.
        if self.trainer.is_global_zero:
            self.logger.experiment.define_metric(
                "val_accuracy", step_metric="trainer/global_step", summary="max"
            )

    # --8<-- [end:define_metric]


# --8<-- [start:fit]
L.seed_everything(0)
wandb_logger = WandbLogger(project="lightning-metrics")
# 24 batches an epoch: on_step values are recorded every 10 steps
trainer = L.Trainer(logger=wandb_logger, max_epochs=2, log_every_n_steps=10)
train_loader, val_loader = digits_loaders()
trainer.fit(MetricsClassifier(), train_loader, val_loader)
wandb.finish()
# --8<-- [end:fit]
