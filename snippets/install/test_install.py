"""The install page: an offline run is recorded and finished; a disabled one leaves nothing."""

import subprocess
from pathlib import Path

from snippets.install import check_setup
from tested_docs import RecordedRun

HERE = Path(__file__).parent


def check_offline_run(run: RecordedRun) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-setup-check"
    assert run.path.name.startswith("offline-run-")
    assert run.config == {"hidden": 64, "lr": 0.01}
    steps = run.column("trainer/global_step")
    assert steps == sorted(steps) and steps[-1] == 2 * 24 - 1  # 24 batches an epoch
    assert len(run.column("val_accuracy")) == 2
    assert run.summary["val_accuracy"] > 0.8  # chance is 0.1


def test_offline_run_is_recorded(wandb_offline, accelerator):
    check_setup.main(accelerator=accelerator)
    check_offline_run(wandb_offline.run())


def test_disabled_mode_records_nothing(wandb_offline, monkeypatch, accelerator):
    monkeypatch.setenv("WANDB_MODE", "disabled")
    val_accuracy = check_setup.main(accelerator=accelerator)
    assert val_accuracy > 0.8  # Lightning trained as usual...
    check_nothing_recorded(wandb_offline.root)  # ...but W&B wrote nothing


def test_disabled_mode_wins_over_the_scripts_default(wandb_offline, monkeypatch):
    """`WANDB_MODE=disabled python check_setup.py`: the script's offline default must yield."""
    monkeypatch.setenv("WANDB_MODE", "disabled")
    wandb_offline.run_script(check_setup.__file__)
    check_nothing_recorded(wandb_offline.root)


def check_nothing_recorded(root: Path) -> None:
    assert not (root / "wandb").exists()  # no run directory
    assert not list(root.rglob("*.wandb"))
    assert not list(root.rglob("*run-*"))
    # Lightning's ModelCheckpoint still saves under <save_dir>/<project>/<run id>/
    assert list(root.glob("lightning-setup-check/*/checkpoints/*.ckpt"))


def test_runs_as_a_script(wandb_offline):
    wandb_offline.run_script(check_setup.__file__)
    check_offline_run(wandb_offline.run())


def test_shell_commands_parse():
    for script in HERE.glob("*.sh"):
        subprocess.run(["bash", "-n", str(script)], check=True)
