"""LightningCLI with W&B: train from config.yaml, and log the whole config to the run.

Run it with `python cli.py fit --config config.yaml` after `wandb login`, or without an
account with `WANDB_MODE=offline python cli.py fit --config config.yaml`. Options on the
command line override the file: `--model.lr=0.02 --trainer.logger.name=lr-0.02`.
"""

# --8<-- [start:imports]
from pathlib import Path

import lightning as L
import torch
import wandb
import yaml
from lightning.pytorch.cli import LightningCLI, SaveConfigCallback
from lightning.pytorch.loggers import WandbLogger
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split
from torchmetrics.functional import accuracy

# --8<-- [end:imports]


# --8<-- [start:data]
class CLIDigitsData(L.LightningDataModule):
    def __init__(self, batch_size: int = 64):
        super().__init__()
        self.batch_size = batch_size

    def setup(self, stage: str):
        images, labels = load_digits(return_X_y=True)
        dataset = TensorDataset(
            torch.tensor(images / 16.0, dtype=torch.float32), torch.tensor(labels)
        )
        self.train, self.val = random_split(
            dataset, [1500, 297], generator=torch.Generator().manual_seed(0)
        )

    def train_dataloader(self):
        return DataLoader(self.train, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val, batch_size=297)


# --8<-- [end:data]


# --8<-- [start:model]
class CLIClassifier(L.LightningModule):
    def __init__(self, hidden: int = 64, lr: float = 1e-2):
        super().__init__()
        # kept for checkpoints, not logged: the CLI logs its whole config instead
        self.save_hyperparameters(logger=False)
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


# --8<-- [start:callback]
class WandbSaveConfigCallback(SaveConfigCallback):
    """Log the CLI's whole config to the W&B run: as its config, and as a file."""

    def save_config(self, trainer, pl_module, stage):
        if isinstance(trainer.logger, WandbLogger):
            text = self.parser.dump(self.config, skip_none=False)
            trainer.logger.log_hyperparams(yaml.safe_load(text))
            run = trainer.logger.experiment
            path = Path(run.dir) / self.config_filename
            path.write_text(text)
            run.save(str(path), base_path=run.dir, policy="now")


# --8<-- [end:callback]

# --8<-- [start:cli]
cli = LightningCLI(
    CLIClassifier,
    CLIDigitsData,
    save_config_callback=WandbSaveConfigCallback,
    save_config_kwargs={"save_to_log_dir": False},
)
wandb.finish()
# --8<-- [end:cli]
