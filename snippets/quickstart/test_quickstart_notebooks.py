"""The Quickstart's notebooks, made from its scripts as the site offers them, run in a Jupyter kernel."""

from pathlib import Path

import pytest

from snippets.quickstart.test_quickstart import check_fabric_run, check_trainer_run

HERE = Path(__file__).parent
PAGE = HERE.parents[1] / "docs" / "quickstart.md"


@pytest.mark.timeout(300)
def test_trainer_notebook_runs_twice_in_one_kernel_as_two_clean_runs(
    wandb_offline, accelerator
):
    # A warning in the kernel fails its cell, as in the test (tested_docs.warning_gate).
    wandb_offline.run_notebook(HERE / "quickstart_trainer.py", PAGE, times=2)
    first, second = wandb_offline.runs()
    assert first.run_id != second.run_id
    check_trainer_run(first)
    check_trainer_run(second)


@pytest.mark.timeout(300)
def test_fabric_notebook(wandb_offline, accelerator):
    wandb_offline.run_notebook(HERE / "quickstart_fabric.py", PAGE)
    check_fabric_run(wandb_offline.run())
