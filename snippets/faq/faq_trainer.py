"""FAQ (Trainer): what a plain WandbLogger records without any extra code.

Run it with `python faq_trainer.py`. It runs offline unless you set WANDB_MODE=online
(after `wandb login`); `wandb sync` uploads an offline run later.
"""

import os

import lightning as L
import torch
import wandb
from lightning.pytorch.loggers import WandbLogger
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split
from torchmetrics.functional import accuracy

os.environ.setdefault("WANDB_MODE", "offline")


def digits_loaders(batch_size: int = 64) -> tuple[DataLoader, DataLoader]:
    """scikit-learn ships 1,797 real 8x8 digit images, so nothing is downloaded."""
    images, labels = load_digits(return_X_y=True)
    dataset = TensorDataset(
        torch.tensor(images / 16.0, dtype=torch.float32), torch.tensor(labels)
    )
    train, val = random_split(
        dataset, [1500, 297], generator=torch.Generator().manual_seed(0)
    )
    return DataLoader(train, batch_size=batch_size, shuffle=True), DataLoader(
        val, batch_size=297
    )


# --8<-- [start:model]
class DigitsClassifier(L.LightningModule):
    def __init__(self, hidden: int = 64, lr: float = 1e-2):
        super().__init__()
        self.save_hyperparameters()  # -> the run's config
        self.net = nn.Sequential(
            nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10)
        )

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self.net(x), y)
        self.log("train_loss", loss)  # -> a metric, against trainer/global_step
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        preds = self.net(x).argmax(dim=1)
        self.log("val_accuracy", accuracy(preds, y, task="multiclass", num_classes=10))

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


# --8<-- [end:model]


def main(accelerator: str = "auto") -> None:
    L.seed_everything(0)
    # --8<-- [start:logger]
    wandb_logger = WandbLogger(project="lightning-faq", log_model=True)
    trainer = L.Trainer(
        accelerator=accelerator,
        max_epochs=2,
        logger=wandb_logger,  # log_model=True: checkpoints become artifacts at the end
        log_every_n_steps=10,
        enable_progress_bar=False,
    )
    trainer.fit(DigitsClassifier(), *digits_loaders())
    print(f"best checkpoint: {trainer.checkpoint_callback.best_model_path}")
    wandb.finish()
    # --8<-- [end:logger]


if __name__ == "__main__":
    main()
