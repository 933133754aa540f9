"""Download and load a checkpoint (Fabric): restore a logged checkpoint by its alias.

The script trains for three epochs, logging a checkpoint artifact each epoch, then
restores the "best" one from the run's own records, with no server, and loads it into a
new model and optimizer.

Run it with `python restore_fabric.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python restore_fabric.py`.
"""

# --8<-- [start:imports]
import base64
import hashlib
import json
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


# --8<-- [start:log_checkpoint]
def log_checkpoint(fabric, path, state, score, best_score) -> float:
    """Save a checkpoint and log it as a new version of the run's model artifact."""
    # every rank takes part in fabric.save; Fabric writes the file once
    fabric.save(path, state)
    is_best = score > best_score
    # one artifact version, logged by one process
    if fabric.is_global_zero:
        run = fabric.logger.experiment
        artifact = wandb.Artifact(
            f"model-{run.id}", type="model", metadata={"val_accuracy": score}
        )
        artifact.add_file(path, name="model.ckpt")
        run.log_artifact(
            artifact, aliases=["latest", "best"] if is_best else ["latest"]
        )
    return max(score, best_score)


# --8<-- [end:log_checkpoint]


# --8<-- [start:restore_offline]
def restore_checkpoint(run_dir: str | Path, alias: str, dest: str | Path) -> Path:
    """Copy out the checkpoint `alias` points to in a finished run's records."""
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


# --8<-- [end:restore_offline]

# --8<-- [start:train]
wandb_logger = WandbLogger(project="lightning-checkpoints")
fabric = L.Fabric(devices=1, loggers=[wandb_logger])
fabric.launch()
fabric.seed_everything(0)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
model, optimizer = fabric.setup(model, optimizer)
train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())

best_score, step = float("-inf"), 0
for epoch in range(3):
    model.train()
    for x, y in train_loader:
        optimizer.zero_grad()
        fabric.backward(nn.functional.cross_entropy(model(x), y))
        optimizer.step()
        step += 1

    model.eval()
    with torch.no_grad():
        correct = sum((model(x).argmax(1) == y).sum().item() for x, y in val_loader)
    score = correct / len(val_loader.dataset)
    fabric.log_dict({"val_accuracy": score, "epoch": epoch}, step=step)

    state = {"model": model, "optimizer": optimizer, "epoch": epoch}
    best_score = log_checkpoint(
        fabric, f"checkpoints/epoch={epoch}.ckpt", state, score, best_score
    )

# the run's folder, wandb/offline-run-<date>-<run id>/ when offline
run_dir = Path(wandb_logger.experiment.dir).parent
wandb_logger.finalize("success")
# the run's records are complete once it has finished
wandb.finish()
# --8<-- [end:train]

# --8<-- [start:load]
path = restore_checkpoint(run_dir, "best", "restored/model.ckpt")
# the raw checkpoint: a dict of what fabric.save got, with state dicts
state = fabric.load(path)
restored = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
restored_optimizer = torch.optim.Adam(restored.parameters(), lr=1e-2)
restored.load_state_dict(state["model"])
# the optimizer's state too, to go on training from here
restored_optimizer.load_state_dict(state["optimizer"])
restored, restored_optimizer = fabric.setup(restored, restored_optimizer)
restored.eval()
# --8<-- [end:load]
