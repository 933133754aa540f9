"""Mixed precision (Trainer): what precision="bf16-mixed" changes in what W&B
records, and how the run keeps the setting.

Run it with `python precision_trainer.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python precision_trainer.py` (`wandb sync` uploads it later).
On a GPU, `python precision_trainer.py --precision 16-mixed` also scales the loss.
"""

# --8<-- [start:imports]
import argparse

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
class PrecisionClassifier(L.LightningModule):
    """The Quickstart's model, logging what mixed precision changes."""

    def __init__(self, hidden: int = 64, lr: float = 1e-2):
        super().__init__()
        self.save_hyperparameters()  # hidden and lr land in the W&B run's config
        self.net = nn.Sequential(
            nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10)
        )

    def validation_step(self, batch, batch_idx):
        x, y = batch
        preds = self.net(x).argmax(dim=1)
        self.log("val_accuracy", accuracy(preds, y, task="multiclass", num_classes=10))

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)

    # --8<-- [end:model]
    # --8<-- [start:precision_model]
    def training_step(self, batch, batch_idx):
        x, y = batch
        # Under autocast, Linear layers compute in bfloat16 ("bf16-mixed")
        # or float16 ("16-mixed"): the logits come out in that dtype.
        logits = self.net(x)
        # cross_entropy is one of the operations autocast keeps in float32.
        loss = nn.functional.cross_entropy(logits, y)
        self.log("train_loss", loss)
        # A value computed from the logits keeps their few significant digits.
        self.log("max_abs_logit", logits.abs().max())
        return loss

    def on_before_optimizer_step(self, optimizer):
        # Only "16-mixed" scales the loss, with a GradScaler; the others do not
        # (scale 1). A falling scale means the gradients overflowed float16.
        scaler = self.trainer.scaler
        self.log("loss_scale", scaler.get_scale() if scaler is not None else 1.0)


# --8<-- [end:precision_model]

# --8<-- [start:fit]
parser = argparse.ArgumentParser()
parser.add_argument("--precision", default="bf16-mixed", help='"16-mixed" on a GPU')
args = parser.parse_args()

L.seed_everything(0)
wandb_logger = WandbLogger(project="lightning-precision")
trainer = L.Trainer(
    precision=args.precision,
    logger=wandb_logger,
    max_epochs=1,
    log_every_n_steps=8,
    # The model summary knows no mixed precision and would warn about it.
    enable_model_summary=False,
)
# Lightning records the precision nowhere in the run: put the one it uses into
# the config (it can differ from the one asked for).
wandb_logger.log_hyperparams({"precision": trainer.precision})
trainer.fit(PrecisionClassifier(), *digits_loaders())
wandb.finish()
# --8<-- [end:fit]
