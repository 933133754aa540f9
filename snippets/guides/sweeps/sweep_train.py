"""Sweeps with Lightning: one training function, run once per hyperparameter choice.

Run it with `python sweep_train.py` after `wandb login`, or without an account with
`WANDB_MODE=offline python sweep_train.py`: it trains every point of the grid itself,
one W&B run each. With a W&B server, `python sweep_train.py --sweep` creates the sweep
and runs an agent that lets W&B pick the points; `wandb agent` starts the script with
`WANDB_SWEEP_ID` set, and it trains the one trial W&B chose.
"""

# --8<-- [start:imports]
import itertools
import os
import sys

import lightning as L
import torch
import wandb
from lightning.pytorch.loggers import WandbLogger
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split
from torchmetrics.functional import accuracy

# --8<-- [end:imports]

# --8<-- [start:config]
SWEEP_CONFIG = {
    # every combination: 2 x 2 = 4 runs
    "method": "grid",
    "metric": {"name": "val_accuracy", "goal": "maximize"},
    "parameters": {
        "hidden": {"values": [16, 64]},
        "lr": {"values": [0.003, 0.03]},
    },
}
# --8<-- [end:config]


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
def train(config: dict | None = None) -> None:
    """One trial. Under a sweep agent, `config` is None and W&B fills it in."""
    wandb_logger = WandbLogger(project="lightning-sweeps", config=config)
    # the run starts here; its config holds the values this trial must use
    config = wandb_logger.experiment.config

    L.seed_everything(0)
    model = DigitsClassifier(hidden=config.hidden, lr=config.lr)
    trainer = L.Trainer(logger=wandb_logger, max_epochs=2, log_every_n_steps=10)
    trainer.fit(model, *digits_loaders())
    # the next trial starts a new run
    wandb.finish()


# --8<-- [end:train]


# --8<-- [start:launch]
def launch() -> None:
    """Needs a W&B server: register the sweep, then run four trials in this process."""
    # wandb.sweep registers the grid and returns its ID; the agent then asks the server
    # for each trial's values and calls train() with them.
    wandb.agent(
        wandb.sweep(SWEEP_CONFIG, project="lightning-sweeps"), function=train, count=4
    )


# --8<-- [end:launch]

# --8<-- [start:main]
if "--sweep" in sys.argv:
    launch()
elif os.environ.get("WANDB_SWEEP_ID"):
    # started by `wandb agent`: one trial, its values chosen by W&B
    train()
else:
    # No server: walk the grid yourself, one run per combination.
    names = list(SWEEP_CONFIG["parameters"])
    grid = [SWEEP_CONFIG["parameters"][name]["values"] for name in names]
    for values in itertools.product(*grid):
        train(config=dict(zip(names, values, strict=True)))
# --8<-- [end:main]
