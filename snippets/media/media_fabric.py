"""Images, text and tables (Fabric): log media with Fabric's WandbLogger
after a short loop.

Run it with `python media_fabric.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python media_fabric.py` (`wandb sync` uploads the run
and its media later).
"""

# --8<-- [start:imports]
import lightning as L
import numpy as np
import pandas as pd
import torch
import wandb
from PIL import Image
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


# --8<-- [start:tone]
def tone(label: int) -> np.ndarray:
    """Half a second at 8 kHz of a sine wave whose pitch says the label (0 = 220 Hz)."""
    t = np.arange(4000) / 8000
    return 0.3 * np.sin(2 * np.pi * 220 * 2 ** (label / 12) * t).astype(np.float32)


# --8<-- [end:tone]

# --8<-- [start:train]
wandb_logger = WandbLogger(project="lightning-media")
fabric = L.Fabric(devices=1, loggers=[wandb_logger])
fabric.launch()
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

# four validation digits, their labels and the model's predictions
x, y = next(iter(val_loader))
model.eval()
with torch.no_grad():
    preds = model(x).argmax(dim=1)
images = to_uint8(x[:4])
labels, guesses = y[:4].tolist(), preds[:4].tolist()
# --8<-- [end:train]

# --8<-- [start:images]
captions = [f"label {t} / predicted {p}" for t, p in zip(labels, guesses, strict=True)]
# tensors, numpy arrays or PIL images: a list, with one caption per image
wandb_logger.log_image(
    key="samples/tensors", images=list(images), caption=captions, step=step
)
# (32, 32) uint8
arrays = [img[0].numpy() for img in images]
wandb_logger.log_image(key="samples/numpy", images=arrays, step=step)
pil_images = [Image.fromarray(a) for a in arrays]
wandb_logger.log_image(key="samples/pil", images=pil_images, step=step)

# or paths to image files
paths = [f"digit_{i}.png" for i in range(len(pil_images))]
for pil_image, path in zip(pil_images, paths, strict=True):
    pil_image.save(path)
wandb_logger.log_image(key="samples/files", images=paths, step=step)

# or call the run yourself: never step=, put the step in the dict
wandb_logger.experiment.log(
    {
        "samples/run_log": [
            wandb.Image(a, caption=c) for a, c in zip(arrays, captions, strict=True)
        ],
        "trainer/global_step": step,
    }
)
# --8<-- [end:images]

# --8<-- [start:text]
columns = ["sample", "label", "prediction"]
my_data = [[i, t, p] for i, (t, p) in enumerate(zip(labels, guesses, strict=True))]
# columns and data: a list of rows
wandb_logger.log_text(key="text/rows", columns=columns, data=my_data, step=step)
# or a pandas DataFrame
my_dataframe = pd.DataFrame(my_data, columns=columns)
wandb_logger.log_text(key="text/dataframe", dataframe=my_dataframe, step=step)
# --8<-- [end:text]

# --8<-- [start:table]
columns = ["caption", "image", "sound"]
my_data = [
    [f"label {t}", wandb.Image(a), wandb.Audio(tone(t), sample_rate=8000)]
    for a, t in zip(arrays, labels, strict=True)
]
wandb_logger.log_table(key="table/samples", columns=columns, data=my_data, step=step)
# --8<-- [end:table]

wandb_logger.finalize("success")
wandb.finish()
