"""Several GPUs (Fabric): your own DDP loop, logged to one W&B run from rank zero.

Run it with `python ddp_fabric.py` on a machine with two GPUs, or try it on any machine
with `python ddp_fabric.py --accelerator cpu` (two processes on the CPU).
`fabric.launch()` starts the second process by running this file again, so keep it a
script: no notebook, no `python -c`. It runs offline unless you set WANDB_MODE=online
(after `wandb login`).
"""

import argparse
import os
import socket
from pathlib import Path

import lightning as L
import torch
import wandb
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split
from wandb.integration.lightning.fabric import WandbLogger

os.environ.setdefault("WANDB_MODE", "offline")


def digits_loaders(batch_size: int = 64) -> tuple[DataLoader, DataLoader]:
    """scikit-learn ships 1,797 real 8x8 digit images, so nothing is downloaded."""
    images, labels = load_digits(return_X_y=True)
    dataset = TensorDataset(
        torch.tensor(images / 16.0, dtype=torch.float32), torch.tensor(labels)
    )
    train, val = random_split(
        dataset, [1500, 297], generator=torch.Generator().manual_seed(0)
    )
    # No DistributedSampler here: fabric.setup_dataloaders adds one to each loader.
    return DataLoader(train, batch_size=batch_size, shuffle=True), DataLoader(
        val, batch_size=297
    )


def main(accelerator: str = "gpu") -> None:
    # --8<-- [start:fabric]
    wandb_logger = WandbLogger(
        project="lightning-ddp"
    )  # no run yet: rank zero starts it
    fabric = L.Fabric(
        accelerator=accelerator, devices=2, strategy="ddp", loggers=[wandb_logger]
    )
    fabric.launch()  # from here on, this code runs once per process
    fabric.seed_everything(0)  # the same initial weights on every rank
    config = {"hidden": 64, "lr": 1e-2, "epochs": 2}
    wandb_logger.log_hyperparams(config)  # does nothing on ranks other than zero
    # --8<-- [end:fabric]

    # --8<-- [start:run_dir]
    # Only rank zero has a run: elsewhere `wandb_logger.experiment` is a stand-in.
    run_dir = wandb_logger.experiment.dir if fabric.is_global_zero else None
    run_dir = fabric.broadcast(run_dir, src=0)  # every rank must call it
    # Each rank writes a note into the run's folder (one machine or a shared disk)...
    note = Path(run_dir, f"rank-{fabric.global_rank}.txt")
    note.write_text(
        f"rank {fabric.global_rank} of {fabric.world_size} on {socket.gethostname()}\n"
    )
    fabric.barrier()  # ...and waits until all notes are written.
    if fabric.is_global_zero:  # rank zero alone talks to W&B
        for rank in range(fabric.world_size):
            note = Path(run_dir, f"rank-{rank}.txt")
            wandb_logger.experiment.save(str(note), base_path=run_dir)
    # --8<-- [end:run_dir]

    # --8<-- [start:setup]
    model = nn.Sequential(
        nn.Linear(64, config["hidden"]), nn.ReLU(), nn.Linear(config["hidden"], 10)
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=config["lr"])
    model, optimizer = fabric.setup(model, optimizer)  # wraps the model in DDP
    train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())
    # --8<-- [end:setup]

    # --8<-- [start:loop]
    step = 0
    for epoch in range(config["epochs"]):
        model.train()
        for x, y in train_loader:  # this rank's half of the batches
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            fabric.backward(loss)  # DDP averages the gradients over the ranks here
            optimizer.step()
            step += 1
            if step % 4 == 0:  # log_dict writes from rank zero only
                fabric.log_dict({"train_loss": loss.item(), "epoch": epoch}, step=step)

        model.eval()
        with torch.no_grad():
            correct = sum((model(x).argmax(1) == y).sum() for x, y in val_loader)
            seen = torch.tensor(len(val_loader.sampler), device=fabric.device)
        # Each rank saw part of the validation set: add up the counts of all ranks.
        correct, seen = fabric.all_reduce(torch.stack([correct, seen]), reduce_op="sum")
        fabric.log_dict({"val_accuracy": (correct / seen).item()}, step=step)

    wandb_logger.finalize("success")  # Fabric never calls it for you
    if fabric.is_global_zero:
        wandb.finish()  # close the one run; other ranks have no run to close
    # --8<-- [end:loop]


# --8<-- [start:cli]
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accelerator", default="gpu", help='"gpu" (default) or "cpu"')
    main(parser.parse_args().accelerator)
# --8<-- [end:cli]
