"""The registry page: linking needs the W&B server, so each script runs offline and the
tests assert exactly what W&B does there: the checkpoint is logged, the link raises."""

from pathlib import Path

import pytest
import wandb
from wandb.errors import UsageError

from tested_docs import RecordedRun, wandb_digest

HERE = Path(__file__).parent


def run_offline(wandb_offline, script: str) -> tuple[dict, RecordedRun]:
    """Run a script to its link_artifact call, which raises offline."""
    with pytest.raises(NotImplementedError) as raised:
        wandb_offline.run_script(HERE / script)
    # wandb 0.31 has no offline linking yet: a bare NotImplementedError, no message
    assert str(raised.value) == ""
    # the exception left the script: its global names come from the traceback's frame
    frame = next(e.frame for e in raised.traceback if Path(e.path).name == script)
    run = wandb_offline.run()
    # `with run:` finished the run, as failed
    assert run.exit_code == 1
    return frame.f_globals, run


def check_linked_artifact(run: RecordedRun, checkpoint: str | Path) -> None:
    """The artifact link_artifact logged before it raised: the checkpoint, named after the
    run, aliased "latest" only (the link's "staging" alias belongs to the link)."""
    logged = run.artifact_versions(f"model-{run.run_id}")[-1]
    assert (logged.type, logged.aliases) == ("model", ("latest",))
    assert [f.path for f in logged.files] == ["model.ckpt"]
    assert logged.file("model.ckpt").digest == wandb_digest(checkpoint)


def test_trainer(wandb_offline, accelerator, torch_device):
    namespace, run = run_offline(wandb_offline, "registry_trainer.py")
    trainer = namespace["trainer"]
    assert trainer.strategy.root_device.type == torch_device
    assert "linked" not in namespace
    best = trainer.checkpoint_callback.best_model_path
    # log_model=True logged the best checkpoint when fit ended, then the link logged it
    # again under the same name: the same files and digest, so once synced W&B keeps one
    # version (a new one only when the content changes)
    lightning, ours = run.artifact_versions(f"model-{run.run_id}")
    assert set(lightning.aliases) == {"latest", "best"}
    assert lightning.file("model.ckpt").digest == wandb_digest(best)
    assert ours.digest == lightning.digest
    check_linked_artifact(run, best)
    # a finished run links nothing: the call must come before the run ends
    finished = namespace["run"]
    with pytest.raises(UsageError, match=rf"^Run \({run.run_id}\) is finished\."):
        namespace["link_to_registry"](finished, best)
    # link_model, the older Model Registry's call, asks the server before anything else
    # (wandb.Api), so it fails even sooner: with no API key, on the key
    with (
        wandb.init(project="lightning-registry") as other,
        pytest.raises(UsageError, match=r"^No API key configured\. Use `wandb login`"),
    ):
        other.link_model(best, registered_model_name="digits-classifier")
    assert wandb_offline.runs()[-1].artifacts == []


def test_fabric(wandb_offline, accelerator, torch_device):
    namespace, run = run_offline(wandb_offline, "registry_fabric.py")
    assert namespace["fabric"].device.type == torch_device
    assert [a.name for a in run.artifacts] == [f"model-{run.run_id}"]
    check_linked_artifact(run, Path("model.ckpt"))
