"""Where files go (Trainer): the run folder, checkpoints, and staged artifact files.

Run it with `python where_trainer.py` after `wandb login`, or without an account with
`WANDB_MODE=offline python where_trainer.py`.
"""

# --8<-- [start:imports]
from pathlib import Path

import lightning as L
import torch
import wandb
from lightning.pytorch.callbacks import ModelCheckpoint
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

# --8<-- [start:save_dir]
L.seed_everything(0)
train_loader, val_loader = digits_loaders()

wandb_logger = WandbLogger(project="where-files-go", save_dir="outputs", log_model=True)
trainer = L.Trainer(
    logger=wandb_logger,
    max_epochs=2,
    log_every_n_steps=10,
    callbacks=[ModelCheckpoint(monitor="val_accuracy", mode="max")],
)
trainer.fit(DigitsClassifier(), train_loader, val_loader)
# The run's own folder holds files/, logs/ and the run-<id>.wandb record
print("run folder:", Path(wandb_logger.experiment.dir).parent)
print("checkpoint:", trainer.checkpoint_callback.best_model_path)
wandb.finish()
# --8<-- [end:save_dir]

# --8<-- [start:dirpath]
wandb_logger = WandbLogger(project="where-files-go", save_dir=None, log_model=True)
# .experiment starts the run: before that, wandb_logger.version is None
run_id = wandb_logger.experiment.id
checkpoint = ModelCheckpoint(
    dirpath=f"checkpoints/{run_id}", monitor="val_accuracy", mode="max"
)
trainer = L.Trainer(
    logger=wandb_logger, max_epochs=2, log_every_n_steps=10, callbacks=[checkpoint]
)
trainer.fit(DigitsClassifier(), train_loader, val_loader)
print("run folder:", Path(wandb_logger.experiment.dir).parent)
print("checkpoint:", checkpoint.best_model_path)
wandb.finish()
# --8<-- [end:dirpath]
