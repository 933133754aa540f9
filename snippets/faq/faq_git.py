"""FAQ (Trainer): in a git repository, W&B records the commit and your uncommitted
changes; `save_code=True` also saves the script itself. The second run turns git off.

Run it inside your git repository with `python faq_git.py` after `wandb login`, or
without an account with `WANDB_MODE=offline python faq_git.py` (`wandb sync` uploads it
later).
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

# --8<-- [start:git]
L.seed_everything(0)
# save_code=True: this script, as it ran, is saved with the run
wandb_logger = WandbLogger(project="lightning-faq", save_code=True)
trainer = L.Trainer(logger=wandb_logger, max_epochs=1, log_every_n_steps=10)
trainer.fit(DigitsClassifier(), *digits_loaders())
wandb.finish()
# --8<-- [end:git]

# --8<-- [start:no_git]
# disable_git=True: no commit and no diff.patch (WANDB_DISABLE_GIT=true does the same)
wandb_logger = WandbLogger(
    project="lightning-faq", settings=wandb.Settings(disable_git=True)
)
trainer = L.Trainer(logger=wandb_logger, max_epochs=1, log_every_n_steps=10)
trainer.fit(DigitsClassifier(), *digits_loaders())
wandb.finish()
# --8<-- [end:no_git]
