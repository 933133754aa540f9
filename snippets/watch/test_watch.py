"""The watch page: gradient and parameter histograms per layer, and the model graph."""

import json
import re
from pathlib import Path

import lightning as L
import pytest
import wandb
from lightning.pytorch.loggers import WandbLogger
from torch import nn

from tested_docs import RecordedRun
from tested_docs.workarounds import first_watch_in_this_process

HERE = Path(__file__).parent


@pytest.fixture(autouse=True)
def _first_watch_in_this_process(monkeypatch):
    """wandb numbers watched models per process, across runs: start at 0, as `python` does."""
    first_watch_in_this_process(monkeypatch)


def histogram_keys(run: RecordedRun, kind: str) -> set[str]:
    """{"net.0.weight", ...} for the keys gradients/net.0.weight._type, ... of the history."""
    prefix, suffix = f"{kind}/", "._type"
    return {
        key[len(prefix) : -len(suffix)]
        for row in run.history
        for key, value in row.items()
        if key.startswith(prefix) and key.endswith(suffix) and value == "histogram"
    }


def histogram_steps(run: RecordedRun, key: str) -> list[int]:
    """The trainer/global_step of each row holding the histogram `key`."""
    return run.steps(f"{key}._type")


def check_watched(run: RecordedRun, layers: list[str]) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-watch"
    tensors = {
        f"{layer}.{p}" for layer in (layers[0], layers[2]) for p in ("weight", "bias")
    }
    assert histogram_keys(run, "gradients") == tensors
    assert histogram_keys(run, "parameters") == tensors
    first = run.rows_with(f"parameters/{layers[0]}.weight._type")[0]
    assert sum(first[f"parameters/{layers[0]}.weight.values"]) == 64 * 64
    steps = run.column("trainer/global_step")
    assert steps == sorted(steps)
    # the topology: a graph-file in the summary, written under media/graph/
    graph = run.summary["graph_0"]
    assert graph["_type"] == "graph-file"
    assert graph["path"].startswith("media/graph/") and graph["path"] in run.files
    nodes = json.loads((run.files_dir / graph["path"]).read_text())["nodes"]
    assert [node["name"] for node in nodes] == layers
    assert (
        nodes[0]["class_name"] == "Linear(in_features=64, out_features=64, bias=True)"
    )
    assert nodes[0]["num_parameters"] == [64 * 64, 64]


def check_trainer_run(run: RecordedRun) -> None:
    check_watched(run, ["net.0", "net.1", "net.2"])
    assert run.config == {"hidden": 64, "lr": 0.01}
    # log_freq=10 counts backward passes for gradients: 48 training batches, 4 histograms,
    # each added to the next row the logger writes (train_loss every 10 steps).
    assert histogram_steps(run, "gradients/net.0.weight") == [9, 19, 29, 39]
    # ...and forward passes for parameters, validation included: the sanity check's batch
    # and epoch 0's validation batch make 48 training batches 50 forward passes by the
    # last one, hence a fifth histogram, at the end of training. Counting training
    # batches only would give 4, on the same rows as the gradients.
    assert histogram_steps(run, "parameters/net.0.weight") == [9, 19, 29, 39, 47]


def check_fabric_run(run: RecordedRun) -> None:
    # the plain nn.Sequential's own names
    check_watched(run, ["0", "1", "2"])
    # gradients: 48 backward passes, 4 histograms, on the train_loss rows
    assert histogram_steps(run, "gradients/0.weight") == [10, 20, 30, 40]
    # parameters: 48 training and 2 validation forward passes; the 50th is the last
    # validation pass, recorded with val_accuracy at step 48
    assert histogram_steps(run, "parameters/0.weight") == [10, 20, 30, 40, 48]
    assert "val_accuracy" in run.rows_with("parameters/0.weight._type")[-1]


def test_trainer(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "watch_trainer.py")
    check_trainer_run(wandb_offline.run())
    assert namespace["trainer"].strategy.root_device.type == torch_device


def test_fabric(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "watch_fabric.py")
    check_fabric_run(wandb_offline.run())
    assert namespace["fabric"].device.type == torch_device


def test_the_quickstart_model_in_a_second_watch(wandb_offline):
    """Two pitfalls on the page, in a notebook-like process that trains twice.

    The second run watches the Quickstart's DigitsClassifier, whose steps call
    self.net(x): no parameter histograms, and the second watch's names get graph_1.
    """
    namespace = wandb_offline.run_script(HERE / "watch_trainer.py")
    model = namespace["DigitsClassifier"]()
    logger = WandbLogger(project="lightning-watch")
    logger.watch(model, log="all", log_freq=10)
    trainer = L.Trainer(logger=logger, max_epochs=1, devices=1, log_every_n_steps=10)
    trainer.fit(model, *namespace["digits_loaders"]())
    wandb.finish()
    first, second = wandb_offline.runs()
    check_trainer_run(first)
    assert second.exit_code == 0
    # backward hooks sit on the parameters: gradients still come, named graph_1net.*
    assert histogram_keys(second, "gradients") == {
        f"graph_1net.{i}.{p}" for i in (0, 2) for p in ("weight", "bias")
    }
    assert histogram_steps(second, "gradients/graph_1net.0.weight") == [9, 19]
    # the forward hook on the LightningModule never fired: no parameters at all
    assert not histogram_keys(second, "parameters")
    # the graph keeps its key (it is written by hooks on the layers)
    assert second.summary["graph_0"]["_type"] == "graph-file"


def test_fabric_cannot_watch_the_wrapped_module(wandb_offline):
    """The Fabric pitfall on the page: watch after fabric.setup fails, even the first time."""
    from wandb.integration.lightning.fabric import WandbLogger as FabricWandbLogger

    logger = FabricWandbLogger(project="lightning-watch")
    fabric = L.Fabric(devices=1, loggers=[logger])
    fabric.launch()
    model = fabric.setup(nn.Sequential(nn.Linear(64, 10)))
    with pytest.raises(
        ValueError, match=re.escape("You can only call `wandb.watch` once per model")
    ):
        logger.watch(model, log="all")
    logger.finalize("success")
    wandb.finish()
    assert wandb_offline.run().exit_code == 0
