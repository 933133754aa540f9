"""The install page: check_setup.py logs in, trains and is recorded offline; disabled,
W&B records nothing; online without an account, it stops at the login. Every command of
install.sh exists with the options it uses."""

import re
import subprocess
import sys
from importlib.metadata import distribution
from pathlib import Path

import pytest
from wandb.errors import UsageError

from tested_docs import RecordedRun
from tested_docs.snippets import command_words, shell_commands

HERE = Path(__file__).parent
SCRIPT = HERE / "check_setup.py"
OFFLINE_WARNING = "Unable to verify login in offline mode."


@pytest.fixture
def netrc(wandb_offline, monkeypatch) -> Path:
    """Where wandb.login() would store a key: a fresh file that must stay absent."""
    path = wandb_offline.root / "netrc"
    monkeypatch.setenv("NETRC", str(path))
    monkeypatch.setenv("WANDB_SILENT", "false")  # let wandb.login() say what it does
    return path


def check_offline_run(run: RecordedRun) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-setup-check"
    assert run.path.name.startswith("offline-run-")
    assert run.config == {"hidden": 64, "lr": 0.01}
    steps = run.column("trainer/global_step")
    assert steps == sorted(steps) and steps[-1] == 2 * 24 - 1  # 24 batches an epoch
    assert len(run.column("train_loss")) == 4  # 48 steps, every 10th
    assert run.column("train_loss")[-1] < run.column("train_loss")[0]
    assert len(run.column("val_accuracy")) == 2
    assert run.summary["val_accuracy"] > 0.8  # chance is 0.1


def test_offline(wandb_offline, accelerator, torch_device, netrc, capsys):
    """`WANDB_MODE=offline python check_setup.py`: no prompt, no key, a run on disk."""
    namespace = wandb_offline.run_script(SCRIPT)
    run = wandb_offline.run()
    check_offline_run(run)
    out, err = capsys.readouterr()
    # wandb.login() asked for nothing, only warned, returned False and stored no key
    assert namespace["logged_in"] is False
    assert OFFLINE_WARNING in err
    assert not netrc.exists()
    assert f"Logged in: False W&B mode: offline run id: {run.run_id}" in out
    assert namespace["trainer"].strategy.root_device.type == torch_device
    # `ls wandb/latest-run/`: the .wandb log and the files/ folder the page names
    latest = wandb_offline.root / "wandb" / "latest-run"
    assert latest.resolve() == run.path.resolve()
    assert {f"run-{run.run_id}.wandb", "files"} <= {p.name for p in latest.iterdir()}


def test_disabled_records_nothing(
    wandb_offline, monkeypatch, accelerator, torch_device, netrc, capsys
):
    """`WANDB_MODE=disabled python check_setup.py`: Lightning trains, W&B writes nothing."""
    monkeypatch.setenv("WANDB_MODE", "disabled")
    namespace = wandb_offline.run_script(SCRIPT)
    out, err = capsys.readouterr()
    assert namespace["logged_in"] is False and OFFLINE_WARNING not in err
    assert not netrc.exists()
    assert "Logged in: False W&B mode: disabled" in out
    trainer = namespace["trainer"]
    assert trainer.strategy.root_device.type == torch_device
    assert trainer.global_step == 2 * 24
    assert float(trainer.callback_metrics["val_accuracy"]) > 0.8  # trained as usual...
    root = wandb_offline.root
    assert not (root / "wandb").exists()  # ...but no run directory
    assert not list(root.rglob("*.wandb"))
    assert not list(root.rglob("*run-*"))
    # Lightning's ModelCheckpoint still saves under <save_dir>/<project>/<run id>/
    version = namespace["wandb_logger"].version
    assert list(root.glob(f"lightning-setup-check/{version}/checkpoints/*.ckpt"))


def test_online_without_an_account_stops_at_the_login(
    wandb_offline, monkeypatch, netrc
):
    """`WANDB_MODE=online python check_setup.py` with no key and no terminal to ask in."""
    monkeypatch.setenv("WANDB_MODE", "online")
    with pytest.raises(UsageError, match=r"No API key configured\. Use `wandb login`"):
        wandb_offline.run_script(SCRIPT)
    assert not netrc.exists()
    assert not (wandb_offline.root / "wandb").exists()  # it stopped before any run
    assert not (wandb_offline.root / "lightning-setup-check").exists()


def help_text(words: list[str], wandb_offline) -> str:
    """`<command> [<subcommand>] --help`, from this environment (wandb's in this process)."""
    subcommand = [w for w in words[1:2] if not w.startswith("-") and words[0] != "ls"]
    if words[0] == "wandb":
        done = wandb_offline.cli(*subcommand, "--help")
    else:
        program = {"pip": [sys.executable, "-m", "pip"]}.get(words[0], [words[0]])
        done = subprocess.run(
            [*program, *subcommand, "--help"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_install_commands_exist_with_their_options(wandb_offline):
    # `export VAR=value` alone runs no program
    lines = [w for w in map(command_words, shell_commands(HERE / "install.sh")) if w]
    assert [w[:2] for w in lines] == [
        ["pip", "install"],
        ["wandb", "login"],
        ["python", "check_setup.py"],
        ["python", "check_setup.py"],
        ["python", "check_setup.py"],
        ["ls", "wandb/latest-run/"],
        ["wandb", "sync"],
        ["python", "check_setup.py"],
    ]
    for words in lines:
        if words[0] == "python":
            assert (HERE / words[1]).is_file()
            continue
        text = help_text(words, wandb_offline)
        for option in (w.split("=")[0] for w in words if w.startswith("-")):
            assert option in text, (words, option)
    # every package the pip line installs is the one these pages run with
    (pip,) = (w for w in lines if w[0] == "pip")
    for package in pip[2:]:
        assert distribution(package).metadata["Name"].lower() == package


def test_the_modes_table_is_what_the_page_runs():
    """The page's table of modes, its three tabs and install.sh name the same three modes,
    and each tab shows the command that runs check_setup.py in its own mode."""
    page = (HERE.parents[1] / "docs" / "install.md").read_text()
    rows = re.findall(r"^\| `(\w+)`(?: \(default\))? \|", page, re.M)
    table = [mode for mode in rows if mode != "WANDB_MODE"]  # not the header
    assert table == ["online", "offline", "disabled"]
    assert "| `online` (default) |" in page
    tabs = re.findall(
        r'^=== "(\w+)"\n\n    ```bash\n    --8<-- "snippets/install/install.sh:(\w+)"',
        page,
        re.M,
    )
    assert [(tab.lower(), section) for tab, section in tabs] == [(m, m) for m in table]
    script = (HERE / "install.sh").read_text()
    for mode in table:
        section = script.split(f"[start:{mode}]")[1].split(f"[end:{mode}]")[0]
        assert f"WANDB_MODE={mode} python check_setup.py" in section
