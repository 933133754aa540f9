"""tinytrain: a tiny training library whose W&B logging is optional.

It shows what a library author does to add W&B: wandb is an optional dependency,
imported only when the user turns it on; the run starts at the very beginning of `fit`;
every metric shares one x-axis; the input dataset and the checkpoints are artifacts; in
distributed training only the main process logs, or every process logs into one group.
Run the demo with `python tinytrain.py` after `wandb login`, or without an account
with `WANDB_MODE=offline python tinytrain.py` (`wandb sync` uploads it later).
"""

# --8<-- [start:imports]
import os
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

# No `import wandb` up here: users without wandb can still import tinytrain.
# --8<-- [end:imports]


# --8<-- [start:optional_import]
def import_wandb():
    """Import wandb on demand, or say exactly how to get it."""
    try:
        import wandb
    except ImportError as error:
        raise ImportError(
            "tinytrain: use_wandb=True needs the `wandb` package, which is not "
            "installed. Install it with `pip install wandb` (or "
            "`pip install 'tinytrain[wandb]'`), or pass use_wandb=False."
        ) from error
    return wandb


# --8<-- [end:optional_import]


# --8<-- [start:trainer_init]
class Trainer:
    def __init__(
        self,
        hidden: int = 32,
        lr: float = 1e-2,
        epochs: int = 3,
        batch_size: int = 64,
        *,
        use_wandb: bool = False,  # the user's switch; off by default
        project: str = "tinytrain",
        entity: str | None = None,
        log_checkpoints: bool = True,
        # validation images logged each epoch, with their predictions
        log_examples: int = 8,
        device: str = "cpu",
    ):
        self.config = {
            "hidden": hidden,
            "lr": lr,
            "epochs": epochs,
            "batch_size": batch_size,
        }
        # Fail now, before any training, if W&B is on but not installed.
        self.wandb = import_wandb() if use_wandb else None
        self.project, self.entity, self.device = project, entity, device
        self.log_checkpoints, self.log_examples = log_checkpoints, log_examples
        # Distributed: torchrun tells each process its rank. W&B's own variable for a
        # run's group, if the user sets it, asks every rank to log a run into it.
        self.rank = int(os.environ.get("RANK", "0"))
        self.group = os.environ.get("WANDB_RUN_GROUP")
        self.output_dir = Path("outputs")
        self.run, self._owns_run = None, False
        self.global_step = 0

    # --8<-- [end:trainer_init]

    # --8<-- [start:start_run]
    def _start_run(self) -> None:
        if self.wandb is None:
            return
        if self.rank != 0 and self.group is None:
            return  # distributed: only the main process logs
        self._owns_run = self.wandb.run is None
        if self._owns_run:
            self.run = self.wandb.init(
                project=self.project,
                entity=self.entity,
                config=self.config,  # the hyperparameters, known up front
                job_type="train",
                group=self.group,  # None unless every rank logs
                name=f"rank-{self.rank}" if self.group else None,
            )
        else:
            # the user started a run: log into it, and leave it open
            self.run = self.wandb.run
            self.run.config.update(self.config)
        # Under a sweep agent, the run's config holds the values W&B chose: use them.
        self.config = {name: self.run.config[name] for name in self.config}
        # One x-axis for every metric, whatever the number of log calls per step.
        self.run.define_metric("global_step")
        self.run.define_metric("*", step_metric="global_step")

    def log(self, metrics: dict) -> None:
        if self.run is not None:
            self.run.log({**metrics, "global_step": self.global_step})

    # --8<-- [end:start_run]

    # --8<-- [start:fit]
    def fit(self, data_path: str | Path) -> dict:
        self._start_run()  # first: console output and crashes land in the run
        data = np.load(data_path)
        x = torch.tensor(data["images"], dtype=torch.float32, device=self.device)
        y = torch.tensor(data["labels"], device=self.device)
        self._track_dataset(Path(data_path), num_examples=len(y))
        split = int(0.8 * len(y))
        model = nn.Sequential(
            nn.Linear(x.shape[1], self.config["hidden"]),
            nn.ReLU(),
            nn.Linear(self.config["hidden"], int(y.max()) + 1),
        ).to(self.device)
        if self.run is not None:  # known only now: add it to the config
            parameters = sum(p.numel() for p in model.parameters())
            self.run.config.update({"model_parameters": parameters})
        optimizer = torch.optim.Adam(model.parameters(), lr=self.config["lr"])

        best = 0.0
        generator = torch.Generator().manual_seed(0)
        for epoch in range(self.config["epochs"]):
            order = torch.randperm(split, generator=generator).to(self.device)
            for batch in order.split(self.config["batch_size"]):
                loss = F.cross_entropy(model(x[batch]), y[batch])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                self.global_step += 1
                if self.global_step % 5 == 0:
                    self.log({"train/loss": loss.item()})
            with torch.no_grad():
                logits = model(x[split:])
                val_loss = F.cross_entropy(logits, y[split:]).item()
                accuracy = (logits.argmax(dim=1) == y[split:]).float().mean().item()
            self.log({"val/loss": val_loss, "val/accuracy": accuracy, "epoch": epoch})
            self._log_examples(x[split:], logits, y[split:])
            if self.rank == 0:  # the main process saves and uploads checkpoints
                self._save_checkpoint(model, epoch, accuracy, is_best=accuracy > best)
            best = max(best, accuracy)

        if self.run is not None and self._owns_run:
            self.run.finish()
        return {"val/accuracy": accuracy, "best/val/accuracy": best}

    # --8<-- [end:fit]

    # --8<-- [start:media]
    def _log_examples(self, images, logits, labels) -> None:
        if self.run is None or self.log_examples == 0:
            return
        # wandb.Image wants uint8 pixels in [0, 255]; floats in [0, 1] come out black
        pixels = (images[: self.log_examples] * 255).round().byte().cpu().numpy()
        predictions = logits[: self.log_examples].argmax(dim=1).tolist()
        labels = labels[: self.log_examples].tolist()
        examples = [
            self.wandb.Image(
                picture.reshape(8, 8), caption=f"predicted {guess}, true {true}"
            )
            for picture, guess, true in zip(pixels, predictions, labels, strict=True)
        ]
        self.log({"val/examples": examples})

    # --8<-- [end:media]

    # --8<-- [start:checkpoint]
    def _save_checkpoint(self, model, epoch: int, accuracy: float, is_best: bool):
        self.output_dir.mkdir(parents=True, exist_ok=True)
        path = self.output_dir / "model.pt"
        torch.save(model.state_dict(), path)
        if self.run is None or not self.log_checkpoints:
            return
        artifact = self.wandb.Artifact(
            f"model-{self.run.id}",  # the run id tells runs' checkpoints apart
            type="model",
            metadata={
                "val/accuracy": accuracy,
                "train/steps": self.global_step,
                "epoch": epoch,
            },
        )
        artifact.add_file(str(path))
        aliases = [f"epoch_{epoch}"] + (["best"] if is_best else [])
        self.run.log_artifact(artifact, aliases=aliases)  # "latest" comes for free

    # --8<-- [end:checkpoint]

    # --8<-- [start:dataset]
    def _track_dataset(self, path: Path, num_examples: int) -> None:
        if self.run is None:
            return
        dataset = self.wandb.Artifact(
            path.stem, type="dataset", metadata={"examples": num_examples}
        )
        dataset.add_file(str(path))
        if self.run.offline:
            # use_artifact needs a server; log the file now, `wandb sync` uploads it.
            self.run.log_artifact(dataset, aliases=["input"])
        else:
            # Online: upload it (if new) and record it as this run's input.
            self.run.use_artifact(dataset)

    # --8<-- [end:dataset]


