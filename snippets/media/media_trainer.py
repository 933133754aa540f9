"""Images, text and tables (Trainer): log media with the WandbLogger
after a short training.

Run it with `python media_trainer.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python media_trainer.py` (`wandb sync` uploads the run
and its media later).
"""

# --8<-- [start:imports]
import lightning as L
import numpy as np
import pandas as pd
import torch
import wandb
from lightning.pytorch.loggers import WandbLogger
from PIL import Image
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split
from torchmetrics.functional import accuracy

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


# --8<-- [start:model]
class DigitsClassifier(L.LightningModule):
    def __init__(self, hidden: int = 64, lr: float = 1e-2):
        super().__init__()
        self.save_hyperparameters()  # hidden and lr land in the W&B run's config
        self.net = nn.Sequential(
            nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10)
        )

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        preds = self.net(x).argmax(dim=1)
        self.log("val_accuracy", accuracy(preds, y, task="multiclass", num_classes=10))

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


# --8<-- [end:model]


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
trainer = L.Trainer(logger=wandb_logger, max_epochs=2, log_every_n_steps=10)
L.seed_everything(0)
train_loader, val_loader = digits_loaders()
model = DigitsClassifier()
trainer.fit(model, train_loader, val_loader)

# four validation digits, their labels and the model's predictions
x, y = next(iter(val_loader))
model.eval()
with torch.no_grad():
    preds = model.net(x).argmax(dim=1)
images = to_uint8(x[:4])
labels, guesses = y[:4].tolist(), preds[:4].tolist()
step = trainer.global_step
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
trainer.logger.experiment.log(
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

wandb.finish()
