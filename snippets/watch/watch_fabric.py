"""Gradients, parameters and topology (Fabric):
watch the raw module before fabric.setup.

Run it with `python watch_fabric.py`. It runs offline unless you set WANDB_MODE.
"""

import os

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


def main(accelerator: str = "auto") -> None:
    # --8<-- [start:watch]
    wandb_logger = WandbLogger(project="lightning-watch")
    fabric = L.Fabric(accelerator=accelerator, devices=1, loggers=[wandb_logger])
    fabric.launch()
    fabric.seed_everything(0)

    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    # Watch the plain module, before fabric.setup wraps it.
    wandb_logger.watch(model, log="all", log_freq=10)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    model, optimizer = fabric.setup(model, optimizer)
    # --8<-- [end:watch]
    train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())

    # --8<-- [start:loop]
    step = 0
    for _epoch in range(2):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            fabric.backward(loss)  # the gradient hooks fire here
            optimizer.step()
            step += 1
            if step % 10 == 0:
                fabric.log("train_loss", loss.item(), step=step)
        model.eval()
        with torch.no_grad():
            x, y = next(iter(val_loader))  # one batch holds all 297 images
            accuracy = (model(x).argmax(dim=1) == y).float().mean().item()
        fabric.log("val_accuracy", accuracy, step=step)
    # --8<-- [end:loop]

    wandb_logger.finalize("success")
    wandb.finish()


if __name__ == "__main__":
    main()
