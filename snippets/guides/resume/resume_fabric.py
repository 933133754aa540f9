"""Resume a run (Fabric): save the loop's state with fabric.save,
continue it in the same run.

Run it with `python resume_fabric.py`: it trains for 2 epochs (the session that gets cut
short), then loads the last checkpoint and trains up to epoch 4 (the restart).
It runs offline unless you set WANDB_MODE=online (after `wandb login`).
"""

import os
from pathlib import Path

import lightning as L
import torch
import wandb
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split
from wandb.integration.lightning.fabric import WandbLogger

os.environ.setdefault("WANDB_MODE", "offline")


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


CHECKPOINTS = Path("checkpoints", "fabric")


def train(epochs: int, accelerator: str = "auto") -> None:
    """Start a new run, or continue the last one from its last checkpoint."""
    # --8<-- [start:run_id]
    last = CHECKPOINTS / "last.ckpt"
    run_id_file = CHECKPOINTS / "wandb_run_id.txt"
    # On a restart, pass the run's id: W&B continues that run instead of starting one.
    run_id = run_id_file.read_text() if last.exists() else None
    wandb_logger = WandbLogger(project="lightning-resume", id=run_id, resume="allow")
    CHECKPOINTS.mkdir(parents=True, exist_ok=True)
    run_id_file.write_text(wandb_logger.experiment.id)  # starts the run; keep its id
    fabric = L.Fabric(accelerator=accelerator, devices=1, loggers=[wandb_logger])
    # --8<-- [end:run_id]
    fabric.launch()
    config = {"hidden": 64, "lr": 1e-2}
    wandb_logger.log_hyperparams(config)
    model = nn.Sequential(
        nn.Linear(64, config["hidden"]), nn.ReLU(), nn.Linear(config["hidden"], 10)
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=config["lr"])
    model, optimizer = fabric.setup(model, optimizer)
    train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())

    # --8<-- [start:state]
    # Everything the loop needs to go on: weights, optimizer, and where it stood.
    state = {"model": model, "optimizer": optimizer, "epoch": 0, "step": 0}
    if last.exists():
        fabric.load(last, state)  # restores the objects in place and the counters
    # --8<-- [end:state]

    # --8<-- [start:loop]
    for epoch in range(state["epoch"], epochs):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            fabric.backward(loss)
            optimizer.step()
            state["step"] += 1
            if state["step"] % 10 == 0:  # the step goes on from the checkpoint's
                metrics = {"train_loss": loss.item(), "epoch": epoch}
                fabric.log_dict(metrics, step=state["step"])

        model.eval()
        with torch.no_grad():
            correct = sum((model(x).argmax(1) == y).sum().item() for x, y in val_loader)
        accuracy = correct / len(val_loader.dataset)
        fabric.log_dict({"val_accuracy": accuracy}, step=state["step"])
        state["epoch"] = epoch + 1
        fabric.save(last, state)  # after every epoch: a restart loses at most one

    wandb_logger.finalize("success")
    wandb.finish()
    # --8<-- [end:loop]


def main(accelerator: str = "auto") -> None:
    L.seed_everything(0)
    # --8<-- [start:sessions]
    train(epochs=2, accelerator=accelerator)  # the session that gets cut short
    train(epochs=4, accelerator=accelerator)  # the restart: epochs 3 and 4
    # --8<-- [end:sessions]


if __name__ == "__main__":
    main()
