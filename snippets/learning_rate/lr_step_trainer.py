"""Learning rate (Trainer): LearningRateMonitor with a scheduler stepped every
optimizer step, two parameter groups and their momentum.

Run it with `python lr_step_trainer.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python lr_step_trainer.py` (`wandb sync` uploads it later).
"""

# --8<-- [start:imports]
import lightning as L
import torch
import wandb
from lightning.pytorch.callbacks import LearningRateMonitor
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
class OneCycleClassifier(L.LightningModule):
    """The Quickstart's model, with SGD over two parameter groups and OneCycleLR."""

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

    # --8<-- [end:model]
    # --8<-- [start:scheduled_model]
    def configure_optimizers(self):
        optimizer = torch.optim.SGD(
            [
                # parameter group 1: the hidden layer
                {"params": self.net[0].parameters()},
                # parameter group 2: the output layer
                {"params": self.net[2].parameters()},
            ],
            lr=self.hparams.lr,
            momentum=0.9,
        )
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optimizer,
            # one peak rate per group: the output layer's is ten times lower
            max_lr=[self.hparams.lr, self.hparams.lr / 10],
            # every optimizer step of the fit, accumulation included
            total_steps=self.trainer.estimated_stepping_batches,
        )
        # "interval": "step" makes Lightning call scheduler.step() after every
        # optimizer step; the default, "epoch", after every epoch.
        return {
            "optimizer": optimizer,
            "lr_scheduler": {"scheduler": scheduler, "interval": "step"},
        }


# --8<-- [end:scheduled_model]

# --8<-- [start:fit]
L.seed_everything(0)
wandb_logger = WandbLogger(project="lightning-learning-rate")
# log_momentum=True: OneCycleLR moves the momentum too, against the rate
lr_monitor = LearningRateMonitor(logging_interval="step", log_momentum=True)
trainer = L.Trainer(
    logger=wandb_logger, callbacks=[lr_monitor], max_epochs=2, log_every_n_steps=4
)
train_loader, val_loader = digits_loaders()
trainer.fit(OneCycleClassifier(lr=0.1), train_loader, val_loader)
wandb.finish()
# --8<-- [end:fit]
