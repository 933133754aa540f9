"""The Media page: images, text and tables land in the run's files, under the keys the page uses."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from lightning.pytorch.loggers import WandbLogger as TrainerWandbLogger
from PIL import Image
from wandb.integration.lightning.fabric import WandbLogger as FabricWandbLogger

from tested_docs import RecordedRun

HERE = Path(__file__).parent
IMAGE_KEYS = [
    "samples/tensors",
    "samples/numpy",
    "samples/pil",
    "samples/files",
    "samples/run_log",
]
CAPTIONED = {"samples/tensors", "samples/run_log"}


def check_image(run: RecordedRun, path: str | Path) -> np.ndarray:
    # a path under files_dir, or an artifact's absolute path
    pixels = run.image(str(path))
    assert pixels.shape[:2] == (32, 32)
    assert pixels.var() > 0, f"{path} is blank"
    assert pixels.max() >= 200, f"{path} is black"  # float [0, 1] input comes out black
    return pixels


def check_media_run(run: RecordedRun) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-media"
    # train_loss reaches W&B every 10 of the 48 steps, and falls
    losses = run.column("train_loss")
    assert len(losses) == 4 and losses[-1] < losses[0]
    # every media row sits at the step training ended on
    media_rows = [r for r in run.history if any(k.endswith("._type") for k in r)]
    assert len(media_rows) == len(IMAGE_KEYS) + 3
    assert {r["trainer/global_step"] for r in media_rows} == {48}
    first_images = None
    for key in IMAGE_KEYS:
        (row,) = run.rows_with(f"{key}._type")  # logged once
        assert row[f"{key}._type"] == "images/separated"
        assert row[f"{key}.count"] == 4
        files = row[f"{key}.filenames"]
        assert len(files) == 4 and all(
            f.startswith(f"media/images/{key}_") for f in files
        )
        images = [check_image(run, f) for f in files]
        if first_images is None:
            first_images = images
        # tensors, numpy arrays, PIL images and files of the same digits give the same PNGs
        assert all(
            np.array_equal(a, b) for a, b in zip(images, first_images, strict=True)
        )
        if key in CAPTIONED:
            captions = row[f"{key}.captions"]
            assert len(captions) == 4
            assert all(
                c.startswith("label ") and " / predicted " in c for c in captions
            )
        else:
            assert f"{key}.captions" not in row
    # the captions carry the real labels, and the model got most of them right
    captions = run.rows_with("samples/tensors._type")[0]["samples/tensors.captions"]
    pairs = [c.removeprefix("label ").split(" / predicted ") for c in captions]
    assert sum(t == p for t, p in pairs) >= 3

    for key in ["text/rows", "text/dataframe"]:
        (row,) = run.rows_with(f"{key}._type")
        assert row[f"{key}._type"] == "table-file"
        table = json.loads((run.files_dir / row[f"{key}.path"]).read_text())
        assert table["columns"] == ["sample", "label", "prediction"]
        assert [r[1:] for r in table["data"]] == [[int(t), int(p)] for t, p in pairs]
        assert row[f"{key}.nrows"] == len(table["data"]) == 4

    (row,) = run.rows_with("table/samples._type")
    table = json.loads((run.files_dir / row["table/samples.path"]).read_text())
    assert table["columns"] == ["caption", "image", "sound"]
    assert len(table["data"]) == row["table/samples.nrows"] == 4
    # The files folder keeps only cell types; the cells' media live in a run_table artifact.
    assert [r[1:] for r in table["data"]] == [["Image", "Audio"]] * 4
    (artifact,) = [
        a for a in run.artifacts if a.name.startswith(f"run-{run.run_id}-table")
    ]
    assert artifact.type == "run_table"
    full = json.loads(artifact.file("table/samples.table.json").local_path.read_text())
    cells = full["data"]
    assert [r[0] for r in cells] == [f"label {t}" for t, _ in pairs]
    for _, image, sound in cells:
        assert image["_type"] == "image-file" and sound["_type"] == "audio-file"
        check_image(run, artifact.file(image["path"]).local_path)
        wav = artifact.file(sound["path"]).local_path.read_bytes()
        assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE" and len(wav) > 4000


def check_source_files(namespace: dict) -> None:
    """The PNG files the script wrote hold the same pixels as the PIL images."""
    assert namespace["paths"] == [f"digit_{i}.png" for i in range(4)]
    for path, pil_image in zip(
        namespace["paths"], namespace["pil_images"], strict=True
    ):
        assert np.array_equal(np.asarray(Image.open(path)), np.asarray(pil_image))


def test_trainer(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "media_trainer.py")
    run = wandb_offline.run()
    check_media_run(run)
    check_source_files(namespace)
    assert run.config == {"hidden": 64, "lr": 0.01}
    assert run.steps("train_loss") == [
        9,
        19,
        29,
        39,
    ]
    # the Quickstart's model validates once per epoch: no "Skipping val loop"
    accuracies = run.column("val_accuracy")
    assert len(accuracies) == 2 and accuracies[-1] > 0.8
    assert namespace["trainer"].strategy.root_device.type == torch_device


def test_fabric(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "media_fabric.py")
    run = wandb_offline.run()
    check_media_run(run)
    check_source_files(namespace)
    assert run.steps("train_loss") == [
        10,
        20,
        30,
        40,
    ]
    assert run.column("epoch") == [0, 0, 1, 1]
    assert namespace["fabric"].device.type == torch_device


def test_float_images_come_out_black(wandb_offline):
    """The pitfall the page warns about: float [0, 1] pixels are not rescaled any more."""
    import torch
    import wandb
    from sklearn.datasets import load_digits

    images, _ = load_digits(return_X_y=True)
    x = torch.tensor(images[0] / 16.0, dtype=torch.float32)
    run = wandb.init(project="lightning-media")
    run.log({"floats": wandb.Image(x.view(1, 8, 8))})
    wandb.finish()
    (row,) = wandb_offline.run().rows_with("floats._type")
    pixels = wandb_offline.run().image(row["floats.path"])
    assert float(x.max()) > 0.5
    assert pixels.max() <= 1  # 0.0 to 1.0 written as bytes: black


def media_methods(logger_class: type) -> set[str]:
    """The logger's public `log_*` methods for media: not metrics, config or the graph."""
    not_media = {"log_metrics", "log_hyperparams", "log_graph"}
    return {
        name
        for name, member in vars(logger_class).items()
        if name.startswith("log_") and callable(member) and name not in not_media
    }


@pytest.mark.parametrize("language", ["", ".ja", ".zh", ".ko"], ids=str)
def test_the_page_names_every_media_method_of_both_loggers(language):
    trainer, fabric = (
        media_methods(TrainerWandbLogger),
        media_methods(FabricWandbLogger),
    )
    assert trainer == {"log_table", "log_text", "log_image", "log_audio", "log_video"}
    assert fabric == trainer | {"log_html"}
    page = (HERE.parents[1] / "docs" / f"media{language}.md").read_text()
    intro = page.split("{#media}", 1)[1].split("\n\n")[1]  # the first paragraph
    assert set(re.findall(r"`(log_\w+)`", intro)) == fabric
    # and the one Fabric alone has is named last, after the ones both share
    assert intro.rindex("`log_html`") > max(intro.rindex(f"`{m}`") for m in trainer)
