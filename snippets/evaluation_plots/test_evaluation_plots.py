"""The Evaluation plots page: the plots' tables, and the boxes and masks on the images,
read back from the run's files and checked against the trained model's own predictions."""

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.metrics import precision_recall_curve, roc_curve

from tested_docs import RecordedRun

HERE = Path(__file__).parent
CLASSES = [str(digit) for digit in range(10)]
PLOTS = {
    # key: (the table's columns, the chart W&B draws from it)
    "val/confusion_matrix": (
        ["Actual", "Predicted", "nPredictions"],
        "wandb/confusion_matrix/v1",
    ),
    "val/pr_curve": (["class", "precision", "recall"], "wandb/area-under-curve/v0"),
    "val/roc_curve": (["class", "fpr", "tpr"], "wandb/area-under-curve/v0"),
}
N_VAL = 297


def read_table(run: RecordedRun, row: dict, key: str) -> list[list]:
    """The rows of the table a plot was recorded as, from the run's files."""
    assert row[f"{key}_table._type"] == "table-file"
    path = row[f"{key}_table.path"]
    assert path.startswith(f"media/table/{key}_table_") and path.endswith(".table.json")
    assert path in run.files
    table = json.loads((run.files_dir / path).read_text())
    assert table["columns"] == PLOTS[key][0]
    assert row[f"{key}_table.nrows"] == len(table["data"])
    assert row[f"{key}_table.ncols"] == 3
    return table["data"]


def per_class(rows: list[list]) -> dict[str, list[tuple[float, float]]]:
    curves: dict[str, list[tuple[float, float]]] = {}
    for name, a, b in rows:
        curves.setdefault(name, []).append((a, b))
    return curves


def interpolated_precision(
    hits: np.ndarray, scores: np.ndarray, recall: float
) -> float:
    """The best precision at this recall or more: what a PR curve plots."""
    precision, recalls, _ = precision_recall_curve(hits, scores)
    return float(precision[recalls >= recall - 1e-9].max())


def final_predictions(namespace: dict, device: str, net) -> tuple:
    """The validation set and the trained model's probabilities, on the script's device."""
    x, y = next(iter(namespace["val_loader"]))
    with torch.no_grad():
        probs = net.to(device)(x.to(device)).softmax(dim=1)
    return x.cpu(), y.cpu().numpy(), probs.cpu().numpy()


def check_plots(run: RecordedRun, steps: list[int], x, y, probs) -> None:
    accuracies = run.column("val_accuracy")
    assert len(accuracies) == len(steps)
    for key, (_, chart) in PLOTS.items():
        # one chart per key in the run's config, drawn from the table in the summary
        panel = run.config[f"_wandb.visualize.{key}"]["panel_config"]
        assert panel["panelDefId"] == chart
        query = json.dumps(panel["userQuery"])
        assert '"name": "summaryTable"' in query and f'"value": "{key}_table"' in query
        rows = run.rows_with(f"{key}_table._type")
        # once per validation epoch: none from the sanity check, none per batch
        assert [r["trainer/global_step"] for r in rows] == steps
        # each call writes a new table file; the summary holds the last one
        paths = [r[f"{key}_table.path"] for r in rows]
        assert len(set(paths)) == len(steps)
        assert run.summary[f"{key}_table.path"] == paths[-1]

    for row, val_accuracy in zip(
        run.rows_with("val/confusion_matrix_table._type"), accuracies, strict=True
    ):
        cells = read_table(run, row, "val/confusion_matrix")
        assert [c[:2] for c in cells] == [[a, p] for a in CLASSES for p in CLASSES]
        counts = np.array([c[2] for c in cells]).reshape(10, 10)
        # every validation digit counted once, in the row of its true class
        assert counts.sum() == N_VAL
        assert counts.sum(axis=1).tolist() == np.bincount(y, minlength=10).tolist()
        assert np.trace(counts) / N_VAL == pytest.approx(val_accuracy, abs=1e-6)
    # the last matrix is the trained model's
    expected = np.zeros((10, 10))
    np.add.at(expected, (y, probs.argmax(axis=1)), 1)
    assert counts.tolist() == expected.tolist()

    (*_, last) = run.rows_with("val/pr_curve_table._type")
    curves = per_class(read_table(run, last, "val/pr_curve"))
    assert list(curves) == CLASSES
    for c, name in enumerate(CLASSES):
        # 21 recall points from 1 to 0, each with the best precision there
        recalls = [r for _, r in curves[name]]
        assert recalls == pytest.approx(np.linspace(1, 0, 21).tolist(), abs=5e-4)
        for precision, recall in curves[name]:
            best = interpolated_precision(y == c, probs[:, c], recall)
            assert precision == pytest.approx(best, abs=5e-4)

    (*_, last) = run.rows_with("val/roc_curve_table._type")
    curves = per_class(read_table(run, last, "val/roc_curve"))
    assert list(curves) == CLASSES
    for c, name in enumerate(CLASSES):
        fpr, tpr, _ = roc_curve(y == c, probs[:, c])
        assert np.allclose(curves[name], np.column_stack([fpr, tpr]), atol=5e-4)
        assert curves[name][0] == (0, 0) and curves[name][-1] == (1, 1)


