"""Resume a run (Fabric): save the loop's state with fabric.save,
continue it in the same run.

It trains for 2 epochs (the session that gets cut short), then loads the last
checkpoint and trains up to epoch 4 (the restart). Run it with
`python resume_fabric.py` after `wandb login`, or without an account with
`WANDB_MODE=offline python resume_fabric.py` (`wandb sync` uploads it later).
Delete the checkpoints/ folder to start a new run.
"""

# --8<-- [start:imports]
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

# --8<-- [start:train]
CHECKPOINTS = Path("checkpoints", "fabric")


def train(epochs: int) -> None:
    """Start a new run, or continue the last one from its last checkpoint."""
    last = CHECKPOINTS / "last.ckpt"
    run_id_file = CHECKPOINTS / "wandb_run_id.txt"
    # On a restart, pass the run's id: W&B continues that run instead of starting one.
    run_id = run_id_file.read_text() if last.exists() else None
    wandb_logger = WandbLogger(project="lightning-resume", id=run_id, resume="allow")
    CHECKPOINTS.mkdir(parents=True, exist_ok=True)
    # Asking for the experiment starts the run: keep its id.
    run_id_file.write_text(wandb_logger.experiment.id)
    fabric = L.Fabric(devices=1, loggers=[wandb_logger])
    fabric.launch()
    config = {"hidden": 64, "lr": 1e-2}
    wandb_logger.log_hyperparams(config)
    model = nn.Sequential(
        nn.Linear(64, config["hidden"]), nn.ReLU(), nn.Linear(config["hidden"], 10)
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=config["lr"])
    model, optimizer = fabric.setup(model, optimizer)
    train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())

    # Everything the loop needs to go on: weights, optimizer, and where it stood.
    state = {"model": model, "optimizer": optimizer, "epoch": 0, "step": 0}
    if last.exists():
        # restores the model and optimizer in place, and the counters
        fabric.load(last, state)

    for epoch in range(state["epoch"], epochs):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            fabric.backward(loss)
            optimizer.step()
            # the step goes on from the checkpoint's
            state["step"] += 1
            if state["step"] % 10 == 0:
                metrics = {"train_loss": loss.item(), "epoch": epoch}
                fabric.log_dict(metrics, step=state["step"])

        model.eval()
        with torch.no_grad():
            correct = sum((model(x).argmax(1) == y).sum().item() for x, y in val_loader)
        accuracy = correct / len(val_loader.dataset)
        fabric.log_dict({"val_accuracy": accuracy}, step=state["step"])
        state["epoch"] = epoch + 1
        # after every epoch: a restart loses at most one
        fabric.save(last, state)

    wandb_logger.finalize("success")
    wandb.finish()


# --8<-- [end:train]

# --8<-- [start:sessions]
L.seed_everything(0)
# the session that gets cut short
train(epochs=2)
# the restart: epochs 3 and 4
train(epochs=4)
# --8<-- [end:sessions]
