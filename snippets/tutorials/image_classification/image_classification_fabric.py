"""Image classification, end to end, with Lightning Fabric and W&B.

The same data module, CNN and W&B records as the Trainer version, in a loop you write:
early stopping by hand, the best checkpoint saved with fabric.save and logged as an
artifact, predictions logged as images, and a test of the best checkpoint at the end.

Run it with `python image_classification_fabric.py` after `wandb login`, or without an
account with `WANDB_MODE=offline python image_classification_fabric.py` (`wandb sync`
uploads it later).
"""

# --8<-- [start:imports]
import math
from pathlib import Path

import lightning as L
import numpy as np
import torch
import wandb
from sklearn.datasets import load_digits
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset, random_split
from torchmetrics.classification import MulticlassAccuracy
from wandb.integration.lightning.fabric import WandbLogger

# --8<-- [end:imports]


# --8<-- [start:datamodule]
class DigitsDataModule(L.LightningDataModule):
    """1,797 real 8x8 handwritten digits from scikit-learn:
    1,200 train, 300 val, 297 test.
    """

    def __init__(self, data_dir: str = "data", batch_size: int = 64):
        super().__init__()
        self.data_dir = Path(data_dir)
        self.batch_size = batch_size
        self.num_classes = 10
        self.dims = (1, 8, 8)  # channels, height, width

    def prepare_data(self):
        # Runs once, on one process: fetch and write to disk, never assign state here.
        # scikit-learn ships the digits, so "fetching" is writing them to data_dir.
        path = self.data_dir / "digits.npz"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            images, labels = load_digits(return_X_y=True)
            np.savez(path, images=images, labels=labels)

    def setup(self, stage: str):
        # Runs on every process: load from disk, transform, split.
        with np.load(self.data_dir / "digits.npz") as data:
            images = torch.tensor(data["images"] / 16.0, dtype=torch.float32)
            labels = torch.tensor(data["labels"])
        full = TensorDataset(images.view(-1, *self.dims), labels)  # to 1x8x8, in [0, 1]
        # The same seed in every stage, so the test split never leaks into training.
        train, val, test = random_split(
            full, [1200, 300, 297], generator=torch.Generator().manual_seed(42)
        )
        if stage in ("fit", "validate"):
            self.train_set, self.val_set = train, val
        if stage in ("test", "predict"):
            self.test_set = test

    def train_dataloader(self):
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_set, batch_size=self.batch_size)

    def test_dataloader(self):
        return DataLoader(self.test_set, batch_size=self.batch_size)


# --8<-- [end:datamodule]


