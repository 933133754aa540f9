"""Sweeps guide: each script walks the grid of sweep.yaml offline, one run per point.

`wandb sweep`/`wandb.sweep` and `wandb agent`/`wandb.agent` need a W&B server: the tests
check that they stop, without an API key, with the error the page quotes, and play the
agent's part for one trial the way `wandb agent` starts the script.
"""

import ast
import itertools
import re
from pathlib import Path

import lightning as L
import pytest
import yaml
from wandb.errors import UsageError

from tested_docs import RecordedRun
from tested_docs.snippets import shell_commands
from tested_docs.workarounds import PARAM_FILE_LEFT_OPEN, as_a_sweep_trial

HERE = Path(__file__).parent
SCRIPTS = pytest.mark.parametrize(
    "script", ["sweep_train.py", "sweep_fabric.py"], ids=["trainer", "fabric"]
)
NO_API_KEY = "No API key configured. Use `wandb login` to log in."
# 1,500 training images in batches of 64: 24 steps an epoch, 2 epochs
TRAIN_LOSS_STEPS = {
    "sweep_train.py": [9, 19, 29, 39],
    "sweep_fabric.py": [10, 20, 30, 40],
}
# the Trainer counts steps from 0 (the last of epoch 1 is 23), the Fabric loop from 1
VAL_STEPS = {"sweep_train.py": [23, 47], "sweep_fabric.py": [24, 48]}


def sweep_yaml() -> dict:
    return yaml.safe_load((HERE / "sweep.yaml").read_text())


def yaml_grid() -> list[dict]:
    """Every combination `method: grid` tries, from sweep.yaml, in the agent's order."""
    parameters = sweep_yaml()["parameters"]
    return [
        dict(zip(parameters, values, strict=True))
        for values in itertools.product(*(p["values"] for p in parameters.values()))
    ]


@pytest.fixture
def trained(monkeypatch):
    """What each trial really trained: device, hidden width and learning rate."""
    seen = []
    trainer_fit, fabric_setup = L.Trainer.fit, L.Fabric.setup

    def fit(trainer, model, *args, **kwargs):
        seen.append(
            (
                trainer.strategy.root_device.type,
                {"hidden": model.net[0].out_features, "lr": model.hparams.lr},
            )
        )
        return trainer_fit(trainer, model, *args, **kwargs)

    def setup(fabric, module, optimizer, *args, **kwargs):
        hidden = module[0].out_features
        lr = optimizer.param_groups[0]["lr"]
        seen.append((fabric.device.type, {"hidden": hidden, "lr": lr}))
        return fabric_setup(fabric, module, optimizer, *args, **kwargs)

    monkeypatch.setattr(L.Trainer, "fit", fit)
    monkeypatch.setattr(L.Fabric, "setup", setup)
    return seen


def check_trial(run: RecordedRun, script: str) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-sweeps"
    assert run.steps("train_loss") == (TRAIN_LOSS_STEPS[script])
    assert run.steps("val_accuracy") == (VAL_STEPS[script])
    assert run.column("epoch")[-1] == 1
    steps = run.column("trainer/global_step")
    assert steps == sorted(steps)
    assert run.summary["val_accuracy"] == run.column("val_accuracy")[-1]
    loss = run.column("train_loss")
    assert loss[-1] < loss[0]


@SCRIPTS
def test_walks_the_grid_offline(
    wandb_offline, accelerator, torch_device, trained, script
):
    wandb_offline.run_script(HERE / script)
    runs = wandb_offline.runs()
    grid = yaml_grid()
    assert len(grid) == 4  # 2 hidden sizes x 2 learning rates
    # one run per point, in order, and each trial trained exactly its point
    assert [run.config for run in runs] == grid
    assert [values for _, values in trained] == grid
    assert {device for device, _ in trained} == {torch_device}
    for run in runs:
        check_trial(run, script)
    # the metric the sweep ranks by tells the trials apart, and the best one learned
    accuracies = [run.summary["val_accuracy"] for run in runs]
    assert len(set(accuracies)) == 4
    assert max(accuracies) > 0.8  # chance is 0.1
    metric = sweep_yaml()["metric"]
    assert metric == {"name": "val_accuracy", "goal": "maximize"}


@PARAM_FILE_LEFT_OPEN
@SCRIPTS
def test_one_trial_under_wandb_agent(wandb_offline, trained, script, monkeypatch):
    """What `wandb agent` does for one trial: the values in a file, the script started."""
    point = yaml_grid()[2]
    trial = as_a_sweep_trial(
        wandb_offline.root, point, sweep_id="abc123xy", run_id="trial0"
    )
    for name, value in trial.items():
        monkeypatch.setenv(name, value)
    # the agent sets the sweep's project, which wins over project= in the code
    monkeypatch.setenv("WANDB_PROJECT", "lightning-sweeps")
    # the agent's default command passes the values as arguments too
    args = [f"--{name}={value}" for name, value in point.items()]
    wandb_offline.run_script(HERE / script, *args)
    run = wandb_offline.run()
    assert run.run_id == "trial0"
    assert run.config == point == {"hidden": 64, "lr": 0.003}
    assert [values for _, values in trained] == [point]
    check_trial(run, script)


@SCRIPTS
def test_sweep_needs_a_server(wandb_offline, script):
    """`--sweep` without `wandb login`: wandb.sweep stops before any trial starts."""
    with pytest.raises(UsageError) as error:
        wandb_offline.run_script(HERE / script, "--sweep")
    assert str(error.value) == NO_API_KEY
    assert wandb_offline.runs() == []


def test_yaml_is_the_sweep_of_the_scripts():
    on_disk = sweep_yaml()
    # what `wandb agent` starts for each trial
    assert on_disk.pop("program") == "sweep_train.py"
    for script in ("sweep_train.py", "sweep_fabric.py"):
        tree = ast.parse((HERE / script).read_text())
        (config,) = [
            node.value
            for node in tree.body
            if isinstance(node, ast.Assign) and node.targets[0].id == "SWEEP_CONFIG"
        ]
        assert ast.literal_eval(config) == on_disk


def test_shell_commands(wandb_offline):
    assert shell_commands(HERE / "sweep.sh", "offline") == [
        ["WANDB_MODE=offline", "python", "sweep_train.py"]
    ]
    commands = shell_commands(HERE / "sweep.sh", "cli")
    assert [command[:2] for command in commands] == [
        ["wandb", "login"],
        ["wandb", "sweep"],
        ["wandb", "agent"],
    ]
    # every option exists in this wandb's CLI
    for command in commands:
        done = wandb_offline.cli(command[1], "--help", cwd=wandb_offline.root)
        assert done.returncode == 0, done.stderr
        for option in (word for word in command if word.startswith("--")):
            assert re.search(rf"\s{option}\b", done.stdout), (command[1], option)
    # without `wandb login`, `wandb sweep` and `wandb agent` stop with the page's error
    (wandb_offline.root / "sweep.yaml").write_text((HERE / "sweep.yaml").read_text())
    for command in commands[1:]:
        done = wandb_offline.cli(*command[1:], cwd=wandb_offline.root)
        assert done.returncode == 1
        assert f"Error: {NO_API_KEY}" in done.stderr
