"""The logger page: the arguments reach the recorded run, and the table's defaults are real."""

import inspect
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import wandb
from lightning.pytorch.loggers import WandbLogger as TrainerWandbLogger
from wandb.errors import UsageError
from wandb.integration.lightning.fabric import WandbLogger as FabricWandbLogger

from tested_docs import RecordedRun

HERE = Path(__file__).parent
DOCS = HERE.parents[1] / "docs"
NOT_AN_ARGUMENT = "—"
DIGITS = 1797


def notes(run: RecordedRun) -> str | None:
    return next(r["run"].get("notes") for r in run.records if r.get("type") == "run")


def check_common(run: RecordedRun, fold: int) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-digits-cv"
    assert run.group == "digits-cv"
    assert run.job_type == "train"
    assert notes(run) == "One fold of a cross-validation run."
    keys = {key for row in run.history for key in row}
    # prefix=f"fold{fold}" joins with "-"; the logger's own x-axis keeps its name
    assert {f"fold{fold}-train_loss", f"fold{fold}-val_accuracy"} <= keys
    assert "trainer/global_step" in keys
    assert not {"train_loss", "val_accuracy", "epoch"} & keys
    steps = run.column("trainer/global_step")
    assert steps == sorted(steps)
    assert run.summary[f"fold{fold}-val_accuracy"] > 0.8  # chance is 0.1
    losses = run.column(f"fold{fold}-train_loss")
    assert losses[-1] < losses[0]


def check_fold(val_indices: list[int], fold: int) -> None:
    """The validation set is the fold's fifth of the digits: every 5th image."""
    assert val_indices == list(range(fold - 1, DIGITS, 5))


def test_trainer(wandb_offline, accelerator, torch_device):
    """`python logger_trainer.py 1`"""
    namespace = wandb_offline.run_script(HERE / "logger_trainer.py", "1")
    run = wandb_offline.run()
    check_common(run, fold=1)
    assert run.display_name == "fold1-mlp"
    assert run.tags == ("digits", "mlp")
    # config= from the logger, hidden and lr from save_hyperparameters()
    assert run.config == {"fold": 1, "hidden": 64, "lr": 0.01}
    # 1437 training images: 23 batches an epoch, 46 steps, train_loss every 10th
    assert run.column("trainer/global_step")[-1] == 45
    assert len(run.column("fold1-train_loss")) == 4
    assert len(run.column("fold1-val_accuracy")) == 2
    assert "fold1-epoch" in run.history[-1]  # the Trainer's epoch gets the prefix too
    trainer = namespace["trainer"]
    assert trainer.strategy.root_device.type == torch_device
    check_fold(trainer.val_dataloaders.dataset.indices, fold=1)


def test_fabric(wandb_offline, accelerator, torch_device):
    """`python logger_fabric.py 2`: another fold, another name, prefix and split."""
    namespace = wandb_offline.run_script(HERE / "logger_fabric.py", "2")
    run = wandb_offline.run()
    check_common(run, fold=2)
    assert run.display_name == "fold2-mlp-fabric"
    assert run.tags == ("digits", "mlp", "fabric")
    assert run.config == {"fold": 2}
    # train_loss and epoch every 10 steps, val_accuracy after each 23-batch epoch
    assert run.column("trainer/global_step") == [10, 20, 23, 30, 40, 46]
    assert len(run.column("fold2-epoch")) == 4
    assert len(run.column("fold2-val_accuracy")) == 2
    assert namespace["fabric"].device.type == torch_device
    check_fold(namespace["val_loader"].dataset.indices, fold=2)


def real_defaults(cls: type) -> dict[str, str]:
    parameters = inspect.signature(cls.__init__).parameters.values()
    return {
        p.name: f"`{p.default!r}`"
        for p in parameters
        if p.name != "self" and p.kind is not p.VAR_KEYWORD
    }


# What wandb 0.31 prints for every run either WandbLogger starts (it passes anonymous=None)
ANONYMOUS_LINE = (
    "The anonymous setting has no effect and will be removed in a future version."
)


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


@pytest.mark.parametrize("logger_class", [TrainerWandbLogger, FabricWandbLogger])
def test_where_the_run_folder_goes(wandb_offline, monkeypatch, logger_class):
    """The table: save_dir (default ".") wins over WANDB_DIR, and dir= alone is ignored."""
    work = wandb_offline.root / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    where = {}
    for case, kwargs in {
        "default": {},
        "dir alone": {"dir": "runs"},
        "save_dir=None": {"save_dir": None, "dir": "runs"},
    }.items():
        logger = logger_class(project="lightning-digits-cv", **kwargs)
        where[case] = Path(logger.experiment.dir).resolve()
        wandb.finish()
    # WANDB_DIR is wandb_offline.root, yet the runs land under the working directory
    assert where["default"].is_relative_to(work / "wandb")
    assert where["dir alone"].is_relative_to(work / "wandb")
    assert where["save_dir=None"].is_relative_to(work / "runs" / "wandb")


@pytest.mark.parametrize("logger_class", [TrainerWandbLogger, FabricWandbLogger])
def test_anonymous_true_does_not_log_without_an_account(
    wandb_offline, monkeypatch, logger_class
):
    """The table: `anonymous` is a no-op in wandb 0.31; online, a run still needs a key."""
    monkeypatch.setenv("WANDB_MODE", "online")
    with pytest.raises(UsageError, match=r"^No API key configured\."):
        _ = logger_class(project="lightning-digits-cv", anonymous=True).experiment
    assert not (wandb_offline.root / "wandb").exists()


def test_the_first_run_of_a_process_warns_about_anonymous(wandb_offline):
    """The install page's note: either logger passes anonymous=None, so the first run of a
    process prints wandb's deprecation line; later runs of the same process do not.

    A new process, as a reader's script is: wandb prints the line once per process.
    """
    code = textwrap.dedent(
        """\
        import wandb
        from lightning.pytorch.loggers import WandbLogger
        from wandb.integration.lightning.fabric import WandbLogger as FabricLogger

        for logger in (WandbLogger, FabricLogger):
            logger(project="lightning-digits-cv").experiment
            wandb.finish()
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "WANDB_SILENT": "false"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(wandb_offline.runs()) == 2
    assert done.stderr.count(f"wandb: WARNING {ANONYMOUS_LINE}") == 1