# --8<-- [start:model]
class ConvNet(nn.Module):
    def __init__(
        self, in_channels: int = 1, image_size: int = 8, num_classes: int = 10
    ):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 16, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        flat = 32 * (image_size // 2) ** 2
        self.head = nn.Sequential(
            nn.Flatten(), nn.Linear(flat, 64), nn.ReLU(), nn.Linear(64, num_classes)
        )

    def forward(self, x):
        return self.head(self.features(x))


@torch.no_grad()
def evaluate(model, loader, accuracy: MulticlassAccuracy) -> tuple[float, float]:
    """Mean loss and accuracy over a whole loader."""
    model.eval()
    accuracy.reset()
    total_loss, count = 0.0, 0
    for x, y in loader:
        logits = model(x)
        total_loss += F.cross_entropy(logits, y, reduction="sum").item()
        count += len(y)
        accuracy.update(logits, y)
    return total_loss / count, accuracy.compute().item()


# --8<-- [end:model]


# --8<-- [start:log_images]
@torch.no_grad()
def log_predictions(logger, model, batch, step: int, num_samples: int):
    """The first validation batch as uint8 images,
    captioned with prediction and label.
    """
    model.eval()
    x, y = batch[0][:num_samples], batch[1][:num_samples]
    preds = model(x).argmax(dim=1)
    pixels = (x[:, 0] * 255).clamp(0, 255).byte().cpu().numpy()  # uint8, not floats
    logger.log_image(
        key="val_examples",
        images=list(pixels),
        caption=[
            f"pred {p}, label {t}"
            for p, t in zip(preds.tolist(), y.tolist(), strict=True)
        ],
        step=step,
    )


# --8<-- [end:log_images]


# --8<-- [start:checkpoint]
def save_best(fabric, logger, model, optimizer, epoch: int, score: float) -> None:
    """fabric.save the state,
    then log the file as this run's `model-<run id>` artifact.
    """
    path = Path("checkpoints") / "best.ckpt"
    fabric.save(path, {"model": model, "optimizer": optimizer, "epoch": epoch})
    if fabric.is_global_zero:  # one process uploads
        run = logger.experiment
        artifact = wandb.Artifact(
            f"model-{run.id}",
            type="model",
            metadata={"score": score, "monitor": "val_accuracy", "epoch": epoch},
        )
        artifact.add_file(str(path), name="model.ckpt")
        run.log_artifact(artifact, aliases=["latest", "best"])


# --8<-- [end:checkpoint]


# --8<-- [start:setup]
logger = WandbLogger(project="lightning-image-classification", job_type="train")
fabric = L.Fabric(devices=1, loggers=[logger])
fabric.launch()
fabric.seed_everything(0)
config = {
    "batch_size": 64,
    "lr": 1e-2,
    "max_epochs": 10,  # a ceiling: early stopping ends the run sooner
    "patience": 1,
    "min_delta": 0.02,
}
logger.log_hyperparams(config)

dm = DigitsDataModule(batch_size=config["batch_size"])
if fabric.is_global_zero:
    dm.prepare_data()  # once, like the Trainer does it
fabric.barrier()
dm.setup("fit")
model = ConvNet(in_channels=1, image_size=8, num_classes=dm.num_classes)
optimizer = torch.optim.Adam(model.parameters(), lr=config["lr"])
model, optimizer = fabric.setup(model, optimizer)
train_loader, val_loader = fabric.setup_dataloaders(
    dm.train_dataloader(), dm.val_dataloader()
)
accuracy = MulticlassAccuracy(num_classes=dm.num_classes).to(fabric.device)
# --8<-- [end:setup]

# --8<-- [start:loop]
step, best_accuracy = 0, 0.0
best_loss, bad_epochs, stopped_epoch = math.inf, 0, 0
for epoch in range(config["max_epochs"]):
    model.train()
    for x, y in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        fabric.backward(loss)  # not loss.backward()
        optimizer.step()
        step += 1
        if step % 5 == 0:
            fabric.log_dict({"train_loss": loss.item(), "epoch": epoch}, step=step)

    val_loss, val_accuracy = evaluate(model, val_loader, accuracy)
    fabric.log_dict(
        {"val_loss": val_loss, "val_accuracy": val_accuracy, "epoch": epoch},
        step=step,
    )
    log_predictions(logger, model, next(iter(val_loader)), step, num_samples=16)

    if val_accuracy > best_accuracy:  # ModelCheckpoint(monitor=..., mode="max")
        best_accuracy = val_accuracy
        save_best(fabric, logger, model, optimizer, epoch, val_accuracy)
    # EarlyStopping(monitor="val_loss", patience=..., min_delta=...), by hand
    if val_loss < best_loss - config["min_delta"]:
        best_loss, bad_epochs = val_loss, 0
    else:
        bad_epochs += 1
        if bad_epochs >= config["patience"]:
            stopped_epoch = epoch
            break
logger.experiment.summary["stopped_epoch"] = stopped_epoch
# --8<-- [end:loop]

# --8<-- [start:test]
fabric.load(Path("checkpoints") / "best.ckpt", {"model": model})  # the best weights
dm.setup("test")
test_loader = fabric.setup_dataloaders(dm.test_dataloader())
test_loss, test_accuracy = evaluate(model, test_loader, accuracy)
fabric.log_dict({"test_loss": test_loss, "test_accuracy": test_accuracy}, step=step)

logger.finalize("success")  # Fabric never calls it for you
wandb.finish()
# --8<-- [end:test]
