"""Make W&B optional: train with a CSV logger, or with W&B when asked for and installed.

Run it with `python optional_trainer.py` (no W&B needed: metrics go to logs/), or with
`python optional_trainer.py --wandb` after `wandb login`, or without an account with
`WANDB_MODE=offline python optional_trainer.py --wandb` (`wandb sync` uploads it
later).
"""

# --8<-- [start:imports]
import argparse

import lightning as L
import torch
from lightning.pytorch.loggers import CSVLogger
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split
from torchmetrics.functional import accuracy

# No `import wandb` up here: the script must run where wandb is not installed.
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


# --8<-- [start:make_logger]
def make_logger(use_wandb: bool):
    """W&B when asked for, otherwise a CSV file under logs/."""
    if not use_wandb:
        return CSVLogger("logs", name="digits")
    try:
        import wandb
    except ImportError as error:
        raise ImportError(
            "--wandb needs the `wandb` package, which is not installed: "
            "run `pip install wandb`, or train without --wandb."
        ) from error
    from lightning.pytorch.loggers import WandbLogger

    print(f"Logging to W&B with wandb {wandb.__version__}")
    return WandbLogger(project="lightning-modes")


# --8<-- [end:make_logger]

# --8<-- [start:fit]
parser = argparse.ArgumentParser()
parser.add_argument(
    "--wandb", action="store_true", help="log to W&B (pip install wandb)"
)
args = parser.parse_args()
# Fails here, before any training, when --wandb is given without wandb installed.
logger = make_logger(args.wandb)
L.seed_everything(0)
trainer = L.Trainer(logger=logger, max_epochs=2, log_every_n_steps=10)
trainer.fit(DigitsClassifier(), *digits_loaders())
if args.wandb:
    # Close the W&B run; a CSVLogger needs nothing.
    logger.experiment.finish()
# --8<-- [end:fit]
