"""The watch page: gradient and parameter histograms per layer, and the model graph."""

import json

import pytest
import torch
import wandb
from lightning.pytorch.loggers import WandbLogger

from snippets.watch import watch_fabric, watch_trainer
from tested_docs import RecordedRun


@pytest.fixture(autouse=True)
def _first_watch_in_this_process(monkeypatch):
    """wandb numbers watched models per process, across runs: start at 0, as `python` does."""
    from wandb.sdk import wandb_watch

    monkeypatch.setattr(wandb_watch, "_global_watch_idx", 0)


def histogram_keys(run: RecordedRun, kind: str) -> set[str]:
    """{"net.0.weight", ...} for the keys gradients/net.0.weight._type, ... of the history."""
    prefix, suffix = f"{kind}/", "._type"
    return {
        key[len(prefix) : -len(suffix)]
        for row in run.history
        for key, value in row.items()
        if key.startswith(prefix) and key.endswith(suffix) and value == "histogram"
    }


def check_watched(run: RecordedRun, layers: list[str]) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-watch"
    tensors = {
        f"{layer}.{p}" for layer in (layers[0], layers[2]) for p in ("weight", "bias")
    }
    assert histogram_keys(run, "gradients") == tensors
    assert histogram_keys(run, "parameters") == tensors
    # gradients every 10 batches: 48 batches in 2 epochs
    assert len(run.rows_with(f"gradients/{layers[0]}.weight._type")) == 4
    first = run.rows_with(f"parameters/{layers[0]}.weight._type")[0]
    assert sum(first[f"parameters/{layers[0]}.weight.values"]) == 32 * 64
    steps = run.column("trainer/global_step")
    assert steps == sorted(steps)
    # the topology: a graph-file in the summary, written under media/graph/
    graph = run.summary["graph_0"]
    assert graph["_type"] == "graph-file"
    assert graph["path"].startswith("media/graph/") and graph["path"] in run.files
    nodes = json.loads((run.files_dir / graph["path"]).read_text())["nodes"]
    assert [node["name"] for node in nodes] == layers
    assert (
        nodes[0]["class_name"] == "Linear(in_features=64, out_features=32, bias=True)"
    )
    assert nodes[0]["num_parameters"] == [32 * 64, 32]


def check_trainer_run(run: RecordedRun) -> None:
    check_watched(run, ["net.0", "net.1", "net.2"])


def check_fabric_run(run: RecordedRun) -> None:
    check_watched(run, ["0", "1", "2"])  # the plain nn.Sequential's own names


def test_trainer(wandb_offline, accelerator):
    watch_trainer.main(accelerator=accelerator)
    check_trainer_run(wandb_offline.run())


def test_fabric(wandb_offline, accelerator):
    watch_fabric.main(accelerator=accelerator)
    check_fabric_run(wandb_offline.run())


@pytest.mark.parametrize(
    ("script", "check"),
    [(watch_trainer, check_trainer_run), (watch_fabric, check_fabric_run)],
    ids=["trainer", "fabric"],
)
def test_runs_as_a_script(wandb_offline, script, check):
    wandb_offline.run_script(script.__file__)
    check(wandb_offline.run())


class CallsTheInnerNetwork(watch_trainer.DigitsClassifier):
    """The pitfall on the page: steps that call self.net(x) instead of self(x)."""

    def training_step(self, batch, batch_idx):
        x, y = batch
        return torch.nn.functional.cross_entropy(self.net(x), y)

    def validation_step(self, batch, batch_idx):
        pass


def test_parameters_need_the_watched_module_to_be_called(wandb_offline):
    import lightning as L

    model = CallsTheInnerNetwork()
    logger = WandbLogger(project="lightning-watch")
    logger.watch(model, log="all", log_freq=10)
    trainer = L.Trainer(
        logger=logger, max_epochs=1, accelerator="cpu", enable_progress_bar=False
    )
    trainer.fit(model, *watch_trainer.digits_loaders())
    wandb.finish()
    run = wandb_offline.run()
    assert histogram_keys(run, "gradients")  # backward hooks sit on the parameters
    assert not histogram_keys(run, "parameters")  # the forward hook never fired


def test_a_second_watch_in_the_same_process_gets_a_graph_prefix(wandb_offline):
    """The notebook pitfall on the page: watch in a second run of the same kernel."""
    watch_trainer.main(accelerator="cpu")
    watch_trainer.main(accelerator="cpu")
    first, second = wandb_offline.runs()
    check_trainer_run(first)
    assert second.summary["graph_0"]["_type"] == "graph-file"  # the graph keeps its key
    assert histogram_keys(second, "gradients") == {
        f"graph_1net.{i}.{p}" for i in (0, 2) for p in ("weight", "bias")
    }


def test_fabric_cannot_watch_the_wrapped_module(wandb_offline):
    """The Fabric pitfall on the page: watch after fabric.setup fails, even the first time."""
    import lightning as L
    from wandb.integration.lightning.fabric import WandbLogger as FabricWandbLogger

    logger = FabricWandbLogger(project="lightning-watch")
    fabric = L.Fabric(accelerator="cpu", devices=1, loggers=[logger])
    fabric.launch()
    model = fabric.setup(torch.nn.Sequential(torch.nn.Linear(64, 10)))
    with pytest.raises(ValueError, match="once per model"):
        logger.watch(model, log="all")
    logger.finalize("success")
    wandb.finish()
