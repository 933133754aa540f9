"""The Callbacks page: the sample callback logs once per validation epoch, never in the sanity check."""

import json

import pytest

from snippets.callbacks import callbacks_fabric, callbacks_trainer
from tested_docs import RecordedRun


def check_callback_run(run: RecordedRun) -> None:
    assert run.exit_code == 0
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


def test_trainer(wandb_offline, accelerator):
    callbacks_trainer.main(accelerator=accelerator)
    check_callback_run(wandb_offline.run())


def test_fabric(wandb_offline, accelerator):
    callbacks_fabric.main(accelerator=accelerator)
    check_callback_run(wandb_offline.run())


@pytest.mark.parametrize(
    "script", [callbacks_trainer, callbacks_fabric], ids=["trainer", "fabric"]
)
def test_runs_as_a_script(wandb_offline, script):
    wandb_offline.run_script(script.__file__)
    check_callback_run(wandb_offline.run())
