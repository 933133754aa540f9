"""Gradients, parameters and topology (Fabric): watch the raw module before
fabric.setup.

Run it with `python watch_fabric.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python watch_fabric.py` (`wandb sync` uploads it later).
"""

# --8<-- [start:imports]
import lightning as L
import torch
import wandb
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split
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

# --8<-- [start:watch]
wandb_logger = WandbLogger(project="lightning-watch")
fabric = L.Fabric(devices=1, loggers=[wandb_logger])
fabric.launch()
fabric.seed_everything(0)

model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
# Watch the plain module, before fabric.setup wraps it.
wandb_logger.watch(model, log="all", log_freq=10)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
model, optimizer = fabric.setup(model, optimizer)
# --8<-- [end:watch]

# --8<-- [start:loop]
train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())
step = 0
for _epoch in range(2):
    model.train()
    for x, y in train_loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        # the gradient hooks fire here
        fabric.backward(loss)
        optimizer.step()
        step += 1
        if step % 10 == 0:
            fabric.log("train_loss", loss.item(), step=step)
    model.eval()
    with torch.no_grad():
        # one batch holds all 297 images
        x, y = next(iter(val_loader))
        accuracy = (model(x).argmax(dim=1) == y).float().mean().item()
    fabric.log("val_accuracy", accuracy, step=step)

wandb_logger.finalize("success")
wandb.finish()
# --8<-- [end:loop]
