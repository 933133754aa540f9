"""Learning rate (Trainer): LearningRateMonitor with a scheduler stepped every
epoch, with the optimizer's momentum and weight decay.

Run it with `python lr_epoch_trainer.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python lr_epoch_trainer.py` (`wandb sync` uploads it later).
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
class StepLRClassifier(L.LightningModule):
    """The Quickstart's model, with AdamW and a rate halved after every epoch."""

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
        optimizer = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr)
        # No "interval": Lightning steps it once per epoch, the default.
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
        return [optimizer], [scheduler]


# --8<-- [end:scheduled_model]

# --8<-- [start:fit]
L.seed_everything(0)
wandb_logger = WandbLogger(project="lightning-learning-rate")
# The default logging_interval=None follows the scheduler: once per epoch here.
lr_monitor = LearningRateMonitor(log_momentum=True, log_weight_decay=True)
trainer = L.Trainer(
    logger=wandb_logger, callbacks=[lr_monitor], max_epochs=2, log_every_n_steps=8
)
train_loader, val_loader = digits_loaders()
trainer.fit(StepLRClassifier(), train_loader, val_loader)
wandb.finish()
# --8<-- [end:fit]
