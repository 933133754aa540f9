"""Several GPUs (Fabric): your own DDP loop, logged to one W&B run from rank zero.

Run it with `python ddp_fabric.py` after `wandb login`, or without an account with
`WANDB_MODE=offline python ddp_fabric.py` (`wandb sync` uploads it later). It trains on
two GPUs; on a machine without any, it runs two processes on the CPU instead.
`fabric.launch()` starts the second process by running this file again, so keep it a
script: no notebook, no `python -c`.
"""

# --8<-- [start:imports]
import socket
from pathlib import Path

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

# --8<-- [start:fabric]
# No run yet: rank zero starts it.
wandb_logger = WandbLogger(project="lightning-ddp")
fabric = L.Fabric(devices=2, strategy="ddp", loggers=[wandb_logger])
# From here on, this code runs once per process.
fabric.launch()
# The same initial weights on every rank
fabric.seed_everything(0)
config = {"hidden": 64, "lr": 1e-2, "epochs": 2}
# A sweep agent hands its values to rank zero's run only: take them there...
if fabric.is_global_zero:
    config.update(wandb_logger.experiment.config)
# ...and send them to every rank (every rank must call broadcast).
config = fabric.broadcast(config, src=0)
# Does nothing on ranks other than zero
wandb_logger.log_hyperparams(config)
# --8<-- [end:fabric]

# --8<-- [start:run_dir]
# Only rank zero has a run: elsewhere `wandb_logger.experiment` is a stand-in.
run_dir = wandb_logger.experiment.dir if fabric.is_global_zero else None
# Every rank must call broadcast.
run_dir = fabric.broadcast(run_dir, src=0)
# Each rank writes a note into the run's folder (one machine or a shared disk)...
note = Path(run_dir, f"rank-{fabric.global_rank}.txt")
note.write_text(
    f"rank {fabric.global_rank} of {fabric.world_size} on {socket.gethostname()}\n"
)
# ...and waits until all notes are written.
fabric.barrier()
# Rank zero alone talks to W&B.
if fabric.is_global_zero:
    for rank in range(fabric.world_size):
        note = Path(run_dir, f"rank-{rank}.txt")
        wandb_logger.experiment.save(str(note), base_path=run_dir)
# --8<-- [end:run_dir]

# --8<-- [start:setup]
model = nn.Sequential(
    nn.Linear(64, config["hidden"]), nn.ReLU(), nn.Linear(config["hidden"], 10)
)
optimizer = torch.optim.Adam(model.parameters(), lr=config["lr"])
# Wraps the model in DDP
model, optimizer = fabric.setup(model, optimizer)
# Adds a DistributedSampler to each loader
train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())
# --8<-- [end:setup]

# --8<-- [start:loop]
step = 0
for epoch in range(config["epochs"]):
    model.train()
    # This rank's half of the batches
    for x, y in train_loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        # DDP averages the gradients over the ranks here.
        fabric.backward(loss)
        optimizer.step()
        step += 1
        # Every fourth step: each rank has its own loss; rank zero logs its own.
        if step % 4 == 0:
            fabric.log_dict({"train_loss": loss.item(), "epoch": epoch}, step=step)

    model.eval()
    with torch.no_grad():
        # One batch per rank: this rank's half of the validation set
        x, y = next(iter(val_loader))
        logits = model(x)
    val_loss = nn.functional.cross_entropy(logits, y)
    # The mean over all ranks, the same value on every rank
    val_loss = fabric.all_reduce(val_loss, reduce_op="mean")
    # Accuracy over the whole validation set: add up the counts of all ranks.
    correct = (logits.argmax(dim=1) == y).sum()
    seen = torch.tensor(len(y), device=fabric.device)
    correct, seen = fabric.all_reduce(torch.stack([correct, seen]), reduce_op="sum")
    fabric.log_dict(
        {"val_loss": val_loss.item(), "val_accuracy": (correct / seen).item()},
        step=step,
    )

# Fabric never calls finalize for you.
wandb_logger.finalize("success")
# Close the one run; other ranks have no run to close.
if fabric.is_global_zero:
    wandb.finish()
# --8<-- [end:loop]
