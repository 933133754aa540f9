"""Offline-and-sync guide: where an offline run lives, what `wandb sync` sees, restore.

The script runs as `WANDB_MODE=offline python offline_train.py` would (the fixture sets
WANDB_MODE), from a job folder that is not WANDB_DIR, so the two cannot be confused; and
once more after `wandb offline`, with no WANDB_MODE at all.

Uploading needs a W&B server and an API key. Everything `wandb sync` does before the
upload runs here: `--dry-run` listing, skipping runs already synced (their
`.wandb.synced` marker), refusing to start without an API key, and writing its log.
"""

from pathlib import Path

import pytest
import torch
import wandb
from lightning.pytorch.loggers import WandbLogger

from tested_docs import RecordedRun, wandb_digest

HERE = Path(__file__).parent


def check_offline_run(run: RecordedRun, root: Path) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-offline"
    # WANDB_DIR/wandb/offline-run-<time>-<id>/run-<id>.wandb
    assert run.path.parent == root / "wandb"
    assert run.path.name.startswith("offline-run-") and run.path.name.endswith(
        run.run_id
    )
    assert (run.path / f"run-{run.run_id}.wandb").is_file()
    assert len(run.column("val_accuracy")) == 2 and run.summary["val_accuracy"] > 0.8
    # log_model=True: the best checkpoint, staged under WANDB_DATA_DIR for the upload
    model = run.alias_holder(f"model-{run.run_id}", "best")
    assert model.type == "model" and set(model.aliases) == {"latest", "best"}
    staged = model.file("model.ckpt").local_path
    assert staged.parent == root / "data" / "artifacts" / "staging"
    assert staged.is_file() and staged.stat().st_size == model.file("model.ckpt").size


def check_best_is_synced_and_loaded(
    namespace: dict, run: RecordedRun, job: Path
) -> None:
    """What `wandb sync` will upload as "best" is the best epoch's file, the one loaded."""
    checkpoint = namespace["checkpoint"]
    scores = run.column("val_accuracy")
    assert scores[0] != scores[1]  # two epochs that can be told apart
    assert checkpoint.best_model_score == max(scores)
    best = Path(checkpoint.best_model_path)
    assert best.parent == job / "lightning-offline" / run.run_id / "checkpoints"
    model = run.alias_holder(f"model-{run.run_id}", "best")
    assert model.metadata["score"] == pytest.approx(max(scores))
    assert model.metadata["original_filename"] == best.name
    assert model.file("model.ckpt").digest == wandb_digest(best)
    state = torch.load(best, weights_only=False, map_location="cpu")
    assert best.name == f"epoch={state['epoch']}-step={state['global_step']}.ckpt"
    assert state["epoch"] == scores.index(max(scores))
    loaded = namespace["model"]
    assert loaded.hparams.hidden == 64
    for key, value in loaded.state_dict().items():
        assert torch.equal(value.cpu(), state["state_dict"][key].cpu())


def test_offline_run_on_disk(
    wandb_offline, accelerator, torch_device, capsys, monkeypatch
):
    # A job that starts in its own folder: the run still goes to WANDB_DIR.
    job = wandb_offline.root / "job"
    job.mkdir()
    monkeypatch.chdir(job)
    namespace = wandb_offline.run_script(HERE / "offline_train.py")
    run = wandb_offline.run()
    run_dir = namespace["run_dir"]
    assert run_dir.resolve() == run.path.resolve()
    check_offline_run(run, wandb_offline.root)
    assert not (job / "wandb").exists()
    assert f"wandb sync {run_dir}" in capsys.readouterr().out
    trainer = namespace["trainer"]
    assert trainer.strategy.root_device.type == torch_device
    check_best_is_synced_and_loaded(namespace, run, job)


def test_the_default_save_dir_wins_over_wandb_dir(wandb_offline, monkeypatch):
    """Why the script passes save_dir=None: WandbLogger's default "." goes to wandb.init."""
    job = wandb_offline.root / "job"
    job.mkdir()
    monkeypatch.chdir(job)
    logger = WandbLogger(project="lightning-offline")
    run_dir = Path(logger.experiment.dir).parent
    wandb.finish()
    assert run_dir.parent.resolve() == (job / "wandb").resolve()
    assert not (wandb_offline.root / "wandb").exists()


def test_what_wandb_sync_does_without_a_server(wandb_offline, monkeypatch):
    root = wandb_offline.root
    # `wandb offline` once in the folder, instead of WANDB_MODE in the environment
    monkeypatch.delenv("WANDB_MODE")
    done = wandb_offline.cli("offline", cwd=root)
    assert done.returncode == 0, done.stderr
    assert (root / "wandb" / "settings").read_text().split() == [
        "[default]",
        "mode",
        "=",
        "offline",
    ]
    run_dir = wandb_offline.run_script(HERE / "offline_train.py")["run_dir"]
    assert run_dir.name.startswith("offline-run-")
    check_offline_run(wandb_offline.run(), root)
    log = f"wandb/{run_dir.name}/run-{run_dir.name.rsplit('-', 1)[-1]}.wandb"

    # --dry-run lists what it would upload, from WANDB_DIR or from a path given
    for args in (["--dry-run"], ["--dry-run", str(run_dir)]):
        done = wandb_offline.cli("sync", *args, cwd=root)
        assert done.returncode == 0, done.stderr
        assert "Would sync 1 run(s):" in done.stderr
        assert (
            log in done.stderr or log.replace(run_dir.name, "latest-run") in done.stderr
        )

    # Uploading needs `wandb login`: it stops before any connection, and logs why
    done = wandb_offline.cli("sync", "--yes", str(run_dir), cwd=root, new_process=True)
    assert done.returncode == 1
    assert "No API key configured" in done.stderr
    (cli_log,) = (root / "wandb").glob("debug-cli.*.log")
    assert "No API key configured" in cli_log.read_text()

    # `wandb clean` never deletes a run that was not synced
    done = wandb_offline.cli("clean", "--min-hours", "0", "--force", cwd=root)
    assert done.returncode == 0 and "Skipping 1 unsynced run(s)." in done.stderr
    assert run_dir.is_dir()

    # After an upload, wandb sync leaves a marker; the test writes it as an upload would
    (run_dir / f"{log.rsplit('/', 1)[-1]}.synced").touch()
    done = wandb_offline.cli("sync", "--dry-run", cwd=root)
    assert (
        "Skipped 1 synced run(s)." in done.stderr and "No runs to sync." in done.stderr
    )
    done = wandb_offline.cli("sync", "--dry-run", "--include-synced", cwd=root)
    assert "Would sync 1 run(s):" in done.stderr
    # ...and `wandb clean` deletes synced runs' folders (never unsynced ones)
    done = wandb_offline.cli("clean", "--min-hours", "0", "--force", cwd=root)
    assert done.returncode == 0 and "Found 1 run(s) to clean." in done.stderr
    assert not run_dir.exists()


def test_sync_options_on_the_page_exist(wandb_offline):
    done = wandb_offline.cli("sync", "--help", cwd=wandb_offline.root)
    assert done.returncode == 0
    for option in ("--dry-run", "--yes", "--include-synced", "--project", "--entity"):
        assert option in done.stdout
    # options of older wandb versions that 0.31 removed: the page does not use them
    for removed in ("--sync-all", "--clean"):
        assert (
            wandb_offline.cli("sync", removed, cwd=wandb_offline.root).returncode != 0
        )
