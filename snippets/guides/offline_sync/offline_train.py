"""Train offline, sync later: a Trainer run recorded on disk, checkpoint included.

Run it where there is no internet with `WANDB_MODE=offline python offline_train.py`
(or run `wandb offline` once in this folder, then `python offline_train.py`). It prints
the run's folder; upload it later from any machine that can reach W&B with
`wandb sync <that folder>`. Before that, it loads the best checkpoint from the file
Lightning wrote, the one the sync uploads as the artifact's "best" version.
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


# --8<-- [start:train]
L.seed_everything(0)
# offline=False on purpose: WANDB_MODE=offline does the offline part, and
# log_model=True then still records every checkpoint as an artifact to upload.
# save_dir=None: WANDB_DIR decides where the run goes (the default, ".", would win).
wandb_logger = WandbLogger(project="lightning-offline", log_model=True, save_dir=None)
checkpoint = ModelCheckpoint(monitor="val_accuracy", mode="max")
trainer = L.Trainer(
    logger=wandb_logger, callbacks=[checkpoint], max_epochs=2, log_every_n_steps=10
)
trainer.fit(DigitsClassifier(), *digits_loaders())
# wandb/offline-run-<date>_<time>-<run id>
run_dir = Path(wandb_logger.experiment.dir).parent
wandb.finish()
print(f"Recorded offline. Upload it later with: wandb sync {run_dir}")
# --8<-- [end:train]

# --8<-- [start:restore_use]
# the file Lightning wrote; `wandb sync` uploads it as model-<run id>:best
model = DigitsClassifier.load_from_checkpoint(checkpoint.best_model_path)
# --8<-- [end:restore_use]
