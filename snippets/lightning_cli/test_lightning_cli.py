"""The LightningCLI page: cli.py run with the command lines of cli.sh, read back from W&B's record.

The whole config is in the run's config once, under the CLI's own names, and in the run's files as
config.yaml; every option cli.sh uses is one that the CLI's help lists.
"""

import re
import shlex
from importlib.metadata import version
from pathlib import Path

import lightning
import pytest
import torch
import yaml
from packaging.requirements import Requirement

from tested_docs import TORCH_DEVICE

HERE = Path(__file__).parent
SCRIPT = HERE / "cli.py"
SHELL = HERE / "cli.sh"
CLI_KEYS = {
    "seed_everything",
    "trainer",
    "model",
    "data",
    "optimizer",
    "lr_scheduler",
    "ckpt_path",
    "weights_only",
}


def commands(section: str) -> list[list[str]]:
    """The command lines of a section of cli.sh, without comments and VAR=value prefixes."""
    text = SHELL.read_text()
    body = text.split(f"# --8<-- [start:{section}]\n")[1].split(
        f"# --8<-- [end:{section}]"
    )[0]
    lines = []
    for line in body.splitlines():
        words = shlex.split(line, comments=True)
        while words and "=" in words[0]:
            words = words[1:]
        if words:
            lines.append(words)
    return lines


def cli_args(words: list[str]) -> list[str]:
    """The arguments of a `python cli.py ...` line, with config.yaml found beside cli.py."""
    assert words[:2] == ["python", "cli.py"], words
    return [str(HERE / w) if w == "config.yaml" else w for w in words[2:]]


