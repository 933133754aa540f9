"""The Checkpoints page: every saved checkpoint is recorded as a `model` artifact version."""

from pathlib import Path

import pytest

from tested_docs import Artifact, RecordedRun, wandb_digest

HERE = Path(__file__).parent


def check_staged_file(version: Artifact) -> None:
    """One file, model.ckpt, whose recorded digest is that of W&B's staged copy."""
    assert [f.path for f in version.files] == ["model.ckpt"]
    entry = version.file("model.ckpt")
    assert entry.local_path is not None and entry.local_path.is_file()
    assert "staging" in entry.local_path.parts
    assert entry.size == entry.local_path.stat().st_size > 0
    assert entry.digest == wandb_digest(entry.local_path)


def improvements(values: list[float]) -> list[int]:
    """Indexes of the values that beat every value before them (ModelCheckpoint's saves)."""
    return [i for i, v in enumerate(values) if all(v > u for u in values[:i])]


def validations_before_each_artifact(run: RecordedRun) -> list[int]:
    """For each artifact version, how many val_accuracy rows the run had logged before it."""
    seen, counts = 0, []
    for record in run.records:
        if record.get("type") == "history":
            seen += "val_accuracy" in record["history"].get("item", {})
        elif record.get("type") == "artifact":
            counts.append(seen)
    return counts


def check_trainer_run(
    run: RecordedRun, root: Path
) -> tuple[list[Artifact], list[float]]:
    assert run.exit_code == 0
    assert run.project == "lightning-checkpoints"
    assert run.config == {"hidden": 64, "lr": 0.01}
    # log_every_n_steps=10: train_loss reaches W&B 7 times in 3 epochs of 24 batches
    assert len(run.column("train_loss")) == 7
    assert run.column("train_loss")[-1] < run.column("train_loss")[0]
    accuracies = run.column("val_accuracy")
    assert len(accuracies) == 3
    name = f"model-{run.run_id}"
    assert {a.name for a in run.artifacts} == {name}
    versions = run.artifact_versions(name)
    assert {v.type for v in versions} == {"model"}
    for version in versions:
        check_staged_file(version)
        assert version.metadata["ModelCheckpoint"]["monitor"] == "val_accuracy"
        assert version.metadata["ModelCheckpoint"]["mode"] == "max"
        assert version.metadata["ModelCheckpoint"]["save_top_k"] == 1
    # the best checkpoint is still on disk, where ModelCheckpoint wrote it, and the last
    # version W&B recorded is that very file
    on_disk = list(
        (root / "lightning-checkpoints" / run.run_id / "checkpoints").iterdir()
    )
    assert [p.name for p in on_disk] == [versions[-1].metadata["original_filename"]]
    assert versions[-1].file("model.ckpt").digest == wandb_digest(on_disk[0])
    assert run.alias_holder(name, "latest") == versions[-1]
    assert run.alias_holder(name, "best") == versions[-1]
    return versions, accuracies


def test_trainer(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "checkpoints_trainer.py")
    assert namespace["trainer"].strategy.root_device.type == torch_device
    all_run, true_run = wandb_offline.runs()

    # log_model="all": one version per new best val_accuracy, each logged right after
    # the validation that made it, all of them "latest" and "best" when logged
    versions, accuracies = check_trainer_run(all_run, wandb_offline.root)
    saved = improvements(accuracies)
    assert len(saved) >= 2, f"val_accuracy {accuracies} must improve more than once"
    assert [v.version for v in versions] == list(range(len(saved)))
    assert validations_before_each_artifact(all_run) == [i + 1 for i in saved]
    assert [v.metadata["score"] for v in versions] == pytest.approx(
        [accuracies[i] for i in saved]
    )
    assert [v.metadata["original_filename"] for v in versions] == [
        f"epoch={i}-step={24 * (i + 1)}.ckpt" for i in saved
    ]
    assert all(set(v.aliases) == {"latest", "best"} for v in versions)
    # every checkpoint is a different file, kept by W&B after ModelCheckpoint deleted it
    assert len({v.file("model.ckpt").digest for v in versions}) == len(versions)

    # log_model=True: one version, logged once training has ended, of the best checkpoint
    versions, accuracies = check_trainer_run(true_run, wandb_offline.root)
    assert len(versions) == 1
    assert validations_before_each_artifact(true_run) == [len(accuracies)]
    assert true_run.records.index(
        next(r for r in true_run.records if r.get("type") == "artifact")
    ) > max(i for i, r in enumerate(true_run.records) if r.get("type") == "history")
    best = max(range(len(accuracies)), key=accuracies.__getitem__)
    assert versions[0].metadata["score"] == pytest.approx(accuracies[best])
    assert (
        versions[0].metadata["original_filename"]
        == f"epoch={best}-step={24 * (best + 1)}.ckpt"
    )
    assert set(versions[0].aliases) == {"latest", "best"}


def test_fabric(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "checkpoints_fabric.py")
    assert namespace["fabric"].device.type == torch_device
    run = wandb_offline.run()
    assert run.exit_code == 0
    assert run.project == "lightning-checkpoints"
    name = f"model-{run.run_id}"
    versions = run.artifact_versions(name)
    assert {a.name for a in run.artifacts} == {name}
    assert {v.type for v in versions} == {"model"}
    accuracies = run.column("val_accuracy")
    assert run.column("epoch") == [0, 1, 2]
    assert run.column("trainer/global_step") == [24, 48, 72]
    # one checkpoint per epoch, logged right after that epoch's validation
    assert len(versions) == len(accuracies) == 3
    assert validations_before_each_artifact(run) == [1, 2, 3]
    assert [v.metadata["val_accuracy"] for v in versions] == accuracies
    # "best" on exactly the versions that beat every earlier one, "latest" on all
    saved = improvements(accuracies)
    assert len(saved) >= 2, f"val_accuracy {accuracies} must improve more than once"
    for i, version in enumerate(versions):
        assert set(version.aliases) == (
            {"latest", "best"} if i in saved else {"latest"}
        )
    assert run.alias_holder(name, "latest") == versions[-1]
    assert run.alias_holder(name, "best") == versions[saved[-1]]
    for epoch, version in enumerate(versions):
        check_staged_file(version)
        # the checkpoint fabric.save wrote is the one W&B recorded
        written = wandb_offline.root / "checkpoints" / f"epoch={epoch}.ckpt"
        assert version.file("model.ckpt").digest == wandb_digest(written)
    assert len({v.file("model.ckpt").digest for v in versions}) == 3
