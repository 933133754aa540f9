"""Sweeps with Fabric: one training function, run once per hyperparameter choice.

Run it with `python sweep_fabric.py` after `wandb login`, or without an account with
`WANDB_MODE=offline python sweep_fabric.py`: it trains every point of the grid itself,
one W&B run each. With a W&B server, `python sweep_fabric.py --sweep` creates the sweep
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
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split
from wandb.integration.lightning.fabric import WandbLogger

# --8<-- [end:imports]

SWEEP_CONFIG = {
    # every combination: 2 x 2 = 4 runs
    "method": "grid",
    "metric": {"name": "val_accuracy", "goal": "maximize"},
    "parameters": {
        "hidden": {"values": [16, 64]},
        "lr": {"values": [0.003, 0.03]},
    },
}


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


# --8<-- [start:train]
def train(config: dict | None = None) -> None:
    """One trial. Under a sweep agent, `config` is None and W&B fills it in."""
    wandb_logger = WandbLogger(project="lightning-sweeps", config=config)
    # the run starts here; its config holds the values this trial must use
    config = wandb_logger.experiment.config

    fabric = L.Fabric(devices=1, loggers=[wandb_logger])
    fabric.launch()
    fabric.seed_everything(0)
    model = nn.Sequential(
        nn.Linear(64, config.hidden), nn.ReLU(), nn.Linear(config.hidden, 10)
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    model, optimizer = fabric.setup(model, optimizer)
    train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())

    step = 0
    for epoch in range(2):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            fabric.backward(loss)
            optimizer.step()
            step += 1
            if step % 10 == 0:
                fabric.log_dict({"train_loss": loss.item()}, step=step)
        model.eval()
        with torch.no_grad():
            correct = sum(
                (model(x).argmax(dim=1) == y).sum().item() for x, y in val_loader
            )
        accuracy = correct / len(val_loader.dataset)
        fabric.log_dict({"val_accuracy": accuracy, "epoch": epoch}, step=step)

    # Fabric does not finish its logger by itself
    wandb_logger.finalize("success")
    # the next trial starts a new run
    wandb.finish()


# --8<-- [end:train]


def launch() -> None:
    """Needs a W&B server: register the sweep, then run four trials in this process."""
    # wandb.sweep registers the grid and returns its ID; the agent then asks the server
    # for each trial's values and calls train() with them.
    wandb.agent(
        wandb.sweep(SWEEP_CONFIG, project="lightning-sweeps"), function=train, count=4
    )


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
