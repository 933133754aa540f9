"""The tutorial's notebooks, made from its scripts as the site offers them, run in a Jupyter kernel."""

from pathlib import Path

import pytest

from snippets.tutorials.image_classification.test_image_classification import (
    check_fabric_run,
    check_trainer_run,
)

HERE = Path(__file__).parent
PAGE = HERE.parents[2] / "docs" / "tutorials" / "image-classification.md"


@pytest.mark.timeout(400)
@pytest.mark.parametrize(
    ("script", "check"),
    [
        ("image_classification_trainer.py", check_trainer_run),
        ("image_classification_fabric.py", check_fabric_run),
    ],
    ids=["trainer", "fabric"],
)
def test_notebook(wandb_offline, accelerator, script, check):
    wandb_offline.run_notebook(
        HERE / script, PAGE, timeout=360
    )  # a warning fails a cell
    check(wandb_offline.run())
