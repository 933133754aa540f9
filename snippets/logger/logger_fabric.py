"""Logger arguments (Fabric): name, group and tag a run, and prefix its metrics.

Run it with `python logger_fabric.py`. It runs offline unless you set WANDB_MODE.
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


def digits_loaders(fold: int, batch_size: int = 64) -> tuple[DataLoader, DataLoader]:
    """A different random split of the digits for each fold."""
    images, labels = load_digits(return_X_y=True)
    dataset = TensorDataset(
        torch.tensor(images / 16.0, dtype=torch.float32), torch.tensor(labels)
    )
    train, val = random_split(
        dataset, [1500, 297], generator=torch.Generator().manual_seed(fold)
    )
    return DataLoader(train, batch_size=batch_size, shuffle=True), DataLoader(
        val, batch_size=297
    )


def main(accelerator: str = "auto", fold: int = 1) -> None:
    # --8<-- [start:logger]
    wandb_logger = WandbLogger(
        project="lightning-digits-cv",
        name=f"fold{fold}-mlp-fabric",  # the run's display name in the app
        prefix=f"fold{fold}",  # train_loss is recorded as "fold1-train_loss"
        # Everything below goes straight to wandb.init(...):
        group="digits-cv",  # the app groups all folds of this experiment
        job_type="train",
        tags=["digits", "mlp", "fabric"],
        notes="One fold of a cross-validation run.",
        config={"fold": fold},
    )
    fabric = L.Fabric(accelerator=accelerator, devices=1, loggers=[wandb_logger])
    fabric.launch()
    # --8<-- [end:logger]
    fabric.seed_everything(fold)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    model, optimizer = fabric.setup(model, optimizer)
    train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders(fold))

    step = 0
    for _epoch in range(2):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            fabric.backward(loss)
            optimizer.step()
            step += 1
            if step % 10 == 0:
                fabric.log("train_loss", loss.item(), step=step)
        model.eval()
        with torch.no_grad():
            x, y = next(iter(val_loader))  # one batch holds all 297 images
            accuracy = (model(x).argmax(dim=1) == y).float().mean().item()
        fabric.log("val_accuracy", accuracy, step=step)

    wandb_logger.finalize("success")
    wandb.finish()


if __name__ == "__main__":
    main()