def ink_box(pixels: np.ndarray) -> dict:
    """The extent of a picture's ink, as fractions of its size."""
    rows = np.flatnonzero(pixels.any(axis=1))
    cols = np.flatnonzero(pixels.any(axis=0))
    height, width = pixels.shape
    return {
        "minX": cols[0] / width,
        "maxX": (cols[-1] + 1) / width,
        "minY": rows[0] / height,
        "maxY": (rows[-1] + 1) / height,
    }


def class_labels(run: RecordedRun) -> dict:
    """The boxes' and masks' class labels: W&B keeps them under the config's `_wandb`,
    which RecordedRun.config leaves out, so they are read from the config records."""
    internal: dict = {}
    for record in run.records:
        if record.get("type") == "config":
            internal.update(record["config"].get("update", {}).get("_wandb", {}))
    return internal


def check_annotated(run: RecordedRun, step: int, x, y, probs) -> None:
    (row,) = run.rows_with("val/annotated._type")
    assert row["trainer/global_step"] == step
    assert row["val/annotated._type"] == "images/separated"
    assert row["val/annotated.count"] == 4
    assert (row["val/annotated.width"], row["val/annotated.height"]) == (32, 32)
    assert row["val/annotated.captions"] == [f"label {t}" for t in y[:4]]
    images = zip(
        row["val/annotated.filenames"],
        row["val/annotated.all_boxes"],
        row["val/annotated.all_masks"],
        x[:4],
        probs[:4],
        strict=True,
    )
    for filename, boxes, masks, digit, p in images:
        pixels = run.image(filename)
        assert pixels.shape == (32, 32) and pixels.max() >= 200
        # the same digit, 4x larger, as bytes
        assert np.array_equal(pixels[::4, ::4], (digit.view(8, 8) * 255).byte().numpy())
        ink = pixels > 127
        assert ink.any()

        assert masks["ink"]["_type"] == "mask"
        mask = run.image(masks["ink"]["path"])
        assert np.array_equal(mask, ink.astype(np.uint8))

        assert boxes["prediction"]["_type"] == "boxes2D"
        recorded = json.loads((run.files_dir / boxes["prediction"]["path"]).read_text())
        assert recorded["class_labels"] == {c: c for c in CLASSES}
        (box,) = recorded["box_data"]
        assert box["position"] == ink_box(ink)
        predicted = int(p.argmax())
        assert box["class_id"] == predicted
        assert box["box_caption"] == f"{predicted} ({p[predicted]:.0%})"
        assert box["scores"]["probability"] == pytest.approx(float(p[predicted]))

    labels = class_labels(run)
    boxes_key = "val/annotated_wandb_delimeter_prediction"
    masks_key = "val/annotated_wandb_delimeter_ink"
    assert labels["bounding_box/class_labels"][boxes_key]["value"] == {
        c: c for c in CLASSES
    }
    assert labels["mask/class_labels"][masks_key]["value"] == {
        "0": "background",
        "1": "ink",
    }


