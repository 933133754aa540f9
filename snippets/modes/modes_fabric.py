"""Turn W&B off and on (Fabric): the same loop, recorded or not, without an edit.

Run it with `python modes_fabric.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python modes_fabric.py` (`wandb sync` uploads it later).
`python modes_fabric.py --no-wandb` trains without W&B, whatever the environment says.
"""

# --8<-- [start:imports]
import argparse

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

# --8<-- [start:switch]
parser = argparse.ArgumentParser()
parser.add_argument("--no-wandb", action="store_true", help="train without W&B")
args = parser.parse_args()
# "disabled" wins over WANDB_MODE and `wandb offline`; None leaves the choice to them.
wandb_logger = WandbLogger(
    project="lightning-modes", mode="disabled" if args.no_wandb else None
)
# --8<-- [end:switch]

# --8<-- [start:loop]
fabric = L.Fabric(devices=1, loggers=[wandb_logger])
fabric.launch()
fabric.seed_everything(0)
config = {"hidden": 64, "lr": 1e-2, "epochs": 2}
wandb_logger.log_hyperparams(config)
model = nn.Sequential(
    nn.Linear(64, config["hidden"]), nn.ReLU(), nn.Linear(config["hidden"], 10)
)
optimizer = torch.optim.Adam(model.parameters(), lr=config["lr"])
model, optimizer = fabric.setup(model, optimizer)
train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())

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
            fabric.log_dict({"train_loss": loss.item(), "epoch": epoch}, step=step)
    model.eval()
    with torch.no_grad():
        correct = sum((model(x).argmax(dim=1) == y).sum().item() for x, y in val_loader)
    val_accuracy = correct / len(val_loader.dataset)
    fabric.log_dict({"val_accuracy": val_accuracy}, step=step)

# Your checkpoint is saved whether W&B records or not.
fabric.save("last.ckpt", {"model": model, "optimizer": optimizer})
run = wandb_logger.experiment
print(f"W&B mode: {run.settings.mode}, run disabled: {run.disabled}")
wandb_logger.finalize("success")
wandb.finish()
# --8<-- [end:loop]
