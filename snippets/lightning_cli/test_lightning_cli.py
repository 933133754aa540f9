"""The LightningCLI page: cli.py run with the command lines of cli.sh, read back from W&B's record.

The whole config is in the run's config once, under the CLI's own names, and in the run's files as
config.yaml; every option cli.sh uses is one that the CLI's help lists.
"""

import re
import shutil
import sys
from importlib.metadata import version
from pathlib import Path

import lightning
import lightning as L
import pytest
import torch
import wandb
import yaml
from lightning.pytorch.cli import LightningCLI, SaveConfigCallback
from packaging.requirements import Requirement
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from tested_docs.snippets import command_words, shell_commands

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
    """The command lines of a section of cli.sh, without VAR=value prefixes."""
    return [command_words(words) for words in shell_commands(SHELL, section)]


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


def test_fit_with_overrides(wandb_offline, accelerator, torch_device):
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
    assert cli.trainer.strategy.root_device.type == torch_device
    assert cli.trainer.optimizers[0].param_groups[0]["lr"] == 0.02


def test_fit_ignores_pl_trainer_variables(wandb_offline, monkeypatch):
    """The `fit` line of cli.sh: PL_TRAINER_ACCELERATOR, which Trainer() reads, changes nothing."""
    auto = "gpu" if torch.cuda.is_available() else "cpu"
    monkeypatch.setenv("PL_TRAINER_ACCELERATOR", "cpu" if auto == "gpu" else "gpu")
    monkeypatch.setenv("PL_TRAINER_DEVICES", "1")
    (fit,) = commands("fit")
    assert commands("offline") == [fit]
    # as a reader runs it: in the folder of config.yaml, which save_to_log_dir=False leaves alone
    shutil.copy(HERE / "config.yaml", "config.yaml")
    assert fit[:2] == ["python", "cli.py"]
    namespace = wandb_offline.run_script(SCRIPT, *fit[2:])
    assert Path("config.yaml").read_text() == (HERE / "config.yaml").read_text()
    assert namespace["cli"].trainer.strategy.root_device.type == (
        "cuda" if auto == "gpu" else "cpu"
    )
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


# --- the pitfalls: what the page's sentences say happens without its callback ----------------


class HparamsData(L.LightningDataModule):
    """CLIDigitsData's one setting, kept with `save_hyperparameters()`; two batches of noise."""

    def __init__(self, batch_size: int = 64):
        super().__init__()
        self.save_hyperparameters()

    def train_dataloader(self):
        images = torch.randn(128, 64, generator=torch.Generator().manual_seed(0))
        dataset = TensorDataset(images, torch.arange(128) % 10)
        return DataLoader(dataset, batch_size=self.hparams.batch_size)


class HparamsClassifier(L.LightningModule):
    """CLIClassifier's settings, with a plain `save_hyperparameters()` (logged)."""

    def __init__(self, hidden: int = 64, lr: float = 1e-2):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10)
        )

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


class AsDictSaveConfigCallback(SaveConfigCallback):
    """The usual fix for missing settings: log the CLI's config on top."""

    def save_config(self, trainer, pl_module, stage):
        trainer.logger.log_hyperparams(self.config.as_dict())


PITFALL_ARGS = [
    "fit",
    "--trainer.logger=WandbLogger",
    "--trainer.logger.project=lightning-cli",
    "--trainer.max_epochs=1",
    "--trainer.log_every_n_steps=1",
    "--trainer.enable_checkpointing=false",
    "--model.lr=0.02",
    "--seed_everything=0",
]
INSTANTIATOR = {"_instantiator": "lightning.pytorch.cli.instantiate_module"}
OVERWRITE_ERROR = (
    "SaveConfigCallback expected ./config.yaml to NOT exist. Aborting to avoid overwriting"
    " results of a previous run."
)


@pytest.fixture
def no_argv(monkeypatch):
    """LightningCLI(args=...) alone, as in a notebook: pytest's own arguments out of sys.argv."""
    monkeypatch.setattr(sys, "argv", ["cli.py"])


def test_default_callback_logs_hparams_only_then_refuses_to_overwrite(
    wandb_offline, no_argv
):
    """Pitfalls `_instantiator` and `config.yaml` in the current folder: the default callback."""
    LightningCLI(HparamsClassifier, HparamsData, args=PITFALL_ARGS)
    wandb.finish()
    run = wandb_offline.run()
    assert run.exit_code == 0
    assert run.column("trainer/global_step") == [0, 1]
    # only what save_hyperparameters() collected: no trainer settings, no seed
    assert run.config == {"hidden": 64, "lr": 0.02, "batch_size": 64, **INSTANTIATOR}
    # the default callback wrote config.yaml into the logger's save_dir, "."
    written = yaml.safe_load(Path("config.yaml").read_text())
    assert written["model"] == {"hidden": 64, "lr": 0.02}

    # the next run in the same folder stops before it trains
    with pytest.raises(RuntimeError) as stopped:
        LightningCLI(HparamsClassifier, HparamsData, args=PITFALL_ARGS)
    assert str(stopped.value).startswith(OVERWRITE_ERROR)
    wandb.finish(exit_code=1)
    first, second = wandb_offline.runs()
    assert first.run_id == run.run_id
    assert second.history == [] and "train_loss" not in second.summary


def test_default_callback_refuses_own_config_yaml(wandb_offline, no_argv):
    """Pitfall `config.yaml` in the current folder: the page's own config.yaml beside the run."""
    shutil.copy(HERE / "config.yaml", "config.yaml")
    with pytest.raises(RuntimeError) as stopped:
        LightningCLI(
            HparamsClassifier, HparamsData, args=["fit", "--config", "config.yaml"]
        )
    assert str(stopped.value).startswith(OVERWRITE_ERROR)
    wandb.finish(exit_code=1)
    assert wandb_offline.run().history == []
    assert (HERE / "config.yaml").read_text() == Path("config.yaml").read_text()


def test_as_dict_callback_doubles_keys(wandb_offline, no_argv):
    """Pitfall doubled keys: self.config.as_dict() logged while the model logs its hparams."""
    LightningCLI(
        HparamsClassifier,
        HparamsData,
        save_config_callback=AsDictSaveConfigCallback,
        save_config_kwargs={"save_to_log_dir": False},
        args=PITFALL_ARGS,
    )
    wandb.finish()
    run = wandb_offline.run()
    assert run.exit_code == 0
    # the CLI's config ("config" is the --config option, unused here) and the hparams on top
    assert set(run.config) == CLI_KEYS | {"config", "hidden", "lr", "batch_size"} | set(
        INSTANTIATOR
    )
    assert run.config["lr"] == run.config["model"]["lr"] == 0.02
    assert run.config["hidden"] == run.config["model"]["hidden"] == 64
    assert run.config["batch_size"] == run.config["data"]["batch_size"] == 64
    assert run.config["trainer"]["max_epochs"] == 1
