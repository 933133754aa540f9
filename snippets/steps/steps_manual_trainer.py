"""Steps (Trainer): manual optimization with two optimizers, where
trainer.global_step counts the steps of both and trainer/global_step counts batches.

Run it with `python steps_manual_trainer.py` after `wandb login`, or without an
account with `WANDB_MODE=offline python steps_manual_trainer.py`.
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
class TwoOptimizerClassifier(L.LightningModule):
    """The Quickstart's model, optimized by hand: one optimizer per layer."""

    def validation_step(self, batch, batch_idx):
        x, y = batch
        preds = self.net(x).argmax(dim=1)
        self.log("val_accuracy", accuracy(preds, y, task="multiclass", num_classes=10))

    # --8<-- [end:model]
    # --8<-- [start:manual_model]
    def __init__(self, hidden: int = 64, lr: float = 1e-2):
        super().__init__()
        self.save_hyperparameters()  # hidden and lr land in the W&B run's config
        self.net = nn.Sequential(
            nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10)
        )
        self.automatic_optimization = False

    def training_step(self, batch, batch_idx):
        # optimizer steps taken so far, by both optimizers
        self.log("optimizer_steps", self.global_step)
        x, y = batch
        hidden_optimizer, output_optimizer = self.optimizers()
        loss = nn.functional.cross_entropy(self.net(x), y)
        hidden_optimizer.zero_grad()
        output_optimizer.zero_grad()
        self.manual_backward(loss)
        # two optimizer steps a batch: trainer.global_step goes up by 2
        hidden_optimizer.step()
        output_optimizer.step()
        self.log("train_loss", loss)

    def configure_optimizers(self):
        return [
            torch.optim.Adam(self.net[0].parameters(), lr=self.hparams.lr),
            torch.optim.Adam(self.net[2].parameters(), lr=self.hparams.lr),
        ]


# --8<-- [end:manual_model]

# --8<-- [start:fit]
L.seed_everything(0)
wandb_logger = WandbLogger(project="lightning-steps")
trainer = L.Trainer(logger=wandb_logger, max_epochs=2, log_every_n_steps=4)
train_loader, val_loader = digits_loaders()
trainer.fit(TwoOptimizerClassifier(), train_loader, val_loader)
wandb.finish()
# --8<-- [end:fit]
