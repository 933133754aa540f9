"""Audio, video, HTML and 3D (Trainer): log sound, video, an HTML page and point
clouds with the WandbLogger after a short training.

Run it with `python audio_video_3d_trainer.py` after `wandb login`, or without an
account with `WANDB_MODE=offline python audio_video_3d_trainer.py` (`wandb sync`
uploads the run and its media later). Audio needs `soundfile`, video `moviepy` and
`imageio`.
"""

# --8<-- [start:imports]
import lightning as L
import numpy as np
import torch
import wandb
from lightning.pytorch.loggers import WandbLogger
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


# --8<-- [start:tone]
def tone(label: int) -> np.ndarray:
    """Half a second at 8 kHz of a sine wave whose pitch says the label (0 = 220 Hz)."""
    t = np.arange(4000) / 8000
    return 0.3 * np.sin(2 * np.pi * 220 * 2 ** (label / 12) * t).astype(np.float32)


# --8<-- [end:tone]


# --8<-- [start:moving_square]
def moving_square() -> np.ndarray:
    """Eight 32x32 RGB frames, (frames, channels, height, width) uint8: a red
    square moving 3 pixels to the right each frame."""
    frames = np.zeros((8, 3, 32, 32), dtype=np.uint8)
    for i in range(8):
        frames[i, 0, 12:20, 3 * i : 3 * i + 8] = 255
    return frames


# --8<-- [end:moving_square]


# --8<-- [start:relief]
def relief(image: torch.Tensor) -> torch.Tensor:
    """An 8x8 digit (64 values in [0, 1]) as 64 points (x, y, z), z the ink."""
    rows, cols = torch.meshgrid(torch.arange(8), torch.arange(8), indexing="ij")
    xs, ys = cols.flatten().to(image), (7 - rows).flatten().to(image)
    return torch.stack([xs, ys, image.flatten() * 4], dim=1)


# --8<-- [end:relief]

# --8<-- [start:train]
wandb_logger = WandbLogger(project="lightning-audio-video-3d")
trainer = L.Trainer(logger=wandb_logger, max_epochs=1, log_every_n_steps=8)
L.seed_everything(0)
train_loader, val_loader = digits_loaders()
model = DigitsClassifier()
trainer.fit(model, train_loader, val_loader)

# four validation digits, their labels and the model's predictions
x, y = next(iter(val_loader))
model.eval()
with torch.no_grad():
    preds = model.net(x).argmax(dim=1)
labels, guesses = y[:4].tolist(), preds[:4].tolist()
captions = [f"label {t} / predicted {p}" for t, p in zip(labels, guesses, strict=True)]
step = trainer.global_step
# --8<-- [end:train]

# --8<-- [start:audio]
# numpy waveforms; sample_rate and caption are lists, one entry per clip
wandb_logger.log_audio(
    key="audio/predictions",
    audios=[tone(p) for p in guesses],
    sample_rate=[8000] * len(guesses),
    caption=captions,
    step=step,
)
# --8<-- [end:audio]

# --8<-- [start:video]
# (frames, channels, height, width) uint8, one format per video
square = moving_square()
wandb_logger.log_video(
    key="video/square",
    videos=[square, square],
    fps=[4, 4],
    format=["gif", "mp4"],
    caption=["as a GIF", "as an MP4"],
    step=step,
)
# --8<-- [end:video]

# --8<-- [start:html]
rows = "".join(
    f"<tr><td>{t}</td><td>{p}</td></tr>" for t, p in zip(labels, guesses, strict=True)
)
page = f"<table><tr><th>label</th><th>predicted</th></tr>{rows}</table>"
# this WandbLogger has no log_html: log a wandb.Html through the run,
# with the step in the dict (never step=)
trainer.logger.experiment.log(
    {"html/predictions": wandb.Html(page), "trainer/global_step": step}
)
# --8<-- [end:html]

# --8<-- [start:point_clouds]
# wandb.Object3D takes a numpy array of points, not a tensor
clouds = [
    wandb.Object3D(relief(image).cpu().numpy(), caption=caption)
    for image, caption in zip(x[:4], captions, strict=True)
]
trainer.logger.experiment.log({"3d/digits": clouds, "trainer/global_step": step})
# --8<-- [end:point_clouds]

wandb.finish()
