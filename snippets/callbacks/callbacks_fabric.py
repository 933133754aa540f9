"""Custom callbacks (Fabric): your loop calls your callback's hooks with fabric.call.

Run it with `python callbacks_fabric.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python callbacks_fabric.py` (`wandb sync` uploads the run
and its media later).
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


# --8<-- [start:callback]
def to_uint8(x: torch.Tensor) -> torch.Tensor:
    """(N, 64) floats in [0, 1] -> (N, 1, 32, 32) uint8 in [0, 255], 4x larger,
    on the CPU.

    Tensors are channels first (C, H, W); numpy arrays and PIL images are (H, W).
    """
    images = (x.view(-1, 1, 8, 8) * 255).clamp(0, 255).byte().cpu()
    return images.repeat_interleave(4, dim=2).repeat_interleave(4, dim=3)


class LogPredictionSamples:
    """A Fabric callback is any object: fabric.call runs its methods by name."""

    def __init__(self, n: int = 16):
        self.n = n

    def on_validation_batch_end(self, fabric, outputs, batch, batch_idx, step):
        if batch_idx != 0 or not fabric.is_global_zero:
            return
        x, y = batch
        images = to_uint8(x[: self.n])
        truths = y[: self.n].tolist()
        preds = outputs[: self.n].tolist()
        captions = [
            f"Ground truth: {y_i} - Prediction: {y_pred}"
            for y_i, y_pred in zip(truths, preds, strict=True)
        ]
        fabric.logger.log_image(
            key="sample_images", images=list(images), caption=captions, step=step
        )
        columns = ["image", "ground truth", "prediction"]
        data = [
            [wandb.Image(x_i), y_i, y_pred]
            for x_i, y_i, y_pred in zip(images, truths, preds, strict=True)
        ]
        fabric.logger.log_table(
            key="sample_table", columns=columns, data=data, step=step
        )


# --8<-- [end:callback]

# --8<-- [start:fabric]
wandb_logger = WandbLogger(project="lightning-callbacks")
fabric = L.Fabric(devices=1, loggers=[wandb_logger], callbacks=[LogPredictionSamples()])
fabric.launch()
fabric.seed_everything(0)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
model, optimizer = fabric.setup(model, optimizer)
train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())
# --8<-- [end:fabric]

# --8<-- [start:loop]
step = 0
for epoch in range(2):
    model.train()
    for x, y in train_loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        fabric.backward(loss)
        optimizer.step()
        step += 1
        if step % 10 == 0:
            fabric.log_dict({"train_loss": loss.item(), "epoch": epoch}, step=step)

    model.eval()
    with torch.no_grad():
        for batch_idx, (x, y) in enumerate(val_loader):
            preds = model(x).argmax(dim=1)
            fabric.call(
                "on_validation_batch_end",
                fabric=fabric,
                outputs=preds,
                batch=(x, y),
                batch_idx=batch_idx,
                step=step,
            )

wandb_logger.finalize("success")
wandb.finish()
# --8<-- [end:loop]
