"""Image classification, end to end, with the Lightning Trainer and W&B.

A LightningDataModule, a small CNN with torchmetrics, a callback that logs
predictions as images, early stopping, checkpoints logged as W&B artifacts, and a
test on the best checkpoint.

Run it with `python image_classification_trainer.py` after `wandb login`, or without an
account with `WANDB_MODE=offline python image_classification_trainer.py` (`wandb sync`
uploads it later).
"""

# --8<-- [start:imports]
from pathlib import Path

import lightning as L
import numpy as np
import torch
import wandb
from lightning.pytorch.callbacks import Callback, EarlyStopping, ModelCheckpoint
from lightning.pytorch.loggers import WandbLogger
from sklearn.datasets import load_digits
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset, random_split
from torchmetrics.classification import MulticlassAccuracy

# --8<-- [end:imports]


# --8<-- [start:datamodule]
class DigitsDataModule(L.LightningDataModule):
    """1,797 real 8x8 handwritten digits from scikit-learn:
    1,200 train, 300 val, 297 test.
    """

    def __init__(self, data_dir: str = "data", batch_size: int = 64):
        super().__init__()
        self.data_dir = Path(data_dir)
        self.batch_size = batch_size
        self.num_classes = 10
        self.dims = (1, 8, 8)  # channels, height, width

    def prepare_data(self):
        # Runs once, on one process: fetch and write to disk, never assign state here.
        # scikit-learn ships the digits, so "fetching" is writing them to data_dir.
        path = self.data_dir / "digits.npz"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            images, labels = load_digits(return_X_y=True)
            np.savez(path, images=images, labels=labels)

    def setup(self, stage: str):
        # Runs on every process: load from disk, transform, split.
        with np.load(self.data_dir / "digits.npz") as data:
            images = torch.tensor(data["images"] / 16.0, dtype=torch.float32)
            labels = torch.tensor(data["labels"])
        full = TensorDataset(images.view(-1, *self.dims), labels)  # to 1x8x8, in [0, 1]
        # The same seed in every stage, so the test split never leaks into training.
        train, val, test = random_split(
            full, [1200, 300, 297], generator=torch.Generator().manual_seed(42)
        )
        if stage in ("fit", "validate"):
            self.train_set, self.val_set = train, val
        if stage in ("test", "predict"):
            self.test_set = test

    def train_dataloader(self):
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_set, batch_size=self.batch_size)

    def test_dataloader(self):
        return DataLoader(self.test_set, batch_size=self.batch_size)


# --8<-- [end:datamodule]


# --8<-- [start:model]
class ImageClassifier(L.LightningModule):
    def __init__(
        self,
        in_channels: int = 1,
        image_size: int = 8,
        num_classes: int = 10,
        lr: float = 1e-2,
    ):
        super().__init__()
        self.save_hyperparameters()  # these four land in the W&B run's config
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 16, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 8x8 -> 4x4
        )
        flat = 32 * (image_size // 2) ** 2
        self.head = nn.Sequential(
            nn.Flatten(), nn.Linear(flat, 64), nn.ReLU(), nn.Linear(64, num_classes)
        )
        # One metric object per stage: each keeps its own running state.
        self.train_accuracy = MulticlassAccuracy(num_classes=num_classes)
        self.val_accuracy = MulticlassAccuracy(num_classes=num_classes)
        self.test_accuracy = MulticlassAccuracy(num_classes=num_classes)

    def forward(self, x):
        return self.head(self.features(x))

    def training_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        loss = F.cross_entropy(logits, y)
        self.train_accuracy(logits, y)
        self.log("train_loss", loss)
        self.log("train_accuracy", self.train_accuracy, on_step=False, on_epoch=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.val_accuracy(logits, y)
        self.log("val_loss", F.cross_entropy(logits, y))  # averaged over the epoch
        self.log("val_accuracy", self.val_accuracy)
        return {"preds": logits.argmax(dim=1)}  # the callback below reads these

    def test_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.test_accuracy(logits, y)
        self.log("test_loss", F.cross_entropy(logits, y))
        self.log("test_accuracy", self.test_accuracy)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


# --8<-- [end:model]


# --8<-- [start:callback]
class ImagePredictionLogger(Callback):
    """Logs the first validation batch's images, captioned with prediction and label."""

    def __init__(self, num_samples: int = 16):
        super().__init__()
        self.num_samples = num_samples

    def on_validation_batch_end(
        self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx=0
    ):
        # Skip the sanity check (else the first epoch logs twice),
        # and log once an epoch.
        if trainer.sanity_checking or batch_idx != 0 or dataloader_idx != 0:
            return
        x, y = batch
        n = self.num_samples
        # wandb wants uint8 in [0, 255]: floats in [0, 1] come out black.
        pixels = (x[:n, 0] * 255).clamp(0, 255).byte().cpu().numpy()
        images = [
            wandb.Image(img, caption=f"pred {pred}, label {label}")
            for img, pred, label in zip(
                pixels, outputs["preds"][:n].tolist(), y[:n].tolist(), strict=True
            )
        ]
        # No step=: W&B would drop the row. The logger's x-axis goes in the dict.
        trainer.logger.experiment.log(
            {"val_examples": images, "trainer/global_step": trainer.global_step}
        )


# --8<-- [end:callback]


# --8<-- [start:setup]
L.seed_everything(0)
dm = DigitsDataModule(batch_size=64)
model = ImageClassifier(in_channels=1, image_size=8, num_classes=dm.num_classes)

wandb_logger = WandbLogger(
    project="lightning-image-classification", job_type="train", log_model="all"
)
# Stop when val_loss has not improved by at least min_delta for `patience` epochs.
early_stopping = EarlyStopping(monitor="val_loss", patience=1, min_delta=0.02)
# Keep the checkpoint with the best val_accuracy; log_model="all" uploads each one.
checkpoint = ModelCheckpoint(monitor="val_accuracy", mode="max")
max_epochs = 10  # a ceiling: early stopping ends the run sooner
trainer = L.Trainer(
    max_epochs=max_epochs,
    logger=wandb_logger,
    callbacks=[early_stopping, checkpoint, ImagePredictionLogger(num_samples=16)],
    log_every_n_steps=5,
    enable_progress_bar=False,
)
wandb_logger.log_hyperparams({"batch_size": dm.batch_size, "max_epochs": max_epochs})
# --8<-- [end:setup]
# --8<-- [start:fit]
trainer.fit(model, datamodule=dm)
# Record why training ended: the epoch early stopping stopped at
# (0 if it never did).
# Read it now: test(ckpt_path=...) restores callback state from that checkpoint.
stopped_epoch = early_stopping.stopped_epoch
wandb_logger.experiment.summary["stopped_epoch"] = stopped_epoch
# Evaluate the best checkpoint (by val_accuracy) on the held-out test split.
trainer.test(datamodule=dm, ckpt_path="best")
wandb.finish()
# --8<-- [end:fit]
