"""Custom callbacks (Trainer): log sample predictions once per validation epoch.

Run it with `python callbacks_trainer.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python callbacks_trainer.py` (`wandb sync` uploads the run
and its media later).
"""

# --8<-- [start:imports]
import lightning as L
import torch
import wandb
from lightning.pytorch.callbacks import Callback
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


# --8<-- [start:predictions]
class PredictingClassifier(DigitsClassifier):
    """The Quickstart's model, whose validation_step also returns its predictions."""

    def validation_step(self, batch, batch_idx):
        # logs val_accuracy, as in the Quickstart
        super().validation_step(batch, batch_idx)
        x, _ = batch
        # what callbacks receive as `outputs`
        return self.net(x).argmax(dim=1)


# --8<-- [end:predictions]


# --8<-- [start:callback]
def to_uint8(x: torch.Tensor) -> torch.Tensor:
    """(N, 64) floats in [0, 1] -> (N, 1, 32, 32) uint8 in [0, 255], 4x larger,
    on the CPU.

    Tensors are channels first (C, H, W); numpy arrays and PIL images are (H, W).
    """
    images = (x.view(-1, 1, 8, 8) * 255).clamp(0, 255).byte().cpu()
    return images.repeat_interleave(4, dim=2).repeat_interleave(4, dim=3)


class LogPredictionSamplesCallback(Callback):
    def __init__(self, n: int = 16):
        self.n = n

    def on_validation_batch_end(
        self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx=0
    ):
        # The sanity check runs validation before training: log nothing there.
        if trainer.sanity_checking or batch_idx != 0:
            return
        x, y = batch
        images = to_uint8(x[: self.n])
        truths = y[: self.n].tolist()
        # returned by validation_step
        preds = outputs[: self.n].tolist()
        captions = [
            f"Ground truth: {y_i} - Prediction: {y_pred}"
            for y_i, y_pred in zip(truths, preds, strict=True)
        ]
        # the WandbLogger handed to the Trainer
        logger = trainer.logger
        step = trainer.global_step

        # Option 1: a list of images with captions
        logger.log_image(
            key="sample_images", images=list(images), caption=captions, step=step
        )

        # Option 2: a W&B Table, one row per sample
        columns = ["image", "ground truth", "prediction"]
        data = [
            [wandb.Image(x_i), y_i, y_pred]
            for x_i, y_i, y_pred in zip(images, truths, preds, strict=True)
        ]
        logger.log_table(key="sample_table", columns=columns, data=data, step=step)


# --8<-- [end:callback]

# --8<-- [start:trainer]
wandb_logger = WandbLogger(project="lightning-callbacks")
trainer = L.Trainer(
    logger=wandb_logger,
    callbacks=[LogPredictionSamplesCallback()],
    max_epochs=2,
    log_every_n_steps=10,
)
L.seed_everything(0)
train_loader, val_loader = digits_loaders()
trainer.fit(PredictingClassifier(), train_loader, val_loader)
wandb.finish()
# --8<-- [end:trainer]
