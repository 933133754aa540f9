"""Metrics (Fabric): fabric.log and fabric.log_dict with step=, torchmetrics,
define_metric.

Run it with `python metrics_fabric.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python metrics_fabric.py` (`wandb sync` uploads it later).
"""

# --8<-- [start:imports]
import lightning as L
import torch
import wandb
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split
from torchmetrics.classification import MulticlassAccuracy
from wandb.integration.lightning.fabric import WandbLogger

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

# --8<-- [start:setup]
wandb_logger = WandbLogger(project="lightning-metrics")
fabric = L.Fabric(devices=1, loggers=[wandb_logger])
fabric.launch()
# --8<-- [end:setup]
# --8<-- [start:define_metric]
# After launch (the run exists only now), once, on rank zero:
if fabric.is_global_zero:
    wandb_logger.experiment.define_metric(
        "val_accuracy", step_metric="trainer/global_step", summary="max"
    )
# --8<-- [end:define_metric]
# --8<-- [start:model]
fabric.seed_everything(0)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
model, optimizer = fabric.setup(model, optimizer)
train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())
# --8<-- [end:model]

# --8<-- [start:loop]
train_accuracy = MulticlassAccuracy(num_classes=10, average="micro").to(fabric.device)
val_accuracy = MulticlassAccuracy(num_classes=10, average="micro").to(fabric.device)
step = 0
for epoch in range(2):
    model.train()
    for x, y in train_loader:
        optimizer.zero_grad()
        logits = model(x)
        loss = nn.functional.cross_entropy(logits, y)
        fabric.backward(loss)
        optimizer.step()
        train_accuracy.update(logits, y)
        step += 1
        if step % 10 == 0:
            fabric.log("train_loss", loss.item(), step=step)

    model.eval()
    with torch.no_grad():
        for x, y in val_loader:
            val_accuracy.update(model(x), y)
    fabric.log_dict(
        {
            "epoch": epoch,
            "train_accuracy": train_accuracy.compute().item(),
            "val_accuracy": val_accuracy.compute().item(),
        },
        step=step,
    )
    # Fabric does not reset metrics for you.
    train_accuracy.reset()
    val_accuracy.reset()
# --8<-- [end:loop]

# --8<-- [start:finish]
wandb_logger.finalize("success")
wandb.finish()
# --8<-- [end:finish]
