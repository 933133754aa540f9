"""Profiling (Fabric): the Lightning SimpleProfiler timing your own loop, its report
saved with the W&B run.

Run it with `python profiling_fabric.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python profiling_fabric.py` (`wandb sync` uploads it later).
"""

# --8<-- [start:imports]
import lightning as L
import torch
import wandb
from lightning.pytorch.profilers import SimpleProfiler
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
wandb_logger = WandbLogger(project="lightning-profiling")
fabric = L.Fabric(devices=1, loggers=[wandb_logger])
fabric.launch()
run = wandb_logger.experiment
# A folder per run: the profiler appends to a report that is already there.
report_dir = f"profiler/{run.id}"
profiler = SimpleProfiler(dirpath=report_dir, filename="report")

fabric.seed_everything(0)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
model, optimizer = fabric.setup(model, optimizer)
train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())
# --8<-- [end:setup]

# --8<-- [start:loop]
model.train()
batches = iter(train_loader)
for step in range(1, len(train_loader) + 1):
    # Each `with` block is one action of the report: its calls and durations.
    with profiler.profile("get_batch"):
        x, y = next(batches)
    with profiler.profile("forward"):
        loss = nn.functional.cross_entropy(model(x), y)
    with profiler.profile("backward"):
        optimizer.zero_grad()
        fabric.backward(loss)
    with profiler.profile("optimizer_step"):
        optimizer.step()
    if step % 8 == 0:
        fabric.log_dict({"train_loss": loss.item()}, step=step)
# --8<-- [end:loop]

# --8<-- [start:save]
# describe() writes the report to <dirpath>/<filename>.txt (no stage prefix:
# that is the Trainer's) and closes the file.
profiler.describe()
run.save(f"{report_dir}/report.txt", base_path=report_dir, policy="now")
wandb_logger.finalize("success")
wandb.finish()
# --8<-- [end:save]
