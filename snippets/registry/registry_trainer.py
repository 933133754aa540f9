"""The W&B Registry (Trainer): link the best checkpoint to a Registry collection.

Run it with `python registry_trainer.py` after `wandb login`: linking needs the W&B
server. With `WANDB_MODE=offline` it trains and logs the checkpoint, then stops at
`link_artifact` with NotImplementedError.
"""

# --8<-- [start:imports]
import lightning as L
import torch
import wandb
from lightning.pytorch.callbacks import ModelCheckpoint
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
L.seed_everything(0)
wandb_logger = WandbLogger(project="lightning-registry", log_model=True)
checkpoint = ModelCheckpoint(monitor="val_accuracy", mode="max")
trainer = L.Trainer(
    logger=wandb_logger, callbacks=[checkpoint], max_epochs=1, log_every_n_steps=8
)
trainer.fit(DigitsClassifier(), *digits_loaders())
# --8<-- [end:train]

# --8<-- [start:call]
# The logger's run is still open after fit; `with` finishes it, also on an error.
# The file is the one log_model logged as "best", under the same name: W&B keeps
# it as that version.
with wandb_logger.experiment as run:
    linked = link_to_registry(run, checkpoint.best_model_path)
# --8<-- [end:call]
