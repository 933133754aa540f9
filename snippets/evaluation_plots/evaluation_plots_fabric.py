"""Evaluation plots (Fabric): a confusion matrix, PR and ROC curves from each
validation pass of your loop, and digits with boxes and masks, logged to W&B.

Run it with `python evaluation_plots_fabric.py` after `wandb login`, or without an
account with `WANDB_MODE=offline python evaluation_plots_fabric.py` (`wandb sync`
uploads the run and its plots later).
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


# --8<-- [start:to_uint8]
def to_uint8(x: torch.Tensor) -> torch.Tensor:
    """(N, 64) floats in [0, 1] -> (N, 1, 32, 32) uint8 in [0, 255], 4x larger,
    on the CPU.

    Tensors are channels first (C, H, W); numpy arrays and PIL images are (H, W).
    """
    images = (x.view(-1, 1, 8, 8) * 255).clamp(0, 255).byte().cpu()
    return images.repeat_interleave(4, dim=2).repeat_interleave(4, dim=3)


# --8<-- [end:to_uint8]

# --8<-- [start:plots]
CLASS_NAMES = [str(digit) for digit in range(10)]


def evaluation_plots(probs: torch.Tensor, labels: torch.Tensor) -> dict:
    """A confusion matrix, PR and ROC curves from (N, 10) probabilities and N labels.

    wandb.plot wants numpy arrays or lists on the CPU, not tensors.
    """
    probs, labels = probs.float().cpu().numpy(), labels.cpu().numpy()
    return {
        "val/confusion_matrix": wandb.plot.confusion_matrix(
            probs=probs, y_true=labels, class_names=CLASS_NAMES
        ),
        "val/pr_curve": wandb.plot.pr_curve(labels, probs, labels=CLASS_NAMES),
        "val/roc_curve": wandb.plot.roc_curve(labels, probs, labels=CLASS_NAMES),
    }


# --8<-- [end:plots]


# --8<-- [start:annotate]
def annotated_digit(pixels: torch.Tensor, label: int, probs: torch.Tensor):
    """A wandb.Image of one digit (64 floats in [0, 1]), 4x larger, with a box
    around its ink labelled with the predicted class, and a mask over the ink."""
    ink = (pixels.view(8, 8) > 0.5).cpu()
    rows = ink.any(dim=1).nonzero().flatten().tolist()
    cols = ink.any(dim=0).nonzero().flatten().tolist()
    predicted = int(probs.argmax())
    confidence = float(probs[predicted])
    box = {
        # fractions of the width and height, so the box fits the image at any size
        "position": {
            "minX": cols[0] / 8,
            "maxX": (cols[-1] + 1) / 8,
            "minY": rows[0] / 8,
            "maxY": (rows[-1] + 1) / 8,
        },
        "class_id": predicted,
        "box_caption": f"{predicted} ({confidence:.0%})",
        "scores": {"probability": confidence},
    }
    # one class id per pixel of the 32x32 image: 0 background, 1 ink
    mask = ink.repeat_interleave(4, dim=0).repeat_interleave(4, dim=1).byte()
    return wandb.Image(
        to_uint8(pixels)[0, 0].numpy(),
        caption=f"label {label}",
        boxes={
            "prediction": {
                "box_data": [box],
                "class_labels": dict(enumerate(CLASS_NAMES)),
            }
        },
        masks={
            "ink": {
                "mask_data": mask.numpy(),
                "class_labels": {0: "background", 1: "ink"},
            }
        },
    )


# --8<-- [end:annotate]

# --8<-- [start:setup]
wandb_logger = WandbLogger(project="lightning-evaluation-plots")
fabric = L.Fabric(devices=1, loggers=[wandb_logger])
fabric.launch()
fabric.seed_everything(0)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
model, optimizer = fabric.setup(model, optimizer)
train_loader, val_loader = fabric.setup_dataloaders(*digits_loaders())
# --8<-- [end:setup]

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

    # collect the whole validation pass, then log once
    model.eval()
    all_probs, all_labels = [], []
    with torch.no_grad():
        for x, y in val_loader:
            all_probs.append(model(x).softmax(dim=1))
            all_labels.append(y)
    probs, labels = torch.cat(all_probs), torch.cat(all_labels)
    val_accuracy = (probs.argmax(dim=1) == labels).float().mean().item()
    fabric.log_dict({"val_accuracy": val_accuracy}, step=step)
    if fabric.is_global_zero:
        plots = evaluation_plots(probs, labels)
        wandb_logger.experiment.log({**plots, "trainer/global_step": step})
# --8<-- [end:loop]

# --8<-- [start:boxes]
# four validation digits, with the trained model's probabilities
x, y = next(iter(val_loader))
with torch.no_grad():
    probs = model(x[:4]).softmax(dim=1)
if fabric.is_global_zero:
    images = [
        annotated_digit(pixels, label, p)
        for pixels, label, p in zip(x[:4], y[:4].tolist(), probs, strict=True)
    ]
    wandb_logger.experiment.log({"val/annotated": images, "trainer/global_step": step})
wandb_logger.finalize("success")
wandb.finish()
# --8<-- [end:boxes]
