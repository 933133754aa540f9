"""The Quickstart's notebooks, made from its scripts as the site offers them, run in a Jupyter kernel."""

from pathlib import Path

import pytest

from snippets.quickstart.test_quickstart import check_fabric_run, check_trainer_run

HERE = Path(__file__).parent
PAGE = HERE.parents[1] / "docs" / "quickstart.md"


def stderr_warnings(notebook) -> list[str]:
    return [
        line
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("name") == "stderr"
        for line in output["text"].splitlines()
        if "Warning" in line
    ]


@pytest.mark.timeout(300)
def test_trainer_notebook_runs_twice_in_one_kernel_as_two_clean_runs(
    wandb_offline, accelerator
):
    executed = wandb_offline.run_notebook(HERE / "quickstart_trainer.py", PAGE, times=2)
    assert not stderr_warnings(executed)
    first, second = wandb_offline.runs()
    assert first.run_id != second.run_id
    check_trainer_run(first)
    check_trainer_run(second)


@pytest.mark.timeout(300)
def test_fabric_notebook(wandb_offline, accelerator):
    executed = wandb_offline.run_notebook(HERE / "quickstart_fabric.py", PAGE)
    assert not stderr_warnings(executed)
    check_fabric_run(wandb_offline.run())
