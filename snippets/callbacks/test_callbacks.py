"""The Callbacks page: the sample callback logs once per validation epoch, never in the sanity check."""

import json
from pathlib import Path

from tested_docs import RecordedRun

HERE = Path(__file__).parent


def check_callback_run(run: RecordedRun) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-callbacks"
    image_rows = run.rows_with("sample_images._type")
    table_rows = run.rows_with("sample_table._type")
    # max_epochs=2: two validation epochs, so two logs each. A third would be the sanity check.
    assert len(image_rows) == len(table_rows) == 2
    assert [r["trainer/global_step"] for r in image_rows] == [24, 48]
    assert [r["trainer/global_step"] for r in table_rows] == [24, 48]
    for row in image_rows:
        assert row["sample_images.count"] == 16
        captions = row["sample_images.captions"]
        assert len(captions) == 16
        assert all(
            c.startswith("Ground truth: ") and " - Prediction: " in c for c in captions
        )
        for name in row["sample_images.filenames"]:
            pixels = run.image(name)
            assert pixels.shape[:2] == (32, 32) and pixels.var() > 0
            assert pixels.max() >= 200  # white strokes: uint8 in [0, 255]
    for row, image_row in zip(table_rows, image_rows, strict=True):
        table = json.loads((run.files_dir / row["sample_table.path"]).read_text())
        assert table["columns"] == ["image", "ground truth", "prediction"]
        assert row["sample_table.nrows"] == len(table["data"]) == 16
        assert row["sample_table.ncols"] == 3
        # the table rows say what the captions say, sample by sample
        expected = [
            [int(v) for v in c.removeprefix("Ground truth: ").split(" - Prediction: ")]
            for c in image_row["sample_images.captions"]
        ]
        assert [r[1:] for r in table["data"]] == expected
        assert all(r[0] == "Image" for r in table["data"])
    # the model learned: most predictions in the last epoch's samples are right
    last = json.loads((run.files_dir / table_rows[-1]["sample_table.path"]).read_text())
    assert sum(t == p for _, t, p in last["data"]) >= 12
    # train_loss reaches W&B every 10 of the 48 steps, and falls
    losses = run.column("train_loss")
    assert len(losses) == 4
    assert losses[-1] < losses[0]


def test_trainer(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "callbacks_trainer.py")
    run = wandb_offline.run()
    check_callback_run(run)
    assert run.config == {"hidden": 64, "lr": 0.01}
    # the Trainer logs train_loss at global steps 9, 19, 29, 39 (counted from 0)
    assert run.steps("train_loss") == [
        9,
        19,
        29,
        39,
    ]
    # val_accuracy from PredictingClassifier, once per epoch
    accuracies = run.column("val_accuracy")
    assert len(accuracies) == 2 and run.summary["val_accuracy"] == accuracies[-1] > 0.8
    trainer = namespace["trainer"]
    assert [type(c).__name__ for c in trainer.callbacks].count(
        "LogPredictionSamplesCallback"
    ) == 1
    assert trainer.strategy.root_device.type == torch_device


def test_fabric(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "callbacks_fabric.py")
    run = wandb_offline.run()
    check_callback_run(run)
    assert run.steps("train_loss") == [
        10,
        20,
        30,
        40,
    ]
    assert run.column("epoch") == [0, 0, 1, 1]
    assert "val_accuracy" not in run.summary
    assert namespace["fabric"].device.type == torch_device
    # the guard: a later batch, or another process, logs nothing (it would fail on batch=None)
    (callback,) = namespace["fabric"]._callbacks
    assert (
        callback.on_validation_batch_end(
            fabric=namespace["fabric"], outputs=None, batch=None, batch_idx=1, step=0
        )
        is None
    )
