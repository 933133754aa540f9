"""Logger arguments (Fabric): name, group and tag a run, and prefix its metrics.

Each run trains one fold of a 5-fold cross-validation; the fold comes from the
command line. Run it with `python logger_fabric.py 1` (then 2 to 5) after
`wandb login`, or without an account with `WANDB_MODE=offline python logger_fabric.py 1`
(`wandb sync` uploads it later).
"""

# --8<-- [start:imports]
import sys

import lightning as L
import torch
import wandb
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, Subset, TensorDataset
from wandb.integration.lightning.fabric import WandbLogger

# --8<-- [end:imports]


# --8<-- [start:data]
def fold_loaders(fold: int) -> tuple[DataLoader, DataLoader]:
    """Fold 1 to 5 of the digits: every 5th image, from the fold's start, validates."""
    images, labels = load_digits(return_X_y=True)
    dataset = TensorDataset(
        torch.tensor(images / 16.0, dtype=torch.float32), torch.tensor(labels)
    )
    val = [i for i in range(len(dataset)) if i % 5 == fold - 1]
    train = [i for i in range(len(dataset)) if i % 5 != fold - 1]
    return DataLoader(Subset(dataset, train), batch_size=64, shuffle=True), DataLoader(
        Subset(dataset, val), batch_size=len(val)
    )


# --8<-- [end:data]

# --8<-- [start:logger]
# The fold to train, from the command line: python logger_fabric.py 1
fold = int(sys.argv[1])
wandb_logger = WandbLogger(
    project="lightning-digits-cv",
    # the run's display name in the app
    name=f"fold{fold}-mlp-fabric",
    # train_loss is recorded as "fold1-train_loss"
    prefix=f"fold{fold}",
    # Everything below goes straight to wandb.init(...):
    # the app groups all folds of this experiment
    group="digits-cv",
    job_type="train",
    tags=["digits", "mlp", "fabric"],
    notes="One fold of a cross-validation run.",
    config={"fold": fold},
)
fabric = L.Fabric(devices=1, loggers=[wandb_logger])
fabric.launch()
# --8<-- [end:logger]

# --8<-- [start:loop]
fabric.seed_everything(fold)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
model, optimizer = fabric.setup(model, optimizer)
train_loader, val_loader = fabric.setup_dataloaders(*fold_loaders(fold))

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
            fabric.log_dict({"train_loss": loss.item(), "epoch": epoch}, step=step)

    model.eval()
    with torch.no_grad():
        correct = sum((model(x).argmax(dim=1) == y).sum().item() for x, y in val_loader)
    fabric.log("val_accuracy", correct / len(val_loader.dataset), step=step)

wandb_logger.finalize("success")
wandb.finish()
# --8<-- [end:loop]
