"""Turn W&B off and on: which switch wins, what a disabled run leaves behind, and a
script that runs where wandb is not installed.

Every script runs as `python <script> [args]` would; the tests then look for what W&B
recorded (an offline run read back) or for the absence of any run at all.
"""

import csv
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import wandb
from lightning.pytorch.loggers import CSVLogger, WandbLogger
from wandb.errors import UsageError

from tested_docs import RecordedRun
from tested_docs.snippets import shell_commands

HERE = Path(__file__).parent
TRAINER = HERE / "modes_trainer.py"
FABRIC = HERE / "modes_fabric.py"
OPTIONAL = HERE / "optional_trainer.py"
SHELL = HERE / "modes.sh"


def check_trainer_run(run: RecordedRun) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-modes"
    assert run.path.name.startswith("offline-run-")
    assert run.config == {"hidden": 64, "lr": 0.01}
    # 2 epochs of 24 batches: train_loss every 10 steps, val_accuracy once an epoch
    assert run.steps("train_loss") == [
        9,
        19,
        29,
        39,
    ]
    assert run.steps("val_accuracy") == [23, 47]
    assert run.summary["val_accuracy"] > 0.8  # chance is 0.1


def recorded_nothing(root: Path) -> None:
    """No run folder and no .wandb file anywhere: W&B wrote no record at all."""
    assert not list(root.rglob("*.wandb"))
    assert not list(root.rglob("*run-*"))


def wandb_cli(world, *words: str) -> str:
    """`wandb <words>` in the test's folder, as a reader types it; returns the settings."""
    assert world.cli(*words).returncode == 0
    return (world.root / "wandb" / "settings").read_text()


def test_trainer_records(wandb_offline, accelerator, torch_device, capsys):
    """`WANDB_MODE=offline python modes_trainer.py`: the environment decides, a run is recorded."""
    namespace = wandb_offline.run_script(TRAINER)
    run = wandb_offline.run()
    check_trainer_run(run)
    assert namespace["trainer"].strategy.root_device.type == torch_device
    assert "W&B mode: offline, run disabled: False" in capsys.readouterr().out


def test_no_wandb_in_code_beats_environment(
    wandb_offline, accelerator, torch_device, capsys
):
    """`WANDB_MODE=offline python modes_trainer.py --no-wandb`: mode="disabled" wins."""
    assert os.environ["WANDB_MODE"] == "offline"
    namespace = wandb_offline.run_script(TRAINER, "--no-wandb")
    recorded_nothing(wandb_offline.root)
    assert not (wandb_offline.root / "wandb").exists()
    trainer, run = namespace["trainer"], namespace["run"]
    assert trainer.strategy.root_device.type == torch_device
    # The logger still works, as a no-op: its experiment is a disabled run object
    assert run.disabled is True and run.settings.mode == "disabled"
    assert namespace["wandb_logger"].version == run.id
    out = capsys.readouterr().out
    assert "W&B mode: disabled, run disabled: True" in out
    # Training ran, self.log reached Lightning, the checkpoint is on disk
    assert trainer.callback_metrics["val_accuracy"] > 0.8
    checkpoint = Path(trainer.checkpoint_callback.best_model_path)
    folder = wandb_offline.root / "lightning-modes" / run.id / "checkpoints"
    assert checkpoint.resolve().parent == folder and checkpoint.stat().st_size > 0
    assert f"checkpoint: {trainer.checkpoint_callback.best_model_path}" in out


def test_environment_disabled(wandb_offline, monkeypatch, capsys):
    """`WANDB_MODE=disabled python modes_trainer.py`: trains, records nothing."""
    monkeypatch.setenv("WANDB_MODE", "disabled")
    namespace = wandb_offline.run_script(TRAINER)
    recorded_nothing(wandb_offline.root)
    assert namespace["trainer"].callback_metrics["val_accuracy"] > 0.8
    assert "W&B mode: disabled, run disabled: True" in capsys.readouterr().out


def test_folder_settings(wandb_offline, monkeypatch):
    """`wandb offline` / `wandb disabled` / `wandb online` write ./wandb/settings, which the
    next run in that folder follows unless WANDB_MODE or the code says otherwise."""
    root = wandb_offline.root
    monkeypatch.delenv("WANDB_MODE")
    monkeypatch.setenv("NETRC", str(root / "netrc"))  # no stored key
    # wandb offline: the folder records offline runs
    assert "mode = offline" in wandb_cli(wandb_offline, "offline")
    wandb_offline.run_script(TRAINER)
    check_trainer_run(wandb_offline.run())
    # wandb disabled: nothing more is recorded
    assert "mode = disabled" in wandb_cli(wandb_offline, "disabled")
    namespace = wandb_offline.run_script(TRAINER)
    assert namespace["run"].disabled is True
    assert len(wandb_offline.runs()) == 1
    # WANDB_MODE wins over the folder's setting
    monkeypatch.setenv("WANDB_MODE", "offline")
    wandb.teardown()
    wandb_offline.run_script(TRAINER)
    assert len(wandb_offline.runs()) == 2
    # wandb online removes the setting: back to online, which needs a login
    monkeypatch.delenv("WANDB_MODE")
    assert "mode" not in wandb_cli(wandb_offline, "online")
    with pytest.raises(UsageError, match="No API key configured"):
        wandb_offline.run_script(TRAINER)
    assert len(wandb_offline.runs()) == 2


