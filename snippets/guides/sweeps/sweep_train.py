"""Sweeps with Lightning: one training function, run once per hyperparameter choice.

`python sweep_train.py` trains every point of the grid offline, one W&B run each.
With a W&B server, `launch()` (or `wandb sweep sweep.yaml` + `wandb agent`) lets
W&B pick the points instead.
"""

# --8<-- [start:imports]
import itertools
import os

import lightning as L
import torch
import wandb
from lightning.pytorch.loggers import WandbLogger
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split
from torchmetrics.functional import accuracy

# --8<-- [end:imports]

os.environ.setdefault("WANDB_MODE", "offline")

# --8<-- [start:config]
SWEEP_CONFIG = {
    "method": "grid",  # every combination: 2 x 2 = 4 runs
    "metric": {"name": "val_accuracy", "goal": "maximize"},
    "parameters": {
        "hidden": {"values": [16, 64]},
        "lr": {"values": [0.003, 0.03]},
    },
}
# --8<-- [end:config]


# --8<-- [start:data]
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


class DigitsClassifier(L.LightningModule):
    def __init__(self, hidden: int = 64, lr: float = 1e-2):
        super().__init__()
        self.save_hyperparameters()
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


# --8<-- [end:data]


# --8<-- [start:train]
def train(config: dict | None = None, accelerator: str = "auto") -> None:
    """One trial. Under a sweep agent, `config` is None and W&B fills it in."""
    wandb.init(project="lightning-sweeps", config=config)
    config = wandb.config  # the values this trial must use

    L.seed_everything(0)
    model = DigitsClassifier(hidden=config.hidden, lr=config.lr)
    wandb_logger = WandbLogger()  # no arguments: it logs to the run started above
    trainer = L.Trainer(
        logger=wandb_logger,
        max_epochs=2,
        log_every_n_steps=10,
        accelerator=accelerator,
        enable_progress_bar=False,
    )
    trainer.fit(model, *digits_loaders())
    wandb.finish()  # the next trial starts a new run
    # --8<-- [end:train]


# --8<-- [start:launch]
def launch() -> None:  # pragma: no cover - needs a W&B server (sweep + agent)
    sweep_id = wandb.sweep(SWEEP_CONFIG, project="lightning-sweeps")
    wandb.agent(sweep_id, function=train, count=4)
    # --8<-- [end:launch]


# --8<-- [start:main]
def main(accelerator: str = "auto") -> None:
    if os.environ.get("WANDB_SWEEP_ID"):  # pragma: no cover - started by `wandb agent`
        train(accelerator=accelerator)  # one trial, its config chosen by W&B
        return
    # No server: walk the grid yourself, one run per combination.
    names = list(SWEEP_CONFIG["parameters"])
    grid = [SWEEP_CONFIG["parameters"][name]["values"] for name in names]
    for values in itertools.product(*grid):
        train(config=dict(zip(names, values, strict=True)), accelerator=accelerator)
        # --8<-- [end:main]


if __name__ == "__main__":
    main()
