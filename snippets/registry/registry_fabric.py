"""The W&B Registry (Fabric): link a checkpoint saved with fabric.save to a Registry
collection.

Run it with `python registry_fabric.py` after `wandb login`: linking needs the W&B
server. With `WANDB_MODE=offline` it trains and saves the checkpoint, then stops at
`link_artifact` with NotImplementedError.
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


# --8<-- [start:link]
def link_to_registry(run, checkpoint_path: str) -> wandb.Artifact:
    """Link a checkpoint to the collection digits-classifier of the Model registry."""
    artifact = wandb.Artifact(f"model-{run.id}", type="model")
    artifact.add_file(checkpoint_path, name="model.ckpt")
    # "wandb-registry-<registry>/<collection>". link_artifact logs the artifact,
    # waits for the upload and links it; in an offline run it logs the artifact,
    # then raises NotImplementedError.
    return run.link_artifact(
        artifact, "wandb-registry-model/digits-classifier", aliases=["staging"]
    )


# --8<-- [end:link]

# --8<-- [start:train]
wandb_logger = WandbLogger(project="lightning-registry")
fabric = L.Fabric(devices=1, loggers=[wandb_logger])
fabric.launch()
fabric.seed_everything(0)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
model, optimizer = fabric.setup(model, optimizer)
train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())
for x, y in train_loader:
    optimizer.zero_grad()
    fabric.backward(nn.functional.cross_entropy(model(x), y))
    optimizer.step()
fabric.save("model.ckpt", {"model": model, "optimizer": optimizer})
# --8<-- [end:train]

# --8<-- [start:call]
wandb_logger.finalize("success")
# Only rank zero holds the real run; `with` finishes it, also on an error.
if fabric.is_global_zero:
    with wandb_logger.experiment as run:
        linked = link_to_registry(run, "model.ckpt")
# --8<-- [end:call]
