"""K-fold cross-validation with the Trainer: one W&B run per fold, grouped together.

Run it with `python kfold_trainer.py` after `wandb login`, or without an account with
`WANDB_MODE=offline python kfold_trainer.py` (`wandb sync` uploads the runs later).
"""

# --8<-- [start:imports]
from datetime import datetime

import lightning as L
import torch
import wandb
from lightning.pytorch.loggers import WandbLogger
from sklearn.datasets import load_digits
from sklearn.model_selection import KFold
from torch import nn
from torch.utils.data import DataLoader, Subset, TensorDataset
from torchmetrics.functional import accuracy

# --8<-- [end:imports]


# --8<-- [start:data]
def digits_dataset() -> TensorDataset:
    """scikit-learn ships 1,797 real 8x8 digit images, so nothing is downloaded."""
    images, labels = load_digits(return_X_y=True)
    return TensorDataset(
        torch.tensor(images / 16.0, dtype=torch.float32), torch.tensor(labels)
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

# --8<-- [start:kfold]
dataset = digits_dataset()
# one group per cross-validation: its folds are shown together in the W&B app
group = f"kfold-{datetime.now():%Y%m%d-%H%M%S}"
folds = KFold(n_splits=3, shuffle=True, random_state=0)
scores = []
for fold, (train_idx, val_idx) in enumerate(folds.split(dataset)):
    L.seed_everything(0)
    train_loader = DataLoader(Subset(dataset, train_idx), batch_size=64, shuffle=True)
    val_loader = DataLoader(Subset(dataset, val_idx), batch_size=len(val_idx))
    wandb_logger = WandbLogger(
        project="lightning-several-runs",
        group=group,
        job_type="train",
        name=f"fold-{fold}",
        config={"fold": fold, "n_splits": 3},
    )
    trainer = L.Trainer(logger=wandb_logger, max_epochs=2, log_every_n_steps=10)
    trainer.fit(DigitsClassifier(), train_loader, val_loader)
    scores.append(trainer.callback_metrics["val_accuracy"].item())
    # close this fold's run: the next WandbLogger starts a new one
    wandb.finish()
print(f"val_accuracy over {len(scores)} folds: {sum(scores) / len(scores):.3f}")
# --8<-- [end:kfold]
