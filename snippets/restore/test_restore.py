"""The Restore page: a checkpoint restored by alias from the run's records predicts exactly as trained."""

import pytest
import torch

from snippets.restore import restore_fabric, restore_trainer


def predictions(model: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return model(x.to(next(model.parameters()).device)).cpu()


def check_restored(script, trained, restored, run) -> None:
    assert run.exit_code == 0
    name = f"model-{run.run_id}"
    assert len(run.artifact_versions(name)) == 2  # both epochs improved: two saves
    # the final model is the best one here, so "best" must give back exactly its outputs
    assert run.alias_holder(name, "best") == run.alias_holder(name, "latest")
    assert restored is not trained
    x, _ = next(iter(script.digits_loaders()[1]))
    assert x.shape == (297, 64)
    assert torch.equal(predictions(restored, x), predictions(trained, x))
    # and it is not a fresh model: an untrained one predicts something else
    assert not torch.equal(predictions(restored, x), predictions(untrained(script), x))


def untrained(script) -> torch.nn.Module:
    torch.manual_seed(1)
    if script is restore_trainer:
        return restore_trainer.DigitsClassifier()
    return restore_fabric.make_model()


@pytest.mark.parametrize(
    "script", [restore_trainer, restore_fabric], ids=["trainer", "fabric"]
)
def test_restore(wandb_offline, accelerator, script):
    trained, restored = script.main(accelerator=accelerator)
    check_restored(script, trained, restored, wandb_offline.run())
    assert (wandb_offline.root / "restored" / "model.ckpt").is_file()


@pytest.mark.parametrize(
    "script", [restore_trainer, restore_fabric], ids=["trainer", "fabric"]
)
def test_runs_as_a_script(wandb_offline, script):
    namespace = wandb_offline.run_script(script.__file__)
    run = wandb_offline.run()
    assert run.exit_code == 0
    restored = wandb_offline.root / "restored" / "model.ckpt"
    entry = run.alias_holder(f"model-{run.run_id}", "best").file("model.ckpt")
    assert restored.read_bytes() == entry.local_path.read_bytes()
    assert "restore_checkpoint" in namespace


@pytest.mark.parametrize(
    "script", [restore_trainer, restore_fabric], ids=["trainer", "fabric"]
)
def test_errors_are_clear(wandb_offline, script):
    script.main(accelerator="cpu")
    run = wandb_offline.run()
    with pytest.raises(LookupError, match=r"alias 'production'"):
        script.restore_checkpoint(run.path, "production", wandb_offline.root / "x.ckpt")
    assert not (wandb_offline.root / "x.ckpt").exists()
    # a staged file that no longer matches the recorded digest is refused, not loaded
    staged = (
        run.alias_holder(f"model-{run.run_id}", "latest").file("model.ckpt").local_path
    )
    staged.write_bytes(staged.read_bytes() + b"tampered")
    with pytest.raises(ValueError, match="does not match the digest"):
        script.restore_checkpoint(run.path, "latest", wandb_offline.root / "y.ckpt")
    assert not (wandb_offline.root / "y.ckpt").exists()
