"""The config page: every hyperparameter and every extra key lands in the recorded config."""

import pytest

from snippets.config import config_fabric, config_trainer
from tested_docs import RecordedRun

EXTRA = {"dataset": "sklearn-digits", "train_size": 1500, "batch_size": 64}


def check_trainer_run(run: RecordedRun) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-config"
    # save_hyperparameters() records every __init__ argument, defaults included
    assert run.config == {"hidden": 32, "lr": 0.01, "dropout": 0.1, **EXTRA}
    assert run.summary["val_accuracy"] > 0.8


def check_fabric_run(run: RecordedRun) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-config"
    assert run.config == {
        "hidden": 32,
        "lr": 0.01,
        "dropout": 0.1,
        "epochs": 2,
        **EXTRA,
    }
    assert run.column("trainer/global_step") == [24, 48]
    assert run.summary["val_accuracy"] > 0.8


def test_trainer(wandb_offline, accelerator):
    config_trainer.main(accelerator=accelerator)
    check_trainer_run(wandb_offline.run())


def test_fabric(wandb_offline, accelerator):
    config_fabric.main(accelerator=accelerator)
    check_fabric_run(wandb_offline.run())


@pytest.mark.parametrize(
    ("script", "check"),
    [(config_trainer, check_trainer_run), (config_fabric, check_fabric_run)],
    ids=["trainer", "fabric"],
)
def test_runs_as_a_script(wandb_offline, script, check):
    wandb_offline.run_script(script.__file__)
    check(wandb_offline.run())


def test_changing_a_recorded_value_needs_allow_val_change(wandb_offline):
    """The page's pitfall: config["lr"] = ... after save_hyperparameters() raises."""
    import wandb
    from wandb.sdk.lib.config_util import ConfigError

    run = wandb.init(project="lightning-config", config={"lr": 0.01})
    with pytest.raises(ConfigError, match="allow_val_change"):
        run.config["lr"] = 0.1
    run.config.update({"lr": 0.1}, allow_val_change=True)
    run.finish()
    assert wandb_offline.run().config == {"lr": 0.1}
