"""Steps (Fabric): gradient accumulation with fabric.no_backward_sync, counting the
optimizer steps yourself and passing them to fabric.log_dict.

Run it with `python steps_fabric.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python steps_fabric.py` (`wandb sync` uploads it later).
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

# --8<-- [start:setup]
wandb_logger = WandbLogger(project="lightning-steps")
fabric = L.Fabric(devices=1, loggers=[wandb_logger])
fabric.launch()
fabric.seed_everything(0)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
model, optimizer = fabric.setup(model, optimizer)
train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())
# --8<-- [end:setup]

# --8<-- [start:loop]
accumulate = 4
step = 0  # optimizer steps taken: the x-axis
for epoch in range(2):
    model.train()
    for batch_idx, (x, y) in enumerate(train_loader, start=1):
        # step every 4 batches, and on the last batch of the epoch
        is_accumulating = batch_idx % accumulate != 0 and batch_idx < len(train_loader)
        # With several devices, skip the gradient sync while accumulating.
        with fabric.no_backward_sync(model, enabled=is_accumulating):
            loss = nn.functional.cross_entropy(model(x), y)
            fabric.backward(loss / accumulate)
        if is_accumulating:
            continue
        optimizer.step()
        optimizer.zero_grad()
        step += 1
        if step % 2 == 0:
            fabric.log_dict({"train_loss": loss.item(), "epoch": epoch}, step=step)

    model.eval()
    with torch.no_grad():
        correct = sum((model(x).argmax(dim=1) == y).sum().item() for x, y in val_loader)
    fabric.log_dict({"val_accuracy": correct / len(val_loader.dataset)}, step=step)
# --8<-- [end:loop]

# --8<-- [start:finish]
wandb_logger.finalize("success")
wandb.finish()
# --8<-- [end:finish]
