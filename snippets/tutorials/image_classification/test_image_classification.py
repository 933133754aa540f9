"""The image classification tutorial's two scripts, read back from what W&B recorded."""

import itertools
import math
from pathlib import Path

import pytest
from PIL import Image

from snippets.tutorials.image_classification import (
    image_classification_fabric,
    image_classification_trainer,
)
from tested_docs import RecordedRun, wandb_digest

TEST_ACCURACY_FLOOR = 0.85  # stated on the page; guessing scores 0.1
MAX_EPOCHS = 10
NUM_SAMPLES = 16
STEPS_PER_EPOCH = math.ceil(1200 / 64)  # 1,200 training images, batches of 64


def check_early_stopping(run: RecordedRun) -> int:
    """Early stopping ended the run before max_epochs, at the epoch it says it did."""
    val_losses = run.column("val_loss")
    epochs_run = len(val_losses)
    stopped_epoch = run.summary["stopped_epoch"]
    assert 0 < stopped_epoch == epochs_run - 1 < MAX_EPOCHS - 1
    # patience=1, min_delta=0.02: the last epoch is the first that did not improve enough
    best_before = min(val_losses[:-1])
    assert val_losses[-1] >= best_before - 0.02
    assert all(b < a - 0.02 for a, b in itertools.pairwise(val_losses[:-1]))
    assert (
        run.column("epoch")[: len(val_losses)]
        == sorted(run.column("epoch"))[:epochs_run]
    )
    return epochs_run


def check_images(run: RecordedRun, epochs_run: int) -> None:
    """Exactly one image log per validation epoch (none for the sanity check)."""
    rows = run.rows_with("val_examples._type")
    assert len(rows) == epochs_run
    assert [row["trainer/global_step"] for row in rows] == [
        STEPS_PER_EPOCH * (epoch + 1) for epoch in range(epochs_run)
    ]
    for row in rows:
        assert row["val_examples._type"] == "images/separated"
        assert row["val_examples.count"] == NUM_SAMPLES
        captions = row["val_examples.captions"]
        assert len(captions) == NUM_SAMPLES
        assert all(c.startswith("pred ") and ", label " in c for c in captions)
        filenames = row["val_examples.filenames"]
        assert len(set(filenames)) == NUM_SAMPLES
        for name in filenames:
            assert name in run.files
            with Image.open(run.files_dir / name) as image:
                assert image.format == "PNG" and image.size == (8, 8)
                low, high = image.convert("L").getextrema()
                assert high - low > 100, f"{name} is blank"  # uint8, not black floats

    # the unshuffled val loader shows the same images every epoch, so you can watch them
    labels = [[c.split("label ")[1] for c in r["val_examples.captions"]] for r in rows]
    assert all(epoch_labels == labels[0] for epoch_labels in labels)


def check_checkpoints(run: RecordedRun, best_file: Path) -> None:
    """One `model-<run id>` version per val_accuracy improvement; `best` on the best."""
    name = f"model-{run.run_id}"
    versions = run.artifact_versions(name)
    assert [a.name for a in run.artifacts] == [name] * len(versions)
    accuracies = run.column("val_accuracy")
    improvements = [
        a for i, a in enumerate(accuracies) if a > max(accuracies[:i], default=0)
    ]
    assert len(versions) == len(improvements) >= 2
    for version, score in zip(versions, improvements, strict=True):
        assert version.type == "model"
        assert sorted(version.aliases) == ["best", "latest"]
        assert [f.path for f in version.files] == ["model.ckpt"]
        assert version.metadata["score"] == pytest.approx(score)
    best = run.alias_holder(name, "best")
    assert best is versions[-1]
    assert best.metadata["score"] == pytest.approx(max(accuracies))
    assert best.file("model.ckpt").digest == wandb_digest(best_file)  # the file on disk


def check_common(run: RecordedRun) -> int:
    assert run.exit_code == 0
    assert run.project == "lightning-image-classification"
    assert run.job_type == "train"
    assert run.config["batch_size"] == 64
    assert run.config["max_epochs"] == MAX_EPOCHS
    assert run.metrics["*"].step_metric == "trainer/global_step"
    assert run.summary["test_accuracy"] > TEST_ACCURACY_FLOOR
    assert len(run.column("test_accuracy")) == len(run.column("test_loss")) == 1
    assert run.summary["test_loss"] < run.column("val_loss")[0]
    train_loss = run.column("train_loss")
    assert train_loss[-1] < train_loss[0]
    epochs_run = check_early_stopping(run)
    check_images(run, epochs_run)
    return epochs_run


def check_trainer_run(run: RecordedRun) -> None:
    check_common(run)
    assert run.config == {
        "in_channels": 1,
        "image_size": 8,
        "num_classes": 10,
        "lr": 0.01,
        "batch_size": 64,
        "max_epochs": MAX_EPOCHS,
    }
    train_accuracy = run.column("train_accuracy")
    assert len(train_accuracy) == len(run.column("val_accuracy"))  # once an epoch
    assert train_accuracy[-1] > train_accuracy[0]
    # Lightning's own rows move forward on the logger's x-axis
    steps = [
        r["trainer/global_step"] for r in run.history if "val_examples._type" not in r
    ]
    assert steps == sorted(steps)
    best = run.alias_holder(f"model-{run.run_id}", "best")
    checkpoint = best.metadata["ModelCheckpoint"]
    assert checkpoint["monitor"] == "val_accuracy" and checkpoint["mode"] == "max"
    # save_top_k=1 keeps only the best file on disk: the one the `best` alias holds
    folder = Path("lightning-image-classification") / run.run_id / "checkpoints"
    assert [p.name for p in folder.iterdir()] == [best.metadata["original_filename"]]
    check_checkpoints(run, folder / best.metadata["original_filename"])


def check_fabric_run(run: RecordedRun) -> None:
    epochs_run = check_common(run)
    assert run.config == {
        "batch_size": 64,
        "lr": 0.01,
        "max_epochs": MAX_EPOCHS,
        "patience": 1,
        "min_delta": 0.02,
    }
    steps = run.column("trainer/global_step")
    assert steps == sorted(steps)
    assert (
        steps[-1] == STEPS_PER_EPOCH * epochs_run
    )  # the test row, after the last epoch
    best = run.alias_holder(f"model-{run.run_id}", "best")
    assert best.metadata["monitor"] == "val_accuracy"
    assert best.metadata["epoch"] == run.column("val_accuracy").index(
        max(run.column("val_accuracy"))
    )
    check_checkpoints(run, Path("checkpoints") / "best.ckpt")


def test_trainer(wandb_offline, accelerator):
    stopped_epoch = image_classification_trainer.main(accelerator=accelerator)
    run = wandb_offline.run()
    check_trainer_run(run)
    assert stopped_epoch == run.summary["stopped_epoch"]  # EarlyStopping.stopped_epoch


def test_fabric(wandb_offline, accelerator):
    stopped_epoch = image_classification_fabric.main(accelerator=accelerator)
    run = wandb_offline.run()
    check_fabric_run(run)
    assert stopped_epoch == run.summary["stopped_epoch"]


@pytest.mark.parametrize(
    ("script", "check"),
    [
        (image_classification_trainer, check_trainer_run),
        (image_classification_fabric, check_fabric_run),
    ],
    ids=["trainer", "fabric"],
)
def test_runs_as_a_script(wandb_offline, script, check):
    wandb_offline.run_script(script.__file__)
    check(wandb_offline.run())