def test_trainer(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "evaluation_plots_trainer.py")
    run = wandb_offline.run()
    assert run.exit_code == 0
    assert run.project == "lightning-evaluation-plots"
    assert {k: run.config[k] for k in ("hidden", "lr")} == {"hidden": 64, "lr": 0.01}
    assert namespace["trainer"].strategy.root_device.type == torch_device
    losses = run.column("train_loss")
    assert len(losses) == 4 and losses[-1] < losses[0]
    # Lightning logs val_accuracy one step below the callback's global_step
    assert run.steps("val_accuracy") == [23, 47]
    # The metrics page's rule for logging to the run from on_validation_epoch_end: the
    # history's trainer/global_step goes back by one after each plot row (24, then 23),
    # yet W&B drops nothing: every validation epoch has its plots and its val_accuracy.
    steps = run.column("trainer/global_step")
    assert [(a, b) for a, b in itertools.pairwise(steps) if b < a] == [
        (24, 23),
        (48, 47),
    ]
    assert run.column("val_accuracy")[-1] > 0.8
    x, y, probs = final_predictions(namespace, torch_device, namespace["model"].net)
    check_plots(run, [24, 48], x, y, probs)
    check_annotated(run, 48, x, y, probs)


def test_fabric(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "evaluation_plots_fabric.py")
    run = wandb_offline.run()
    assert run.exit_code == 0
    assert run.project == "lightning-evaluation-plots"
    assert namespace["fabric"].device.type == torch_device
    losses = run.column("train_loss")
    assert len(losses) == 4 and losses[-1] < losses[0]
    assert run.steps("val_accuracy") == [24, 48]
    assert run.column("val_accuracy")[-1] > 0.8
    x, y, probs = final_predictions(namespace, torch_device, namespace["model"])
    check_plots(run, [24, 48], x, y, probs)
    check_annotated(run, 48, x, y, probs)


def test_inputs_the_plots_refuse():
    """Pitfalls: label tensors, and predicted classes where probabilities belong."""
    import wandb

    labels = torch.arange(10).repeat(3)
    probs = torch.nn.functional.one_hot(labels, 10).float()
    # each element of a label tensor counts as a class of its own
    with pytest.raises(ValueError, match="unique true labels exceeds"):
        wandb.plot.confusion_matrix(
            probs=probs.numpy(), y_true=labels, class_names=CLASSES
        )
    # probabilities as a tensor: numpy warns that this will break
    with pytest.warns(DeprecationWarning, match="__array_wrap__"):
        wandb.plot.confusion_matrix(
            probs=probs, y_true=labels.numpy(), class_names=CLASSES
        )
    # the same values as numpy arrays are fine
    wandb.plot.confusion_matrix(
        probs=probs.numpy(), y_true=labels.numpy(), class_names=CLASSES
    )
    # numpy has no bfloat16: hence .float() before .numpy()
    with pytest.raises(TypeError, match="BFloat16"):
        probs.bfloat16().numpy()
    predicted = probs.argmax(dim=1).numpy()
    with pytest.raises(IndexError, match="too many indices"):
        wandb.plot.pr_curve(labels.numpy(), predicted, labels=CLASSES)
    with pytest.raises(TypeError, match="at least 1 dimension"):
        wandb.plot.roc_curve(labels.numpy(), predicted, labels=CLASSES)


def test_a_missing_class_shifts_the_curves(wandb_offline):
    """Pitfall: with no digit 0 among the labels, the curve named "1" plots column 0."""
    import wandb

    labels = np.tile(np.arange(10), 3)
    # perfect probabilities: every curve should reach tpr 1 at fpr 0
    probs = np.eye(10)[labels]
    without_zeros = labels != 0
    run = wandb.init(project="lightning-evaluation-plots")
    run.log(
        {
            "all_digits": wandb.plot.roc_curve(labels, probs, labels=CLASSES),
            "no_zeros": wandb.plot.roc_curve(
                labels[without_zeros], probs[without_zeros], labels=CLASSES
            ),
        }
    )
    wandb.finish()
    recorded = wandb_offline.run()
    (row,) = recorded.rows_with("no_zeros_table._type")
    curves = {}
    for key in ("all_digits", "no_zeros"):
        table = json.loads((recorded.files_dir / row[f"{key}_table.path"]).read_text())
        curves[key] = per_class(table["data"])
    assert all((0, 1) in curve for curve in curves["all_digits"].values())
    assert list(curves["no_zeros"]) == CLASSES[1:]
    # each name plots the column of the digit below it: no curve is perfect
    assert not any((0, 1) in curve for curve in curves["no_zeros"].values())
    # column 0 is all zeros: the curve named "1" is the chance diagonal
    assert curves["no_zeros"]["1"] == [(0, 0), (1, 1)]
