"""The shape of every snippet: a complete script a reader can copy and run with python.

It logs one tiny training run to W&B: the digits that ship with scikit-learn, a linear
model, one epoch. The contributing guide shows it section by section.
"""

# --8<-- [start:setup]
import os

import lightning as L
import torch
import wandb
from lightning.pytorch.loggers import WandbLogger
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

# Offline by default: the script runs anywhere, without an account.
os.environ.setdefault("WANDB_MODE", "offline")
# --8<-- [end:setup]


class Linear(L.LightningModule):
    def __init__(self, lr: float = 0.1):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Linear(64, 10)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


# --8<-- [start:main]
def main(accelerator: str = "auto") -> None:
    images, labels = load_digits(return_X_y=True)
    data = TensorDataset(
        torch.tensor(images / 16.0, dtype=torch.float32), torch.tensor(labels)
    )
    trainer = L.Trainer(
        logger=WandbLogger(project="new-topic"),
        max_epochs=1,
        log_every_n_steps=5,
        accelerator=accelerator,
        enable_progress_bar=False,
    )
    trainer.fit(Linear(), DataLoader(data, batch_size=128, shuffle=True))
    wandb.finish()


if __name__ == "__main__":
    main()
# --8<-- [end:main]
