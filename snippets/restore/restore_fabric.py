"""Download and load a checkpoint (Fabric): restore the best checkpoint.

The script trains for three epochs, saving a checkpoint and logging it as an artifact
each epoch, then loads the best one from the file `fabric.save` wrote, which needs no
server, into a new model and optimizer.

Run it with `python restore_fabric.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python restore_fabric.py`.
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
    path = f"checkpoints/epoch={epoch}.ckpt"
    if score > best_score:
        best_path = path  # the version log_checkpoint gives the alias "best"
    best_score = log_checkpoint(fabric, path, state, score, best_score)

wandb_logger.finalize("success")
wandb.finish()
# --8<-- [end:train]

# --8<-- [start:load]
# the raw checkpoint: a dict of what fabric.save got, with state dicts
state = fabric.load(best_path)
restored = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
restored_optimizer = torch.optim.Adam(restored.parameters(), lr=1e-2)
restored.load_state_dict(state["model"])
# the optimizer's state too, to go on training from here
restored_optimizer.load_state_dict(state["optimizer"])
restored, restored_optimizer = fabric.setup(restored, restored_optimizer)
restored.eval()
# --8<-- [end:load]
