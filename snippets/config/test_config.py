"""The config page: every hyperparameter and every extra key lands in the recorded config."""

from pathlib import Path

import pytest
import wandb
from lightning.pytorch.loggers import WandbLogger
from lightning.pytorch.utilities import rank_zero_only

HERE = Path(__file__).parent
EXTRA = {"dataset": "sklearn-digits", "train_size": 1500, "batch_size": 64}
TRAINER_EXTRA = {
    **EXTRA,
    "optimizer": "Adam",
}  # the Trainer script also uses wandb.config


def test_trainer(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "config_trainer.py")
    run = wandb_offline.run()
    assert run.exit_code == 0
    assert run.project == "lightning-config"
    # save_hyperparameters() records every __init__ argument, defaults included
    assert run.config == {"hidden": 32, "lr": 0.01, "dropout": 0.1, **TRAINER_EXTRA}
    # 24 batches an epoch, 2 epochs, train_loss every 10 steps
    assert run.column("trainer/global_step")[-1] == 47
    assert len(run.column("train_loss")) == 4
    assert len(run.column("val_accuracy")) == 2
    assert run.summary["val_accuracy"] > 0.8
    # the recorded values are the ones the model was built with
    model = namespace["trainer"].lightning_module
    assert dict(model.hparams) == {"hidden": 32, "lr": 0.01, "dropout": 0.1}
    assert model.net[0].out_features == 32 and model.net[2].p == 0.1
    train_loader = namespace["train_loader"]
    assert len(train_loader.dataset) == 1500 and train_loader.batch_size == 64
    assert namespace["trainer"].strategy.root_device.type == torch_device


def test_fabric(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "config_fabric.py")
    run = wandb_offline.run()
    assert run.exit_code == 0
    assert run.project == "lightning-config"
    assert run.config == {
        "hidden": 32,
        "lr": 0.01,
        "dropout": 0.1,
        "epochs": 2,
        **EXTRA,
    }
    # one row per epoch, at the end of each 24-batch epoch
    assert run.column("trainer/global_step") == [24, 48]
    assert run.column("epoch") == [0, 1]
    assert run.column("train_loss")[-1] < run.column("train_loss")[0]
    assert run.summary["val_accuracy"] > 0.8
    net = namespace["model"].module
    assert net[0].out_features == 32 and net[2].p == 0.1
    assert namespace["fabric"].device.type == torch_device


def test_changing_a_recorded_value_needs_allow_val_change(wandb_offline):
    """The page's pitfall: config["lr"] = ... after save_hyperparameters() raises."""
    run = wandb.init(project="lightning-config", config={"lr": 0.01})
    with pytest.raises(
        wandb.Error, match='Attempted to change value of key "lr"'
    ) as error:
        run.config["lr"] = 0.1
    assert type(error.value).__name__ == "ConfigError"  # the name the page quotes
    run.config.update({"lr": 0.1}, allow_val_change=True)
    run.finish()
    assert wandb_offline.run().config == {"lr": 0.1}


def test_module_level_config_needs_an_open_run(wandb_offline):
    with pytest.raises(wandb.Error, match=r"You must call wandb.init\(\) before"):
        wandb.config["key"] = "value"
    assert not wandb_offline.runs()


def test_config_update_needs_a_dictionary(wandb_offline):
    run = wandb.init(project="lightning-config")
    with pytest.raises(TypeError):
        run.config.update()
    run.finish()


def test_experiment_on_other_ranks_is_a_stand_in(wandb_offline, monkeypatch):
    """Rule two: off rank zero, `experiment` does nothing and item assignment fails."""
    monkeypatch.setattr(rank_zero_only, "rank", 1)
    logger = WandbLogger(project="lightning-config")
    with pytest.raises(TypeError, match="does not support item assignment"):
        logger.experiment.config["batch_size"] = 64
    assert wandb.run is None
    assert not (wandb_offline.root / "wandb").exists()
