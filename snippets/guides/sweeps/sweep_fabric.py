"""Sweeps with Fabric: one training function, run once per hyperparameter choice.

`python sweep_fabric.py` trains every point of the grid offline, one W&B run each.
With a W&B server, `launch()` (or `wandb sweep` + `wandb agent`) lets W&B pick them.
"""

# --8<-- [start:imports]
import itertools
import os

import lightning as L
import torch
import wandb
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split
from wandb.integration.lightning.fabric import WandbLogger

# --8<-- [end:imports]

os.environ.setdefault("WANDB_MODE", "offline")

SWEEP_CONFIG = {
    "method": "grid",  # every combination: 2 x 2 = 4 runs
    "metric": {"name": "val_accuracy", "goal": "maximize"},
    "parameters": {
        "hidden": {"values": [16, 64]},
        "lr": {"values": [0.003, 0.03]},
    },
}


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


# --8<-- [end:data]


# --8<-- [start:train]
def train(config: dict | None = None, accelerator: str = "auto") -> None:
    """One trial. Under a sweep agent, `config` is None and W&B fills it in."""
    wandb.init(project="lightning-sweeps", config=config)
    config = wandb.config  # the values this trial must use

    wandb_logger = WandbLogger()  # no arguments: it logs to the run started above
    fabric = L.Fabric(accelerator=accelerator, devices=1, loggers=[wandb_logger])
    fabric.launch()
    fabric.seed_everything(0)
    model = nn.Sequential(
        nn.Linear(64, config.hidden), nn.ReLU(), nn.Linear(config.hidden, 10)
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    model, optimizer = fabric.setup(model, optimizer)
    train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())

    step = 0
    for _epoch in range(2):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            fabric.backward(loss)
            optimizer.step()
            step += 1
        model.eval()
        with torch.no_grad():
            correct = sum(
                (model(x).argmax(dim=1) == y).sum().item() for x, y in val_loader
            )
        fabric.log_dict({"val_accuracy": correct / len(val_loader.dataset)}, step=step)

    wandb_logger.finalize("success")
    wandb.finish()  # the next trial starts a new run
    # --8<-- [end:train]


def launch() -> None:  # pragma: no cover - needs a W&B server (sweep + agent)
    sweep_id = wandb.sweep(SWEEP_CONFIG, project="lightning-sweeps")
    wandb.agent(sweep_id, function=train, count=4)


def main(accelerator: str = "auto") -> None:
    if os.environ.get("WANDB_SWEEP_ID"):  # pragma: no cover - started by `wandb agent`
        train(accelerator=accelerator)  # one trial, its config chosen by W&B
        return
    # No server: walk the grid yourself, one run per combination.
    names = list(SWEEP_CONFIG["parameters"])
    grid = [SWEEP_CONFIG["parameters"][name]["values"] for name in names]
    for values in itertools.product(*grid):
        train(config=dict(zip(names, values, strict=True)), accelerator=accelerator)


if __name__ == "__main__":
    main()
