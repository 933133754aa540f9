"""Download and load a checkpoint (Fabric): restore a logged checkpoint by its alias.

Run it with `python restore_fabric.py`. It trains for two epochs offline, logging a
checkpoint artifact each epoch, then restores the "best" one from the run's own records
and loads it.
"""

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
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
    return DataLoader(train, batch_size=batch_size, shuffle=True), DataLoader(
        val, batch_size=297
    )


def make_model() -> nn.Module:
    return nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))


def restore_checkpoint(run_dir: str | Path, alias: str, dest: str | Path) -> Path:
    """Copy the checkpoint `alias` points to out of a finished offline run,
    no server.
    """
    command = [sys.executable, "-m", "wandb", "leet", "inspect", "--json", str(run_dir)]
    lines = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    records = [json.loads(line) for line in lines.splitlines() if line.strip()]
    run_id = next(r["run"]["run_id"] for r in records if r.get("type") == "run")
    # Once synced, an alias points to the last version logged with it.
    versions = [
        r["artifact"]
        for r in records
        if r.get("type") == "artifact"
        and r["artifact"]["name"] == f"model-{run_id}"
        and alias in r["artifact"].get("aliases", [])
    ]
    if not versions:
        raise LookupError(f"no checkpoint of run {run_id} has the alias {alias!r}")
    entry = next(
        e for e in versions[-1]["manifest"]["contents"] if e["path"] == "model.ckpt"
    )
    staged = Path(entry["local_path"])  # W&B's own copy, kept until the run is synced
    digest = base64.b64encode(hashlib.md5(staged.read_bytes()).digest()).decode()
    if digest != entry["digest"]:
        raise ValueError(f"{staged} does not match the digest W&B recorded")
    Path(dest).parent.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(staged, dest))


def train(fabric: L.Fabric, epochs: int = 2) -> nn.Module:
    """Train, logging a checkpoint artifact each epoch ("best" when it improved)."""
    model = make_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    model, optimizer = fabric.setup(model, optimizer)
    train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())
    run = fabric.logger.experiment
    best = float("-inf")
    for epoch in range(epochs):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            fabric.backward(nn.functional.cross_entropy(model(x), y))
            optimizer.step()
        model.eval()
        with torch.no_grad():
            correct = sum((model(x).argmax(1) == y).sum().item() for x, y in val_loader)
        score = correct / len(val_loader.dataset)
        path = f"checkpoints/epoch={epoch}.ckpt"
        fabric.save(path, {"model": model, "optimizer": optimizer, "epoch": epoch})
        artifact = wandb.Artifact(f"model-{run.id}", type="model")
        artifact.add_file(path, name="model.ckpt")
        run.log_artifact(
            artifact, aliases=["latest", "best"] if score > best else ["latest"]
        )
        best = max(best, score)
    return model


def main(accelerator: str = "auto") -> tuple[nn.Module, nn.Module]:
    wandb_logger = WandbLogger(project="lightning-checkpoints")
    fabric = L.Fabric(accelerator=accelerator, devices=1, loggers=[wandb_logger])
    fabric.launch()
    fabric.seed_everything(0)
    trained = train(fabric)
    run_dir = Path(wandb_logger.experiment.dir).parent  # wandb/offline-run-.../
    wandb_logger.finalize("success")
    wandb.finish()  # the run's records are complete once it has finished

    # --8<-- [start:load]
    path = restore_checkpoint(run_dir, "best", "restored/model.ckpt")
    state = fabric.load(path)  # the raw checkpoint: a dict of what fabric.save got
    model = make_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])  # to go on training from here
    model, optimizer = fabric.setup(model, optimizer)
    model.eval()
    # --8<-- [end:load]
    return trained, model


if __name__ == "__main__":
    main()
