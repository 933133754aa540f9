"""The FAQ's scripts: what W&B records without extra code, read back from the offline run.

Each value is checked against its source: the script that ran, what it printed and saved,
the packages it ran with, the process and the machine it ran on.
"""

import os
import platform
import shutil
import subprocess
from pathlib import Path

import lightning
import pytest
import wandb

from tested_docs import RecordedRun, wandb_digest

HERE = Path(__file__).parent


def records(run: RecordedRun, kind: str) -> list[dict]:
    return [record[kind] for record in run.records if record.get("type") == kind]


def check_recorded_for_free(
    run: RecordedRun, script: Path, printed: str, accelerator: str
) -> None:
    """What every run gets from wandb itself, whichever Lightning API drives it."""
    assert run.exit_code == 0
    assert run.project == "lightning-faq"
    # requirements.txt: the packages installed where the script ran, with their versions
    assert "requirements.txt" in run.files
    requirements = (run.files_dir / "requirements.txt").read_text().splitlines()
    assert f"lightning=={lightning.__version__}" in requirements
    assert f"wandb=={wandb.__version__}" in requirements
    # Console output: the line the script printed, word for word, from standard output
    stdout = "".join(
        r.get("line", "")
        for r in records(run, "output_raw")
        if r["output_type"] == "STDOUT"
    )
    assert printed + "\n" in stdout
    # Hardware and software: this script, this Python, this machine's CPUs and memory
    environment = {k: v for r in records(run, "environment") for k, v in r.items()}
    assert environment["program"] == str(script)
    assert environment["python"] == f"CPython {platform.python_version()}"
    assert environment["cpu_count_logical"] == os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert int(environment["memory"]["total"]) == memory
    # System metrics, sampled while the run was open: the script's own process among them
    stats = [r["item"] for r in records(run, "stats")]
    assert stats and all(item["proc.memory.rssMB"] > 0 for item in stats)
    if accelerator == "gpu":  # GPUs where there are any
        assert any(key.startswith("gpu.") for item in stats for key in item)


def test_trainer(wandb_offline, accelerator, torch_device):
    script = HERE / "faq_trainer.py"
    namespace = wandb_offline.run_script(script)
    trainer = namespace["trainer"]
    assert trainer.strategy.root_device.type == torch_device
    best = trainer.checkpoint_callback.best_model_path
    run = wandb_offline.run()
    check_recorded_for_free(run, script, f"best checkpoint: {best}", accelerator)
    # save_hyperparameters() -> config
    assert (
        run.config
        == dict(trainer.lightning_module.hparams)
        == {"hidden": 64, "lr": 0.01}
    )
    # self.log -> metrics against trainer/global_step: 24 steps an epoch, 2 epochs
    assert run.metrics["*"].step_metric == "trainer/global_step"
    assert run.steps("train_loss") == [
        9,
        19,
        29,
        39,
    ]
    assert run.steps("val_accuracy") == [23, 47]
    assert run.summary["val_accuracy"] == pytest.approx(
        trainer.callback_metrics["val_accuracy"].item()
    )
    # log_model=True: the checkpoint the Trainer wrote, logged as an artifact at the end
    (checkpoint,) = run.artifacts
    assert checkpoint.name == f"model-{run.run_id}" and checkpoint.type == "model"
    assert set(checkpoint.aliases) >= {"latest", "best"}
    assert checkpoint.file("model.ckpt").digest == wandb_digest(best)


def test_fabric(wandb_offline, accelerator, torch_device):
    script = HERE / "faq_fabric.py"
    namespace = wandb_offline.run_script(script)
    assert namespace["fabric"].device.type == torch_device
    steps = namespace["step"]
    assert steps == 2 * 24  # 2 epochs of 24 batches
    run = wandb_offline.run()
    printed = f"checkpoint: last.ckpt after {steps} steps"
    check_recorded_for_free(run, script, printed, accelerator)
    # log_hyperparams -> config
    assert run.config == namespace["config"] == {"hidden": 64, "lr": 0.01, "epochs": 2}
    # log_dict -> metrics, at the steps the loop passed
    assert run.column("trainer/global_step") == list(range(10, steps + 1, 10))
    assert run.column("epoch") == [0, 0, 1, 1]
    # fabric.save wrote a checkpoint, but Fabric logs no artifact for you
    assert (wandb_offline.root / "last.ckpt").stat().st_size > 0
    assert run.artifacts == []


def git(repo: Path, *words: str) -> str:
    command = ["git", "-c", "user.name=Reader", "-c", "user.email=reader@example.com"]
    done = subprocess.run(
        [*command, *words], cwd=repo, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def environment(run: RecordedRun) -> dict:
    return {k: v for r in records(run, "environment") for k, v in r.items()}


def test_git(wandb_offline, accelerator, torch_device, monkeypatch):
    """faq_git.py, run in a git repository with an uncommitted change: the commit, the
    diff.patch and (for a script inside the repository) the code; none of it with git off."""
    monkeypatch.delenv(
        "WANDB_DISABLE_GIT"
    )  # the fixture turns git off for every other test
    repo = wandb_offline.root
    # The reader's repository: their script committed, then edited without a commit
    script = repo / "faq_git.py"
    shutil.copy(HERE / "faq_git.py", script)
    git(repo, "init", "-q")
    git(repo, "add", "faq_git.py")
    git(repo, "commit", "-q", "-m", "train for one epoch")
    commit = git(repo, "rev-parse", "HEAD")
    edited = script.read_text().replace("max_epochs=1", "max_epochs=2", 1)
    script.write_text(edited)
    wandb_offline.run_script(script)
    # The site's own copy, run from the same repository but lying outside it
    namespace = wandb_offline.run_script(HERE / "faq_git.py")
    assert namespace["trainer"].strategy.root_device.type == torch_device
    inside, inside_off, outside, outside_off = wandb_offline.runs()
    for run in (inside, outside):
        assert run.exit_code == 0 and run.project == "lightning-faq"
        assert environment(run)["git"] == {"commit": commit}
        patch = (run.files_dir / "diff.patch").read_text()
        assert "diff.patch" in run.files
        assert "-trainer = L.Trainer(logger=wandb_logger, max_epochs=1," in patch
        assert "+trainer = L.Trainer(logger=wandb_logger, max_epochs=2," in patch
    # The edited script is what ran (2 epochs), and save_code saved it as it ran
    assert len(inside.column("val_accuracy")) == 2
    assert (inside.files_dir / "code" / "faq_git.py").read_text() == edited
    # The site's unedited copy ran for one epoch, and still records the repository's diff
    assert len(outside.column("val_accuracy")) == 1
    # disable_git=True: no commit, no diff.patch
    for run in (inside_off, outside_off):
        assert run.exit_code == 0
        assert "git" not in environment(run)
        assert "diff.patch" not in run.files
        assert not (run.files_dir / "diff.patch").exists()
    # WANDB_DISABLE_GIT=true is read into that same setting
    monkeypatch.setenv("WANDB_DISABLE_GIT", "true")
    wandb.teardown()
    assert wandb.setup().settings.disable_git is True
