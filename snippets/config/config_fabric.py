"""Hyperparameters and config (Fabric): log_hyperparams, plus your own config keys.

Run it with `python config_fabric.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python config_fabric.py` (`wandb sync` uploads it later).
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

# --8<-- [start:hyperparams]
wandb_logger = WandbLogger(project="lightning-config")
fabric = L.Fabric(devices=1, loggers=[wandb_logger])
fabric.launch()

hparams = {"hidden": 32, "lr": 1e-2, "dropout": 0.1, "epochs": 2}
# runs on rank zero only
wandb_logger.log_hyperparams(hparams)
# --8<-- [end:hyperparams]

# --8<-- [start:extra_config]
fabric.seed_everything(0)
train_loader, val_loader = digits_loaders()
# only rank zero has a real run
if fabric.is_global_zero:
    # add several keys
    wandb_logger.experiment.config.update(
        {"dataset": "sklearn-digits", "train_size": len(train_loader.dataset)}
    )
    # add one key
    wandb_logger.experiment.config["batch_size"] = train_loader.batch_size
# --8<-- [end:extra_config]

# --8<-- [start:loop]
model = nn.Sequential(
    nn.Linear(64, hparams["hidden"]),
    nn.ReLU(),
    nn.Dropout(hparams["dropout"]),
    nn.Linear(hparams["hidden"], 10),
)
optimizer = torch.optim.Adam(model.parameters(), lr=hparams["lr"])
model, optimizer = fabric.setup(model, optimizer)
train_loader, val_loader = fabric.setup_dataloaders(train_loader, val_loader)

step = 0
for epoch in range(hparams["epochs"]):
    model.train()
    for x, y in train_loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        fabric.backward(loss)
        optimizer.step()
        step += 1

    model.eval()
    with torch.no_grad():
        correct = sum((model(x).argmax(dim=1) == y).sum().item() for x, y in val_loader)
    val_accuracy = correct / len(val_loader.dataset)
    metrics = {"train_loss": loss.item(), "val_accuracy": val_accuracy, "epoch": epoch}
    fabric.log_dict(metrics, step=step)

wandb_logger.finalize("success")
wandb.finish()
# --8<-- [end:loop]
