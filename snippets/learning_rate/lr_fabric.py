"""Learning rate (Fabric): log the rate and momentum of each parameter group
yourself, from the scheduler and the optimizer, with fabric.log_dict.

Run it with `python lr_fabric.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python lr_fabric.py` (`wandb sync` uploads it later).
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
wandb_logger = WandbLogger(project="lightning-learning-rate")
fabric = L.Fabric(devices=1, loggers=[wandb_logger])
fabric.launch()
fabric.seed_everything(0)
epochs, lr = 2, 0.1
train_loader, _ = digits_loaders()
train_loader = fabric.setup_dataloaders(train_loader)

model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.SGD(
    [
        # parameter group 1: the hidden layer
        {"params": model[0].parameters()},
        # parameter group 2: the output layer
        {"params": model[2].parameters()},
    ],
    lr=lr,
    momentum=0.9,
)
scheduler = torch.optim.lr_scheduler.OneCycleLR(
    optimizer, max_lr=[lr, lr / 10], total_steps=epochs * len(train_loader)
)
model, optimizer = fabric.setup(model, optimizer)
# --8<-- [end:setup]

# --8<-- [start:loop]
step = 0
for _ in range(epochs):
    for x, y in train_loader:
        if step % 4 == 0:
            # The rates this batch trains with, one per parameter group, named
            # as the Trainer's LearningRateMonitor names them.
            rates = {}
            groups = zip(scheduler.get_last_lr(), optimizer.param_groups, strict=True)
            for i, (rate, group) in enumerate(groups, start=1):
                rates[f"lr-SGD/pg{i}"] = rate
                rates[f"lr-SGD/pg{i}-momentum"] = group["momentum"]
            fabric.log_dict(rates, step=step)
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        fabric.backward(loss)
        optimizer.step()
        scheduler.step()
        step += 1
# --8<-- [end:loop]

# --8<-- [start:finish]
wandb_logger.finalize("success")
wandb.finish()
# --8<-- [end:finish]
