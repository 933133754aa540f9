"""Mixed precision (Fabric): what precision="bf16-mixed" changes in what W&B records,
and how the run keeps the setting.

Run it with `python precision_fabric.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python precision_fabric.py` (`wandb sync` uploads it later).
On a GPU, `python precision_fabric.py --precision 16-mixed` also scales the loss.
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

# --8<-- [start:setup]
parser = argparse.ArgumentParser()
parser.add_argument("--precision", default="bf16-mixed", help='"16-mixed" on a GPU')
args = parser.parse_args()

wandb_logger = WandbLogger(project="lightning-precision")
fabric = L.Fabric(devices=1, precision=args.precision, loggers=[wandb_logger])
fabric.launch()
# Fabric records the precision nowhere in the run: put the one it uses into the
# config (LT_PRECISION in the environment wins over precision=).
precision = fabric.strategy.precision
wandb_logger.log_hyperparams({"precision": precision.precision})
# --8<-- [end:setup]

# --8<-- [start:model]
fabric.seed_everything(0)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
model, optimizer = fabric.setup(model, optimizer)
train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())
# --8<-- [end:model]

# --8<-- [start:loop]
# Only "16-mixed" has a GradScaler; the other precisions scale nothing (scale 1).
scaler = getattr(precision, "scaler", None)
model.train()
for step, (x, y) in enumerate(train_loader, start=1):
    optimizer.zero_grad()
    # Autocast covers the model's forward only: Fabric hands the logits back
    # in float32, holding the values the layers computed in bfloat16.
    logits = model(x)
    loss = nn.functional.cross_entropy(logits, y)
    fabric.backward(loss)
    optimizer.step()
    if step % 8 == 0:
        metrics = {
            "train_loss": loss,
            "max_abs_logit": logits.abs().max(),
            "loss_scale": scaler.get_scale() if scaler is not None else 1.0,
        }
        # fabric.log_dict turns each tensor into a Python number with .item()
        fabric.log_dict(metrics, step=step)

wandb_logger.finalize("success")
wandb.finish()
# --8<-- [end:loop]
