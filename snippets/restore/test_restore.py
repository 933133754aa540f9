"""The Restore page: the "best" checkpoint, restored from the run's records, is the trained model."""

from pathlib import Path

import pytest
import torch
import wandb
from wandb.errors import UsageError

from tested_docs import TORCH_DEVICE, RecordedRun, wandb_digest
from tested_docs.pytest_plugin import OfflineWandb

HERE = Path(__file__).parent


def same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(
        torch.equal(sa[k].cpu(), sb[k].cpu()) for k in sa
    )


def check_restored_file(world: OfflineWandb, run: RecordedRun) -> None:
    """restored/model.ckpt is W&B's staged copy of the version "best" points to."""
    name = f"model-{run.run_id}"
    best = run.alias_holder(name, "best")
    # the last epoch improved, so "best" is the last version: the model as trained
    assert best == run.alias_holder(name, "latest") == run.artifact_versions(name)[-1]
    entry = best.file("model.ckpt")
    assert "staging" in entry.local_path.parts
    restored = world.root / "restored" / "model.ckpt"
    assert restored.read_bytes() == entry.local_path.read_bytes()
    assert wandb_digest(restored) == entry.digest
    # and not any other version's file
    others = [
        v.file("model.ckpt").digest for v in run.artifact_versions(name) if v != best
    ]
    assert others and entry.digest not in others


def check_errors(world: OfflineWandb, run: RecordedRun, restore_checkpoint) -> None:
    """An unknown alias and a staged file altered after logging are refused."""
    with pytest.raises(LookupError, match=r"alias 'production'"):
        restore_checkpoint(run.path, "production", world.root / "x.ckpt")
    assert not (world.root / "x.ckpt").exists()
    staged = (
        run.alias_holder(f"model-{run.run_id}", "latest").file("model.ckpt").local_path
    )
    staged.write_bytes(staged.read_bytes() + b"tampered")
    with pytest.raises(ValueError, match="does not match the digest"):
        restore_checkpoint(run.path, "latest", world.root / "y.ckpt")
    assert not (world.root / "y.ckpt").exists()


def test_trainer(wandb_offline, accelerator):
    namespace = wandb_offline.run_script(HERE / "restore_trainer.py")
    assert namespace["trainer"].strategy.root_device.type == TORCH_DEVICE[accelerator]
    run = wandb_offline.run()
    assert run.exit_code == 0
    assert run.project == "lightning-checkpoints"
    assert len(run.column("train_loss")) == 7  # log_every_n_steps=10, 72 steps
    assert len(run.column("val_accuracy")) == 3
    name = f"model-{run.run_id}"
    assert len(run.artifact_versions(name)) >= 2
    check_restored_file(wandb_offline, run)
    assert namespace["path"] == Path("restored/model.ckpt")

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

    check_errors(wandb_offline, run, namespace["restore_checkpoint"])

    # Online-only code, as the page says: offline and without an API key both fail clearly
    reference = f"{run.project}/{name}:best"
    with pytest.raises(UsageError, match=r"^No API key configured\."):
        namespace["download_with_logger"](reference)
    with pytest.raises(UsageError, match=r"^No API key configured\."):
        wandb.Api()
    with pytest.raises(
        TypeError, match=r"^Cannot use artifact when in offline mode\.$"
    ):
        namespace["download_with_run"](reference)
    wandb.finish()
    restore_run = wandb_offline.runs()[-1]
    assert restore_run.run_id != run.run_id
    assert restore_run.job_type == "restore" and restore_run.artifacts == []


def test_fabric(wandb_offline, accelerator):
    namespace = wandb_offline.run_script(HERE / "restore_fabric.py")
    assert namespace["fabric"].device.type == TORCH_DEVICE[accelerator]
    run = wandb_offline.run()
    assert run.exit_code == 0
    assert run.project == "lightning-checkpoints"
    assert len(run.column("val_accuracy")) == len(
        run.artifact_versions(f"model-{run.run_id}")
    )
    check_restored_file(wandb_offline, run)

    trained, restored = namespace["model"], namespace["restored"]
    assert restored is not trained and not restored.training
    assert restored.device.type == TORCH_DEVICE[accelerator]
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

    check_errors(wandb_offline, run, namespace["restore_checkpoint"])
