"""Several loggers at once (Fabric): one `fabric.log_dict` call, W&B and a CSV file.

Run it with `python several_loggers_fabric.py` after `wandb login`, or without an
account with `WANDB_MODE=offline python several_loggers_fabric.py` (`wandb sync`
uploads it later). The CSV lands in logs/digits-fabric/version_<n>/metrics.csv.
"""

# --8<-- [start:imports]
import lightning as L
import torch
import wandb
from lightning.fabric.loggers import CSVLogger
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

# --8<-- [start:loggers]
wandb_logger = WandbLogger(project="lightning-loggers")
csv_logger = CSVLogger("logs", name="digits-fabric")
fabric = L.Fabric(devices=1, loggers=[wandb_logger, csv_logger])
fabric.launch()
fabric.seed_everything(0)
config = {"hidden": 64, "lr": 1e-2, "epochs": 2}
# Not `for logger in fabric.loggers`: Fabric's CSVLogger raises
# NotImplementedError on log_hyperparams. Give the config to W&B alone.
wandb_logger.log_hyperparams(config)
# --8<-- [end:loggers]

# --8<-- [start:setup]
model = nn.Sequential(
    nn.Linear(64, config["hidden"]), nn.ReLU(), nn.Linear(config["hidden"], 10)
)
optimizer = torch.optim.Adam(model.parameters(), lr=config["lr"])
model, optimizer = fabric.setup(model, optimizer)
train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())
# --8<-- [end:setup]

# --8<-- [start:loop]
step = 0
for epoch in range(config["epochs"]):
    model.train()
    for x, y in train_loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        fabric.backward(loss)
        optimizer.step()
        step += 1
        # one call, every logger
        if step % 10 == 0:
            fabric.log_dict({"train_loss": loss.item(), "epoch": epoch}, step=step)
    model.eval()
    with torch.no_grad():
        correct = sum((model(x).argmax(dim=1) == y).sum().item() for x, y in val_loader)
    fabric.log_dict({"val_accuracy": correct / len(val_loader.dataset)}, step=step)
# --8<-- [end:loop]

# --8<-- [start:finish]
for logger in fabric.loggers:
    # the CSV logger writes its last rows here
    logger.finalize("success")
wandb.finish()
# --8<-- [end:finish]