def test_fabric_records(wandb_offline, accelerator, torch_device, capsys):
    namespace = wandb_offline.run_script(FABRIC)
    assert namespace["fabric"].device.type == torch_device
    run = wandb_offline.run()
    assert run.exit_code == 0 and run.project == "lightning-modes"
    assert run.config == {"hidden": 64, "lr": 0.01, "epochs": 2}
    assert run.steps("train_loss") == [
        10,
        20,
        30,
        40,
    ]
    assert run.summary["val_accuracy"] == pytest.approx(namespace["val_accuracy"])
    assert namespace["val_accuracy"] > 0.8
    assert run.steps("val_accuracy") == [24, 48]
    assert "W&B mode: offline, run disabled: False" in capsys.readouterr().out
    assert (wandb_offline.root / "last.ckpt").stat().st_size > 0


def test_fabric_no_wandb(wandb_offline, accelerator, torch_device, capsys):
    namespace = wandb_offline.run_script(FABRIC, "--no-wandb")
    assert namespace["fabric"].device.type == torch_device
    recorded_nothing(wandb_offline.root)
    assert not (wandb_offline.root / "wandb").exists()
    # log_hyperparams and log_dict were no-ops; training and fabric.save were not
    assert namespace["run"].disabled is True
    assert namespace["val_accuracy"] > 0.8
    assert (wandb_offline.root / "last.ckpt").stat().st_size > 0
    assert "W&B mode: disabled, run disabled: True" in capsys.readouterr().out


def test_optional_with_wandb(wandb_offline, accelerator, torch_device, capsys):
    """`python optional_trainer.py --wandb` with wandb installed: a W&B run."""
    namespace = wandb_offline.run_script(OPTIONAL, "--wandb")
    assert isinstance(namespace["logger"], WandbLogger)
    assert namespace["trainer"].strategy.root_device.type == torch_device
    check_trainer_run(wandb_offline.run())
    assert f"Logging to W&B with wandb {wandb.__version__}" in capsys.readouterr().out
    assert not (wandb_offline.root / "logs").exists()


def test_optional_csv(wandb_offline, accelerator, torch_device):
    """`python optional_trainer.py`: a CSV file, no W&B run."""
    namespace = wandb_offline.run_script(OPTIONAL)
    assert isinstance(namespace["logger"], CSVLogger)
    assert namespace["trainer"].strategy.root_device.type == torch_device
    recorded_nothing(wandb_offline.root)
    with open(wandb_offline.root / "logs/digits/version_0/metrics.csv") as file:
        rows = list(csv.DictReader(file))
    assert [r["step"] for r in rows if r["train_loss"]] == ["9", "19", "29", "39"]
    assert float([r["val_accuracy"] for r in rows if r["val_accuracy"]][-1]) > 0.8


@pytest.fixture
def without_wandb(tmp_path, monkeypatch) -> None:
    """Child processes find a `wandb` that fails to import, as if it were not installed."""
    shadow = tmp_path / "no-wandb"
    shadow.mkdir()
    (shadow / "wandb.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'wandb'\", name='wandb')\n"
    )
    paths = [str(shadow), *filter(None, [os.environ.get("PYTHONPATH")])]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))
    check = subprocess.run([sys.executable, "-c", "import wandb"], capture_output=True)
    assert b"No module named 'wandb'" in check.stderr


def test_optional_without_wandb_installed(wandb_offline, accelerator, without_wandb):
    """Where wandb is missing, the script trains with its CSV logger, and `--wandb`
    stops at once with the error that says what to do."""
    wandb_offline.run_process(OPTIONAL)
    assert (wandb_offline.root / "logs/digits/version_0/metrics.csv").stat().st_size
    done = subprocess.run(
        [sys.executable, str(OPTIONAL), "--wandb"],
        cwd=wandb_offline.root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last == (
        "ImportError: --wandb needs the `wandb` package, which is not installed: "
        "run `pip install wandb`, or train without --wandb."
    )
    assert "ModuleNotFoundError: No module named 'wandb'" in done.stderr
    # It failed before training: no second CSV log, no W&B run
    assert not (wandb_offline.root / "logs/digits/version_1").exists()
    recorded_nothing(wandb_offline.root)


def test_shell_commands(wandb_offline, capsys):
    """modes.sh: every `wandb` command exists, every script line is one the tests run,
    with options the script accepts."""
    lines = shell_commands(SHELL)
    tested = {
        "WANDB_MODE=disabled python modes_trainer.py",  # test_environment_disabled
        "WANDB_MODE=offline python modes_trainer.py --no-wandb",  # ..._beats_environment
        "python modes_trainer.py",  # test_folder_settings
        "WANDB_MODE=offline python modes_trainer.py",  # test_folder_settings, test_trainer_records
        "python optional_trainer.py",  # test_optional_csv
        "python optional_trainer.py --wandb",  # test_optional_with_wandb
    }
    commands = {"wandb offline", "wandb disabled", "wandb online"}
    assert {shlex.join(words) for words in lines} == tested | commands
    for command in commands:
        help_text = wandb_offline.cli(command.split()[1], "--help").stdout
        assert "Usage:" in help_text
    for script, option in [(TRAINER, "--no-wandb"), (OPTIONAL, "--wandb")]:
        with pytest.raises(SystemExit) as done:
            wandb_offline.run_script(script, "--help")
        assert done.value.code == 0
        assert option in capsys.readouterr().out
