"""Where files go (Fabric): the run folder and a checkpoint laid out like the Trainer's.

Run it with `python where_fabric.py` after `wandb login`, or without an account with
`WANDB_MODE=offline python where_fabric.py`.
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

# --8<-- [start:logger]
wandb_logger = WandbLogger(project="where-files-go", save_dir="outputs")
fabric = L.Fabric(devices=1, loggers=[wandb_logger])
fabric.launch()
# .experiment starts the run: before that, wandb_logger.version is None
run = wandb_logger.experiment
# The Trainer's layout: <save_dir>/<project>/<run id>/checkpoints/
checkpoint_dir = Path(
    wandb_logger.save_dir, wandb_logger.name, wandb_logger.version, "checkpoints"
)
# --8<-- [end:logger]

# --8<-- [start:train]
fabric.seed_everything(0)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
model, optimizer = fabric.setup(model, optimizer)
train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())
step = 0
for epoch in range(2):
    for x, y in train_loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        fabric.backward(loss)
        optimizer.step()
        step += 1
        if step % 10 == 0:
            fabric.log_dict({"train_loss": loss.item(), "epoch": epoch}, step=step)
# --8<-- [end:train]

# --8<-- [start:save]
path = checkpoint_dir / f"epoch={epoch}-step={step}.ckpt"
fabric.save(path, {"model": model, "optimizer": optimizer, "step": step})
if fabric.is_global_zero:
    # add_file copies the checkpoint into $WANDB_DATA_DIR/artifacts/staging/
    artifact = wandb.Artifact(f"model-{run.id}", type="model")
    artifact.add_file(str(path), name="model.ckpt")
    run.log_artifact(artifact, aliases=["latest"])
print("run folder:", Path(run.dir).parent)
print("checkpoint:", path)
wandb_logger.finalize("success")
wandb.finish()
# --8<-- [end:save]
