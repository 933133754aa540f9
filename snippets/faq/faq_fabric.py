"""FAQ (Fabric): what Fabric's WandbLogger records, and what it leaves to you.

Run it with `python faq_fabric.py` after `wandb login`, or without an account with
`WANDB_MODE=offline python faq_fabric.py` (`wandb sync` uploads it later).
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

# --8<-- [start:logger]
wandb_logger = WandbLogger(project="lightning-faq")
fabric = L.Fabric(devices=1, loggers=[wandb_logger])
fabric.launch()
fabric.seed_everything(0)
config = {"hidden": 64, "lr": 1e-2, "epochs": 2}
# Fabric has no save_hyperparameters: log the config yourself.
wandb_logger.log_hyperparams(config)
# --8<-- [end:logger]

# --8<-- [start:setup]
model = nn.Sequential(
    nn.Linear(64, config["hidden"]), nn.ReLU(), nn.Linear(config["hidden"], 10)
)
optimizer = torch.optim.Adam(model.parameters(), lr=config["lr"])
model, optimizer = fabric.setup(model, optimizer)
# This loop trains only: the validation loader stays unused.
train_loader, _ = digits_loaders()
train_loader = fabric.setup_dataloaders(train_loader)
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
        # Only what you pass to log_dict becomes a metric.
        if step % 10 == 0:
            fabric.log_dict({"train_loss": loss.item(), "epoch": epoch}, step=step)
fabric.save("last.ckpt", {"model": model, "optimizer": optimizer})
# Printed lines are recorded too, as the run's console output.
print(f"checkpoint: last.ckpt after {step} steps")
wandb_logger.finalize("success")
wandb.finish()
# --8<-- [end:loop]
