"""K-fold cross-validation with Fabric: one W&B run per fold, grouped together.

Run it with `python kfold_fabric.py` after `wandb login`, or without an account with
`WANDB_MODE=offline python kfold_fabric.py` (`wandb sync` uploads the runs later).
"""

# --8<-- [start:imports]
from datetime import datetime

import lightning as L
import torch
import wandb
from sklearn.datasets import load_digits
from sklearn.model_selection import KFold
from torch import nn
from torch.utils.data import DataLoader, Subset, TensorDataset
from wandb.integration.lightning.fabric import WandbLogger

# --8<-- [end:imports]


# --8<-- [start:data]
def digits_dataset() -> TensorDataset:
    """scikit-learn ships 1,797 real 8x8 digit images, so nothing is downloaded."""
    images, labels = load_digits(return_X_y=True)
    return TensorDataset(
        torch.tensor(images / 16.0, dtype=torch.float32), torch.tensor(labels)
    )


# --8<-- [end:data]


# --8<-- [start:train_fold]
def train_fold(fold: int, train_set: Subset, val_set: Subset, group: str) -> float:
    """Train on one fold in a W&B run of its own; return its validation accuracy."""
    wandb_logger = WandbLogger(
        project="lightning-several-runs",
        group=group,
        job_type="train",
        name=f"fold-{fold}",
    )
    fabric = L.Fabric(devices=1, loggers=[wandb_logger])
    fabric.launch()
    fabric.seed_everything(0)
    config = {"fold": fold, "n_splits": 3, "hidden": 64, "lr": 1e-2, "epochs": 2}
    wandb_logger.log_hyperparams(config)

    model = nn.Sequential(
        nn.Linear(64, config["hidden"]), nn.ReLU(), nn.Linear(config["hidden"], 10)
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=config["lr"])
    model, optimizer = fabric.setup(model, optimizer)
    train_loader, val_loader = fabric.setup_dataloaders(
        DataLoader(train_set, batch_size=64, shuffle=True),
        DataLoader(val_set, batch_size=len(val_set)),
    )

    step = 0
    for epoch in range(config["epochs"]):
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
        val_accuracy = correct / len(val_set)
        fabric.log_dict({"val_accuracy": val_accuracy, "epoch": epoch}, step=step)

    # Fabric does not finish its logger by itself
    wandb_logger.finalize("success")
    # close this fold's run: the next WandbLogger starts a new one
    wandb.finish()
    return val_accuracy


# --8<-- [end:train_fold]

# --8<-- [start:kfold]
dataset = digits_dataset()
# one group per cross-validation: its folds are shown together in the W&B app
group = f"kfold-{datetime.now():%Y%m%d-%H%M%S}"
folds = KFold(n_splits=3, shuffle=True, random_state=0)
scores = [
    train_fold(fold, Subset(dataset, train_idx), Subset(dataset, val_idx), group)
    for fold, (train_idx, val_idx) in enumerate(folds.split(dataset))
]
print(f"val_accuracy over {len(scores)} folds: {sum(scores) / len(scores):.3f}")
# --8<-- [end:kfold]
