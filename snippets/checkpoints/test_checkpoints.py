"""The Checkpoints page: every saved checkpoint is recorded as a `model` artifact version."""

import pytest

from snippets.checkpoints import checkpoints_fabric, checkpoints_trainer
from tested_docs import Artifact, RecordedRun, wandb_digest


def check_checkpoint_file(version: Artifact) -> None:
    """One file, model.ckpt, whose recorded digest is that of the staged bytes on disk."""
    assert [f.path for f in version.files] == ["model.ckpt"]
    entry = version.file("model.ckpt")
    assert entry.local_path is not None and entry.local_path.is_file()
    assert "staging" in entry.local_path.parts
    assert entry.size == entry.local_path.stat().st_size > 0
    assert entry.digest == wandb_digest(entry.local_path)


def check_aliases(run: RecordedRun, name: str, score_key: str) -> None:
    versions = run.artifact_versions(name)
    scores = [v.metadata[score_key] for v in versions]
    assert run.alias_holder(name, "latest") == versions[-1]
    best = run.alias_holder(name, "best")
    assert best.metadata[score_key] == max(scores)
    # "best" is only handed to a version that beat every version logged before it
    for i, version in enumerate(versions):
        if "best" in version.aliases:
            assert scores[i] == max(scores[: i + 1])


def improvements(values: list[float]) -> list[int]:
    """Indexes of the epochs that beat every epoch before them (ModelCheckpoint's saves)."""
    return [i for i, v in enumerate(values) if all(v > u for u in values[:i])]


def check_trainer_run(run: RecordedRun, log_model: bool | str = "all") -> None:
    assert run.exit_code == 0
    name = f"model-{run.run_id}"
    assert {a.name for a in run.artifacts} == {name}
    versions = run.artifact_versions(name)
    assert {v.type for v in versions} == {"model"}
    accuracies = run.column("val_accuracy")
    assert len(accuracies) == 2
    saved = improvements(accuracies)  # save_top_k=1, mode="max": a save per new best
    if log_model == "all":
        assert len(versions) == len(saved)
        assert [v.metadata["score"] for v in versions] == pytest.approx(
            [accuracies[i] for i in saved]
        )
        assert [v.metadata["original_filename"] for v in versions] == [
            f"epoch={i}-step={24 * (i + 1)}.ckpt" for i in saved
        ]
    else:  # log_model=True: once, at the end, the top-k checkpoint(s) still on disk
        assert len(versions) == 1
        assert versions[0].metadata["score"] == pytest.approx(max(accuracies))
    for version in versions:
        assert version.metadata["ModelCheckpoint"]["monitor"] == "val_accuracy"
        assert version.metadata["ModelCheckpoint"]["mode"] == "max"
        check_checkpoint_file(version)
    check_aliases(run, name, "score")


def check_fabric_run(run: RecordedRun) -> None:
    assert run.exit_code == 0
    name = f"model-{run.run_id}"
    versions = run.artifact_versions(name)
    assert {a.name for a in run.artifacts} == {name}
    assert {v.type for v in versions} == {"model"}
    accuracies = run.column("val_accuracy")
    assert len(versions) == len(accuracies) == 2  # one checkpoint per epoch
    assert [v.metadata["val_accuracy"] for v in versions] == accuracies
    assert run.column("trainer/global_step") == [24, 48]
    for epoch, version in enumerate(versions):
        check_checkpoint_file(version)
        # the checkpoint fabric.save wrote is the one W&B recorded
        saved = run.path.parents[1] / "checkpoints" / f"epoch={epoch}.ckpt"
        assert version.file("model.ckpt").digest == wandb_digest(saved)
    check_aliases(run, name, "val_accuracy")


@pytest.mark.parametrize("log_model", ["all", True])
def test_trainer(wandb_offline, accelerator, log_model):
    checkpoints_trainer.main(accelerator=accelerator, log_model=log_model)
    check_trainer_run(wandb_offline.run(), log_model)


def test_fabric(wandb_offline, accelerator):
    checkpoints_fabric.main(accelerator=accelerator)
    check_fabric_run(wandb_offline.run())


@pytest.mark.parametrize(
    ("script", "check"),
    [(checkpoints_trainer, check_trainer_run), (checkpoints_fabric, check_fabric_run)],
    ids=["trainer", "fabric"],
)
def test_runs_as_a_script(wandb_offline, script, check):
    wandb_offline.run_script(script.__file__)
    check(wandb_offline.run())
