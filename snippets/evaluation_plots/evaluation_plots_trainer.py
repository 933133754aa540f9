"""Evaluation plots (Trainer): a confusion matrix, PR and ROC curves from each
validation epoch, and digits with boxes and masks, logged to W&B.

Run it with `python evaluation_plots_trainer.py` after `wandb login`, or without an
account with `WANDB_MODE=offline python evaluation_plots_trainer.py` (`wandb sync`
uploads the run and its plots later).
"""

# --8<-- [start:imports]
import lightning as L
import torch
import wandb
from lightning.pytorch.callbacks import Callback
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


# --8<-- [start:callback]
class PlotsClassifier(DigitsClassifier):
    """The Quickstart's model, but validation_step returns the batch's probabilities."""

    def validation_step(self, batch, batch_idx):
        # logs val_accuracy, as in the Quickstart
        super().validation_step(batch, batch_idx)
        x, _ = batch
        # what callbacks receive as `outputs`: (batch size, 10) probabilities
        return self.net(x).softmax(dim=1)


class EvaluationPlots(Callback):
    """Collects a validation epoch's probabilities and labels; logs the plots once."""

    def on_validation_epoch_start(self, trainer, pl_module):
        self.probs, self.labels = [], []

    def on_validation_batch_end(
        self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx=0
    ):
        # outputs is what validation_step returned
        self.probs.append(outputs)
        self.labels.append(batch[1])

    def on_validation_epoch_end(self, trainer, pl_module):
        # not for the sanity check's batches, and from one process only
        if trainer.sanity_checking or not trainer.is_global_zero:
            return
        plots = evaluation_plots(torch.cat(self.probs), torch.cat(self.labels))
        # never step=: put the step in the dict
        trainer.logger.experiment.log(
            {**plots, "trainer/global_step": trainer.global_step}
        )


# --8<-- [end:callback]

# --8<-- [start:train]
wandb_logger = WandbLogger(project="lightning-evaluation-plots")
trainer = L.Trainer(
    logger=wandb_logger,
    max_epochs=2,
    log_every_n_steps=10,
    callbacks=[EvaluationPlots()],
)
L.seed_everything(0)
train_loader, val_loader = digits_loaders()
model = PlotsClassifier()
trainer.fit(model, train_loader, val_loader)
# --8<-- [end:train]

# --8<-- [start:boxes]
# four validation digits, with the trained model's probabilities
x, y = next(iter(val_loader))
model.eval()
with torch.no_grad():
    probs = model.net(x[:4]).softmax(dim=1)
images = [
    annotated_digit(pixels, label, p)
    for pixels, label, p in zip(x[:4], y[:4].tolist(), probs, strict=True)
]
wandb_logger.experiment.log(
    {"val/annotated": images, "trainer/global_step": trainer.global_step}
)
wandb.finish()
# --8<-- [end:boxes]