def leaves(config: dict, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every key path of a nested config, e.g. ("model", "lr")."""
    found = []
    for key, value in config.items():
        if isinstance(value, dict) and value:
            found += leaves(value, (*path, key))
        else:
            found.append((*path, key))
    return found


def test_fit_with_overrides(wandb_offline, accelerator):
    """The `override` line of cli.sh, on the device of the `device` line (or the CPU)."""
    (override,) = commands("override")
    (device,) = commands("device")
    assert device[-2:] == ["--trainer.accelerator=gpu", "--trainer.devices=1"]
    choice = device[-2:] if accelerator == "gpu" else ["--trainer.accelerator=cpu"]
    namespace = wandb_offline.run_script(SCRIPT, *cli_args(override), *choice)
    run = wandb_offline.run()
    assert run.exit_code == 0
    assert run.project == "lightning-cli"
    assert run.display_name == "lr-0.02"
    assert run.tags == ("cli",)

    # the CLI's whole config, once, under the CLI's own names
    assert set(run.config) == CLI_KEYS
    assert run.config["model"] == {"hidden": 64, "lr": 0.02}
    assert run.config["data"] == {"batch_size": 64}
    assert run.config["seed_everything"] == 0
    trainer_config = run.config["trainer"]
    assert trainer_config["max_epochs"] == 1
    assert trainer_config["log_every_n_steps"] == 10
    assert trainer_config["accelerator"] == accelerator
    logger_config = trainer_config["logger"]
    assert logger_config["class_path"] == "lightning.pytorch.loggers.WandbLogger"
    init_args = logger_config["init_args"]
    assert {k: init_args[k] for k in ("project", "name", "log_model", "tags")} == {
        "project": "lightning-cli",
        "name": "lr-0.02",
        "log_model": True,
        "tags": ["cli"],
    }
    paths = leaves(run.config)
    assert len(paths) == len(set(paths)) > 50
    assert sorted(p for p in paths if p[-1] in {"hidden", "lr", "batch_size"}) == [
        ("data", "batch_size"),
        ("model", "hidden"),
        ("model", "lr"),
    ]
    assert not [p for p in paths if p[-1].startswith("_")]  # no "_instantiator"

    # config.yaml in the run's files: the same config, as the CLI writes it
    assert run.files.count("config.yaml") == 1
    text = (run.files_dir / "config.yaml").read_text()
    assert text.startswith(f"# lightning.pytorch=={lightning.__version__}\n")
    assert yaml.safe_load(text) == run.config

    # one epoch of 24 batches: train_loss every 10 steps, val_accuracy once
    assert run.column("trainer/global_step") == [9, 19, 23]
    assert len(run.column("train_loss")) == 2
    assert run.column("train_loss")[-1] < run.column("train_loss")[0]
    assert len(run.column("val_accuracy")) == 1
    assert run.summary["val_accuracy"] > 0.8  # chance is 0.1
    # log_model: true in config.yaml: the best checkpoint, logged when training ends
    (artifact,) = run.artifacts
    assert artifact.name == f"model-{run.run_id}" and artifact.type == "model"
    assert set(artifact.aliases) == {"latest", "best"}
    assert [f.path for f in artifact.files] == ["model.ckpt"]

    cli = namespace["cli"]
    assert cli.trainer.strategy.root_device.type == TORCH_DEVICE[accelerator]
    assert cli.trainer.optimizers[0].param_groups[0]["lr"] == 0.02


def test_fit_ignores_pl_trainer_variables(wandb_offline, monkeypatch):
    """The `fit` line of cli.sh: PL_TRAINER_ACCELERATOR, which Trainer() reads, changes nothing."""
    auto = "gpu" if torch.cuda.is_available() else "cpu"
    monkeypatch.setenv("PL_TRAINER_ACCELERATOR", "cpu" if auto == "gpu" else "gpu")
    monkeypatch.setenv("PL_TRAINER_DEVICES", "1")
    (fit,) = commands("fit")
    assert commands("offline") == [fit]
    namespace = wandb_offline.run_script(SCRIPT, *cli_args(fit))
    assert namespace["cli"].trainer.strategy.root_device.type == TORCH_DEVICE[auto]
    run = wandb_offline.run()
    assert run.exit_code == 0
    assert run.config["trainer"]["accelerator"] == "auto"
    assert run.config["model"] == {"hidden": 64, "lr": 0.01}
    assert run.config["trainer"]["logger"]["init_args"]["name"] is None
    assert run.files.count("config.yaml") == 1


def printed(wandb_offline, capsys, words: list[str]) -> str:
    """What a `python cli.py ...` line that only prints (help, config) writes to stdout."""
    with pytest.raises(SystemExit) as done:
        wandb_offline.run_script(SCRIPT, *cli_args(words))
    assert done.value.code in (0, None)
    return capsys.readouterr().out


def test_cli_sh_options_exist(wandb_offline, capsys):
    (pip,) = commands("install")
    assert pip == ["pip", "install", "jsonargparse[signatures]>=4.39,<4.49"]
    # the version these tests ran with is one the line installs, with its extra's packages
    assert Requirement(pip[2]).specifier.contains(version("jsonargparse"))
    assert version("docstring-parser") and version("typeshed-client")
    fit_help, logger_help, print_config = commands("help")
    text = printed(wandb_offline, capsys, fit_help) + printed(
        wandb_offline, capsys, logger_help
    )
    assert (
        "Help for --trainer.logger.help=lightning.pytorch.loggers.WandbLogger" in text
    )
    lines = [
        w for s in ("fit", "override", "device", "offline", "help") for w in commands(s)
    ]
    for words in lines:
        assert words[:3] == ["python", "cli.py", "fit"]
        for option in (w.split("=")[0] for w in words if w.startswith("-")):
            assert re.search(rf"(^\s+|, ){re.escape(option)}\b", text, re.MULTILINE), (
                option
            )
    # --print_config shows config.yaml merged over the defaults, and runs nothing
    config = yaml.safe_load(printed(wandb_offline, capsys, print_config))
    assert config["model"] == {"hidden": 64, "lr": 0.01}
    assert config["trainer"]["logger"]["init_args"]["project"] == "lightning-cli"
    assert not wandb_offline.runs()


def test_shell_commands_parse():
    import subprocess

    subprocess.run(["bash", "-n", str(SHELL)], check=True)
