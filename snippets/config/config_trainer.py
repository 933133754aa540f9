"""Hyperparameters and config (Trainer): save_hyperparameters, plus your own config
keys.

Run it with `python config_trainer.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python config_trainer.py` (`wandb sync` uploads it later).
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


# --8<-- [start:model]
class DropoutClassifier(L.LightningModule):
    def __init__(self, hidden: int = 64, lr: float = 1e-2, dropout: float = 0.1):
        super().__init__()
        # Records hidden, lr and dropout in self.hparams, in the checkpoint, and
        # (through the logger, when fit starts) in the W&B run's config.
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(64, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, 10)
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

# --8<-- [start:extra_config]
L.seed_everything(0)
train_loader, val_loader = digits_loaders()
wandb_logger = WandbLogger(project="lightning-config")
trainer = L.Trainer(logger=wandb_logger, max_epochs=2, log_every_n_steps=10)
# only rank zero has a real run
if trainer.is_global_zero:
    # add several keys
    wandb_logger.experiment.config.update(
        {"dataset": "sklearn-digits", "train_size": len(train_loader.dataset)}
    )
    # add one key
    wandb_logger.experiment.config["batch_size"] = train_loader.batch_size
    # while the run is open, the module-level wandb.config is the same config
    wandb.config["optimizer"] = "Adam"
# --8<-- [end:extra_config]
# --8<-- [start:fit]
trainer.fit(DropoutClassifier(hidden=32), train_loader, val_loader)
wandb.finish()
# --8<-- [end:fit]
