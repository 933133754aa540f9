"""Sweeps guide: the training function runs once per grid point, offline.

`wandb.sweep` and `wandb.agent` need a W&B server; the test plays the agent's part:
it expands the grid of the snippet's own SWEEP_CONFIG and hands each combination to
`train(config=...)`, as `wandb.init(config=...)` receives it from the agent.
"""

import itertools
import subprocess
from pathlib import Path

import pytest
import yaml

from snippets.guides.sweeps import sweep_fabric, sweep_train
from tested_docs import RecordedRun

HERE = Path(__file__).parent


def grid_combinations() -> list[dict]:
    parameters = sweep_train.SWEEP_CONFIG["parameters"]
    names = sorted(parameters)
    values = [parameters[name]["values"] for name in names]
    return [
        dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)
    ]


# The steps at which each script records val_accuracy (24 batches an epoch, 2 epochs):
# the Trainer logs at the last step of an epoch (0-based), Fabric at the count so far.
VAL_STEPS = {sweep_train: [23, 47], sweep_fabric: [24, 48]}
SCRIPTS = pytest.mark.parametrize(
    "script", [sweep_train, sweep_fabric], ids=["trainer", "fabric"]
)


def check_sweep_runs(runs: list[RecordedRun], script) -> None:
    combos = grid_combinations()
    assert len(combos) == 4  # method: grid, 2 x 2 values
    # one run per combination, each run's config exactly its combination
    assert sorted((r.config for r in runs), key=repr) == sorted(combos, key=repr)
    for run in runs:
        assert run.exit_code == 0
        assert run.project == "lightning-sweeps"
        val = run.column("val_accuracy")
        assert len(val) == 2  # one per epoch, 2 epochs
        assert 0.0 <= val[-1] <= 1.0
        assert run.summary["val_accuracy"] == val[-1]
        steps = run.column("trainer/global_step")
        assert steps == sorted(steps)
        val_steps = [
            row["trainer/global_step"] for row in run.rows_with("val_accuracy")
        ]
        assert val_steps == VAL_STEPS[script]
    # The sweep's metric is recorded and differs between trials: the grid mattered.
    best = max(runs, key=lambda r: r.summary["val_accuracy"])
    assert best.summary["val_accuracy"] > 0.8  # chance is 0.1
    assert len({r.summary["val_accuracy"] for r in runs}) > 1


@SCRIPTS
def test_train_once_per_grid_point(wandb_offline, accelerator, script):
    for combo in grid_combinations():
        script.train(config=combo, accelerator=accelerator)
    check_sweep_runs(wandb_offline.runs(), script)


@SCRIPTS
def test_runs_as_a_script(wandb_offline, script):
    wandb_offline.run_script(script.__file__)
    check_sweep_runs(wandb_offline.runs(), script)


def test_yaml_is_the_same_sweep():
    on_disk = yaml.safe_load((HERE / "sweep.yaml").read_text())
    program = on_disk.pop("program")  # what `wandb agent` runs for each trial
    assert program == Path(sweep_train.__file__).name
    assert on_disk == sweep_train.SWEEP_CONFIG == sweep_fabric.SWEEP_CONFIG


def test_shell_commands_parse():
    subprocess.run(["bash", "-n", str(HERE / "sweep.sh")], check=True)