# --8<-- [start:use_by_name]
# Both functions need a W&B server: offline, `use_artifact` raises TypeError and
# `wandb.Api()` raises UsageError ("No API key configured").
def fit_from_artifact(trainer: Trainer, name: str) -> dict:
    """Train on a dataset artifact that is already in W&B,
    e.g. "me/tinytrain/digits:latest".
    """
    wandb = import_wandb()
    with wandb.init(project=trainer.project, job_type="train") as run:
        # use_artifact records the dataset as the run's input; download() is cached,
        # so later calls do not download it again.
        return trainer.fit(Path(run.use_artifact(name).download()) / "digits.npz")


def download_without_a_run(name: str) -> Path:
    """For inference or a distributed worker: no run is created."""
    wandb = import_wandb()
    return Path(wandb.Api().artifact(name).download())


# --8<-- [end:use_by_name]


# --8<-- [start:main]
if __name__ == "__main__":
    # What a user of tinytrain writes: their data, then one switch for W&B.
    from sklearn.datasets import load_digits

    images, labels = load_digits(return_X_y=True)
    np.savez("digits.npz", images=images / 16.0, labels=labels)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    trainer = Trainer(hidden=32, epochs=3, use_wandb=True, device=device)
    result = trainer.fit("digits.npz")
    print(result)
# --8<-- [end:main]
