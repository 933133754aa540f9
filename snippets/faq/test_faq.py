"""The FAQ's scripts: what W&B records without extra code, read back from the offline run."""

import pytest

from snippets.faq import faq_fabric, faq_trainer
from tested_docs import RecordedRun


def records(run: RecordedRun, kind: str) -> list[dict]:
    return [record[kind] for record in run.records if record.get("type") == kind]


def check_recorded_for_free(run: RecordedRun, printed: str) -> None:
    """What every run gets from wandb itself, whichever Lightning API drives it."""
    assert run.exit_code == 0
    assert run.project == "lightning-faq"
    # requirements.txt (pip freeze) is listed for upload; output.log holds the console
    assert "requirements.txt" in run.files
    requirements = (run.files_dir / "requirements.txt").read_text()
    assert "lightning==" in requirements and "wandb==" in requirements
    # Console output: every line printed to stdout/stderr, as output records
    lines = [
        r["line"] for r in records(run, "output_raw") if r["output_type"] == "STDOUT"
    ]
    assert any(line.startswith(printed) for line in lines)
    # System metrics (CPU, memory, disk, network; GPU where there is one)
    stats = records(run, "stats")
    assert stats and "memory_percent" in stats[0]["item"]
    # Hardware and software: OS, Python, CPU count, memory
    environment = {k: v for r in records(run, "environment") for k, v in r.items()}
    assert environment["python"].startswith("CPython 3.")
    assert environment["cpu_count"] >= 1 and int(environment["memory"]["total"]) > 0


def check_trainer_run(run: RecordedRun) -> None:
    check_recorded_for_free(run, "best checkpoint: ")
    assert run.config == {"hidden": 64, "lr": 0.01}  # from save_hyperparameters()
    assert len(run.column("train_loss")) == 4 and len(run.column("val_accuracy")) == 2
    assert run.metrics["*"].step_metric == "trainer/global_step"
    # log_model=True: the checkpoint, logged as an artifact when training ends
    (checkpoint,) = run.artifacts
    assert checkpoint.name == f"model-{run.run_id}" and checkpoint.type == "model"
    assert set(checkpoint.aliases) >= {"latest", "best"}
    assert checkpoint.file("model.ckpt").size > 0


def check_fabric_run(run: RecordedRun) -> None:
    check_recorded_for_free(run, "checkpoint: last.ckpt after 48 steps")
    assert run.config == {"hidden": 64, "lr": 0.01, "epochs": 2}  # log_hyperparams
    assert run.column("trainer/global_step") == [10, 20, 30, 40]
    assert (
        run.artifacts == []
    )  # Fabric logs no checkpoint for you, even after fabric.save


def test_trainer(wandb_offline, accelerator):
    faq_trainer.main(accelerator=accelerator)
    check_trainer_run(wandb_offline.run())


def test_fabric(wandb_offline, accelerator):
    faq_fabric.main(accelerator=accelerator)
    check_fabric_run(wandb_offline.run())


@pytest.mark.parametrize(
    ("script", "check"),
    [(faq_trainer, check_trainer_run), (faq_fabric, check_fabric_run)],
    ids=["trainer", "fabric"],
)
def test_runs_as_a_script(wandb_offline, script, check):
    wandb_offline.run_script(script.__file__)
    run = wandb_offline.run()
    check(run)
    program = {k: v for r in records(run, "environment") for k, v in r.items()}[
        "program"
    ]
    assert program.endswith(f"{script.__name__.rsplit('.', 1)[-1]}.py")
