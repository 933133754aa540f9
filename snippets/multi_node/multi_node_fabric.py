"""Several nodes (Fabric): your own loop, on two machines, logged to one W&B run.

Start it once on every node, with torchrun or with `srun` from a SLURM batch script
(`run_multi_node.sh`, `slurm_job.sh`); each node runs its share of the ranks, and global
rank zero alone logs to W&B. Log in first (`wandb login`), or, without an account,
give every node's process `WANDB_MODE=offline`, as in
`WANDB_MODE=offline python multi_node_fabric.py` (`wandb sync` uploads the run later).
"""

# --8<-- [start:imports]
import os

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
# A SLURM job's id names the run, and a requeued job keeps its id:
# the run continues. Elsewhere (torchrun) there is no job id, and W&B picks one.
wandb_logger = WandbLogger(
    project="lightning-multi-node",
    id=os.environ.get("SLURM_JOB_ID"),
    resume="allow",
)
# devices="auto" (the default): every GPU of a node, or one CPU process
fabric = L.Fabric(num_nodes=2, strategy="ddp", loggers=[wandb_logger])
# Checks num_nodes against the launcher's environment, then joins the other ranks
fabric.launch()
fabric.seed_everything(0)
config = {"hidden": 64, "lr": 1e-2, "epochs": 2}
# Does nothing on ranks other than global rank zero
wandb_logger.log_hyperparams(config)
model = nn.Sequential(
    nn.Linear(64, config["hidden"]), nn.ReLU(), nn.Linear(config["hidden"], 10)
)
optimizer = torch.optim.Adam(model.parameters(), lr=config["lr"])
model, optimizer = fabric.setup(model, optimizer)
train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())
# --8<-- [end:fabric]

# --8<-- [start:loop]
step = 0
for epoch in range(config["epochs"]):
    model.train()
    for x, y in train_loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        # DDP averages the gradients over every rank of every node here.
        fabric.backward(loss)
        optimizer.step()
        step += 1
        if step % 4 == 0:
            # Global rank zero's own loss; other ranks log nothing.
            fabric.log_dict({"train_loss": loss.item(), "epoch": epoch}, step=step)

    model.eval()
    with torch.no_grad():
        # This rank's share of the validation set
        x, y = next(iter(val_loader))
        logits = model(x)
    # The mean over every rank of every node, the same value everywhere
    val_loss = fabric.all_reduce(nn.functional.cross_entropy(logits, y))
    correct = (logits.argmax(dim=1) == y).sum()
    seen = torch.tensor(len(y), device=fabric.device)
    correct, seen = fabric.all_reduce(torch.stack([correct, seen]), reduce_op="sum")
    fabric.log_dict(
        {"val_loss": val_loss.item(), "val_accuracy": (correct / seen).item()},
        step=step,
    )

# Fabric never calls finalize for you.
wandb_logger.finalize("success")
if fabric.is_global_zero:
    wandb.finish()
# --8<-- [end:loop]
