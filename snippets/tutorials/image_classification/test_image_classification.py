"""The image classification tutorial's two scripts, run as `python <script>` would,
read back from what W&B recorded."""

import itertools
import math
from pathlib import Path

import pytest
from PIL import Image

from tested_docs import RecordedRun, wandb_digest

HERE = Path(__file__).parent
TEST_ACCURACY_FLOOR = 0.85  # stated on the page; guessing scores 0.1
MAX_EPOCHS = 10
NUM_SAMPLES = 16
STEPS_PER_EPOCH = math.ceil(1200 / 64)  # 1,200 training images, batches of 64: 19


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
    # one validation row per epoch, each labelled with its epoch
    assert [row["epoch"] for row in run.rows_with("val_loss")] == list(
        range(epochs_run)
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
    # and the predictions in the captions change as the model learns
    preds = [[c.split(",")[0] for c in r["val_examples.captions"]] for r in rows]
    assert preds[0] != preds[-1]


def check_checkpoints(run: RecordedRun, best_file: Path) -> None:
    """One `model-<run id>` version per val_accuracy improvement.

    Each is logged with the aliases `latest` and `best`; an alias sits on one version at
    a time, so once synced `latest` is on the last version and `best` on the best one
    (here the same version: a checkpoint is logged only when val_accuracy improves).
    """
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
        assert sorted(version.aliases) == ["best", "latest"]  # as logged
        assert [f.path for f in version.files] == ["model.ckpt"]
        assert version.metadata["score"] == pytest.approx(score)
    latest = run.alias_holder(name, "latest")
    best = run.alias_holder(name, "best")
    assert latest is versions[-1]
    assert best.metadata["score"] == pytest.approx(max(accuracies))
    assert best is latest and best.version == len(versions) - 1
    assert best.file("model.ckpt").digest == wandb_digest(best_file)  # the file on disk


def check_common(run: RecordedRun) -> int:
    assert run.exit_code == 0
    assert run.project == "lightning-image-classification"
    assert run.job_type == "train"
    assert run.metrics["*"].step_metric == "trainer/global_step"
    assert run.summary["test_accuracy"] > TEST_ACCURACY_FLOOR
    assert len(run.column("test_accuracy")) == len(run.column("test_loss")) == 1
    assert run.summary["test_loss"] < run.column("val_loss")[0]
    train_loss = run.column("train_loss")
    assert train_loss[-1] < train_loss[0]
    epochs_run = check_early_stopping(run)
    check_images(run, epochs_run)
    # the test row comes last, at the step training ended
    test_row = run.rows_with("test_accuracy")[0]
    assert run.history[-1] is test_row
    assert test_row["trainer/global_step"] == STEPS_PER_EPOCH * epochs_run
    return epochs_run


def check_trainer_run(run: RecordedRun) -> None:
    epochs_run = check_common(run)
    assert run.config == {
        "in_channels": 1,
        "image_size": 8,
        "num_classes": 10,
        "lr": 0.01,
        "batch_size": 64,
        "max_epochs": MAX_EPOCHS,
    }
    # log_every_n_steps=5: train_loss at every 5th batch (global steps 4, 9, 14, ...)
    assert run.steps("train_loss") == list(range(4, STEPS_PER_EPOCH * epochs_run, 5))
    # epoch-level metrics at the last step of each epoch
    last_steps = [STEPS_PER_EPOCH * (epoch + 1) - 1 for epoch in range(epochs_run)]
    assert run.steps("val_loss") == last_steps
    assert run.steps("train_accuracy") == last_steps
    train_accuracy = run.column("train_accuracy")
    assert train_accuracy[-1] > train_accuracy[0]
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
    # train_loss every 5 steps; validation after the last step of each epoch
    assert run.steps("train_loss") == list(
        range(5, STEPS_PER_EPOCH * epochs_run + 1, 5)
    )
    assert run.steps("val_loss") == [
        STEPS_PER_EPOCH * (epoch + 1) for epoch in range(epochs_run)
    ]
    best = run.alias_holder(f"model-{run.run_id}", "best")
    assert best.metadata["monitor"] == "val_accuracy"
    assert best.metadata["epoch"] == run.column("val_accuracy").index(
        max(run.column("val_accuracy"))
    )
    check_checkpoints(run, Path("checkpoints") / "best.ckpt")


def test_trainer(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "image_classification_trainer.py")
    run = wandb_offline.run()
    check_trainer_run(run)
    assert namespace["stopped_epoch"] == run.summary["stopped_epoch"]
    # as the page says: test(ckpt_path="best") restored the callback's state from the
    # checkpoint, so stopped_epoch must be read before it
    assert namespace["early_stopping"].stopped_epoch == 0
    assert namespace["trainer"].strategy.root_device.type == torch_device


def test_fabric(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "image_classification_fabric.py")
    run = wandb_offline.run()
    check_fabric_run(run)
    assert namespace["stopped_epoch"] == run.summary["stopped_epoch"]
    assert namespace["fabric"].device.type == torch_device
