"""The Restore page: the checkpoint loaded is the one W&B logged as "best", as trained."""

from pathlib import Path

import pytest
import torch
import wandb
from wandb.errors import UsageError

from tested_docs import RecordedRun, wandb_digest

HERE = Path(__file__).parent


def same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(
        torch.equal(sa[k].cpu(), sb[k].cpu()) for k in sa
    )


def check_best_file(run: RecordedRun, path: str | Path) -> None:
    """The file the script loads is the one W&B logged as "best", not another version."""
    name = f"model-{run.run_id}"
    best = run.alias_holder(name, "best")
    # the last epoch improved, so "best" is the last version: the model as trained
    assert best == run.alias_holder(name, "latest") == run.artifact_versions(name)[-1]
    assert wandb_digest(path) == best.file("model.ckpt").digest
    others = [
        v.file("model.ckpt").digest for v in run.artifact_versions(name) if v != best
    ]
    assert others and wandb_digest(path) not in others


def check_online_only(run: RecordedRun, namespace: dict) -> None:
    """The download functions need a server: offline, each stops with W&B's own error."""
    reference = f"{run.project}/model-{run.run_id}:best"
    # no run open: download_artifact goes through wandb.Api(), which needs an API key
    with pytest.raises(UsageError, match=r"^No API key configured\. Use `wandb login`"):
        namespace["download_with_logger"](reference)
    with pytest.raises(
        TypeError, match=r"^Cannot use artifact when in offline mode\.$"
    ):
        namespace["download_with_run"](reference)
    # a run open: download_artifact uses that run's use_artifact instead of wandb.Api()
    with pytest.raises(
        TypeError, match=r"^Cannot use artifact when in offline mode\.$"
    ):
        namespace["download_with_logger"](reference)
    wandb.finish()


def test_trainer(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "restore_trainer.py")
    assert namespace["trainer"].strategy.root_device.type == torch_device
    run = wandb_offline.run()
    assert run.exit_code == 0
    assert run.project == "lightning-checkpoints"
    assert len(run.column("train_loss")) == 7  # log_every_n_steps=10, 72 steps
    assert len(run.column("val_accuracy")) == 3
    name = f"model-{run.run_id}"
    assert len(run.artifact_versions(name)) >= 2
    checkpoint = namespace["checkpoint"]
    assert namespace["path"] == checkpoint.best_model_path
    assert checkpoint.best_model_score == max(run.column("val_accuracy"))
    check_best_file(run, checkpoint.best_model_path)

    trained, restored = namespace["model"], namespace["restored"]
    assert restored is not trained and not restored.training
    assert same_weights(restored, trained)
    assert dict(restored.hparams) == {"hidden": 64, "lr": 0.01}
    x, _ = next(iter(namespace["val_loader"]))
    with torch.no_grad():
        assert torch.equal(
            restored.net(x.to(restored.device)).cpu(), trained.net(x).cpu()
        )
    # a fresh model differs: the weights really came from the checkpoint
    assert not same_weights(namespace["DigitsClassifier"](), trained)

    check_online_only(run, namespace)
    restore_run = wandb_offline.runs()[-1]
    assert restore_run.run_id != run.run_id
    assert restore_run.job_type == "restore" and restore_run.artifacts == []


def test_fabric(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "restore_fabric.py")
    assert namespace["fabric"].device.type == torch_device
    run = wandb_offline.run()
    assert run.exit_code == 0
    assert run.project == "lightning-checkpoints"
    assert len(run.column("val_accuracy")) == len(
        run.artifact_versions(f"model-{run.run_id}")
    )
    check_best_file(run, namespace["best_path"])
    assert namespace["best_path"] == "checkpoints/epoch=2.ckpt"

    trained, restored = namespace["model"], namespace["restored"]
    assert restored is not trained and not restored.training
    assert restored.device.type == torch_device
    assert same_weights(restored, trained)
    # the optimizer's state came back too: Adam's step count after 3 epochs of 24 batches
    optimizer_state = namespace["restored_optimizer"].state_dict()["state"]
    assert optimizer_state and all(
        int(s["step"]) == 72 for s in optimizer_state.values()
    )
    assert namespace["state"]["epoch"] == 2
    fresh = torch.nn.Sequential(
        torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10)
    )
    assert not same_weights(fresh, trained)
