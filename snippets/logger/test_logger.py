"""The logger page: the arguments reach the recorded run, and the table's defaults are real."""

import inspect
import re
from pathlib import Path

import pytest
from lightning.pytorch.loggers import WandbLogger as TrainerWandbLogger
from wandb.integration.lightning.fabric import WandbLogger as FabricWandbLogger

from snippets.logger import logger_fabric, logger_trainer
from tested_docs import RecordedRun

DOCS = Path(__file__).parents[2] / "docs"
NOT_AN_ARGUMENT = "—"


def notes(run: RecordedRun) -> str | None:
    return next(r["run"].get("notes") for r in run.records if r.get("type") == "run")


def check_common(run: RecordedRun) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-digits-cv"
    assert run.group == "digits-cv"
    assert run.job_type == "train"
    assert notes(run) == "One fold of a cross-validation run."
    keys = {key for row in run.history for key in row}
    # prefix="fold1" joins with "-"; the logger's own x-axis keeps its name
    assert {"fold1-train_loss", "fold1-val_accuracy", "trainer/global_step"} <= keys
    assert not {"train_loss", "val_accuracy"} & keys
    steps = run.column("trainer/global_step")
    assert steps == sorted(steps)
    assert run.summary["fold1-val_accuracy"] > 0.8  # chance is 0.1


def check_trainer_run(run: RecordedRun) -> None:
    check_common(run)
    assert run.display_name == "fold1-mlp"
    assert run.tags == ("digits", "mlp")
    # config= from the logger, hidden and lr from save_hyperparameters()
    assert run.config == {"fold": 1, "hidden": 64, "lr": 0.01}
    assert len(run.column("fold1-train_loss")) == 4  # 48 steps, every 10th
    assert "fold1-epoch" in run.history[-1]  # the Trainer's epoch gets the prefix too


def check_fabric_run(run: RecordedRun) -> None:
    check_common(run)
    assert run.display_name == "fold1-mlp-fabric"
    assert run.tags == ("digits", "mlp", "fabric")
    assert run.config == {"fold": 1}
    assert run.column("trainer/global_step") == [10, 20, 24, 30, 40, 48]


def test_trainer(wandb_offline, accelerator):
    logger_trainer.main(accelerator=accelerator)
    check_trainer_run(wandb_offline.run())


def test_fabric(wandb_offline, accelerator):
    logger_fabric.main(accelerator=accelerator)
    check_fabric_run(wandb_offline.run())


@pytest.mark.parametrize(
    ("script", "check"),
    [(logger_trainer, check_trainer_run), (logger_fabric, check_fabric_run)],
    ids=["trainer", "fabric"],
)
def test_runs_as_a_script(wandb_offline, script, check):
    wandb_offline.run_script(script.__file__)
    check(wandb_offline.run())


def real_defaults(cls: type) -> dict[str, str]:
    parameters = inspect.signature(cls.__init__).parameters.values()
    return {
        p.name: f"`{p.default!r}`"
        for p in parameters
        if p.name != "self" and p.kind is not p.VAR_KEYWORD
    }


def table_defaults(page: Path) -> dict[str, tuple[str, str]]:
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \| ([^|]+) \|", page.read_text(), re.M)
    return {name: (trainer.strip(), fabric.strip()) for name, trainer, fabric in rows}


@pytest.mark.parametrize("language", ["", ".ja", ".zh", ".ko"], ids=str)
def test_the_table_lists_every_argument_with_its_real_default(language):
    documented = table_defaults(DOCS / f"logger{language}.md")
    trainer, fabric = (
        real_defaults(TrainerWandbLogger),
        real_defaults(FabricWandbLogger),
    )
    assert set(documented) == set(trainer) | set(fabric)
    for name, (trainer_default, fabric_default) in documented.items():
        assert trainer_default == trainer.get(name, NOT_AN_ARGUMENT), name
        assert fabric_default == fabric.get(name, NOT_AN_ARGUMENT), name


def test_both_loggers_join_the_prefix_with_a_hyphen():
    assert (
        TrainerWandbLogger.LOGGER_JOIN_CHAR == FabricWandbLogger.LOGGER_JOIN_CHAR == "-"
    )


@pytest.mark.parametrize("logger_class", [TrainerWandbLogger, FabricWandbLogger])
def test_dir_is_ignored_while_save_dir_keeps_its_default(logger_class):
    """The table's warning: wandb.init gets `save_dir or dir`, and save_dir defaults to "."."""
    assert logger_class(dir="runs").save_dir == "."
    assert logger_class(save_dir=None, dir="runs").save_dir == "runs"
