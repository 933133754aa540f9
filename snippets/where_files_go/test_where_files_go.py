"""Where files go: the real tree on disk after each script, and what W&B recorded about it.

The `wandb_offline` fixture points WANDB_DIR, WANDB_DATA_DIR, WANDB_CACHE_DIR and
WANDB_ARTIFACT_DIR at folders under its root; a test moves one of them with monkeypatch
(as a reader's `export` would) to show which setting wins. The scripts never touch the
environment.
"""

import re
import sys
from pathlib import Path

import lightning as L
import pytest
import wandb
from lightning.pytorch.loggers import WandbLogger as TrainerWandbLogger
from wandb.integration.lightning.fabric import WandbLogger as FabricWandbLogger

from tested_docs import RecordedRun, read_runs, wandb_digest
from tested_docs.snippets import shell_commands

HERE = Path(__file__).parent
SHELL = HERE / "where_files_go.sh"
PROJECT = "where-files-go"


def printed(out: str, label: str) -> list[Path]:
    return [
        Path(line.split(": ", 1)[1])
        for line in out.splitlines()
        if line.startswith(label)
    ]


def check_staged_checkpoint(run: RecordedRun, checkpoint: Path, data_dir: Path) -> None:
    """The run logged `checkpoint` as model-<run id>; W&B's copy waits in the staging folder."""
    (model,) = run.artifacts
    assert (model.name, model.type) == (f"model-{run.run_id}", "model")
    entry = model.file("model.ckpt")
    assert entry.local_path.parent == data_dir / "artifacts" / "staging"
    assert entry.local_path.read_bytes() == checkpoint.read_bytes() != b""
    assert entry.digest == wandb_digest(checkpoint)


def test_trainer(wandb_offline, accelerator, torch_device, monkeypatch, capsys):
    """`python where_trainer.py` from a working folder, with WANDB_DIR exported elsewhere."""
    root = wandb_offline.root
    work, wandb_dir = root / "work", root / "exported-wandb-dir"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("WANDB_DIR", str(wandb_dir))
    namespace = wandb_offline.run_script(HERE / "where_trainer.py")
    out = capsys.readouterr().out

    # save_dir="outputs" wins over WANDB_DIR; save_dir=None lets WANDB_DIR decide
    (first,) = read_runs(work / "outputs")
    (second,) = read_runs(wandb_dir)
    assert not (work / "wandb").exists()
    assert first.path.parent == work / "outputs" / "wandb"
    assert second.path.parent == wandb_dir / "wandb"
    assert [p.resolve() for p in printed(out, "run folder:")] == [
        first.path,
        second.path,
    ]
    for run in (first, second):
        assert run.exit_code == 0 and run.project == PROJECT
        assert re.fullmatch(rf"offline-run-\d{{8}}_\d{{6}}-{run.run_id}", run.path.name)
        assert (run.path / f"run-{run.run_id}.wandb").is_file()
        assert len(run.column("train_loss")) == 4  # 48 steps, every 10
        assert len(run.column("val_accuracy")) == 2

    # the Trainer's own choice: <save_dir>/<project>/<run id>/checkpoints/
    # and ModelCheckpoint(dirpath=...) for the second run; never version_None
    first_ckpt = work / "outputs" / PROJECT / first.run_id / "checkpoints"
    second_ckpt = work / "checkpoints" / second.run_id
    assert [p.name for p in first_ckpt.iterdir()] == ["epoch=1-step=48.ckpt"]
    assert [p.name for p in second_ckpt.iterdir()] == ["epoch=1-step=48.ckpt"]
    assert [(work / p).resolve() for p in printed(out, "checkpoint:")] == [
        first_ckpt / "epoch=1-step=48.ckpt",
        second_ckpt / "epoch=1-step=48.ckpt",
    ]
    assert not list(root.rglob("*None*"))
    assert not (work / PROJECT).exists()  # save_dir=None, dirpath given: nothing else

    # log_model=True: each run's best checkpoint, copied into WANDB_DATA_DIR for upload
    check_staged_checkpoint(first, first_ckpt / "epoch=1-step=48.ckpt", root / "data")
    check_staged_checkpoint(second, second_ckpt / "epoch=1-step=48.ckpt", root / "data")
    assert first.artifacts[0].metadata["original_filename"] == "epoch=1-step=48.ckpt"
    # WANDB_CACHE_DIR holds W&B's service log; nothing was downloaded to WANDB_ARTIFACT_DIR
    assert list((root / "cache" / "wandb" / "logs").glob("core-debug-*.log"))
    assert not list((root / "artifacts").iterdir())
    trainer = namespace["trainer"]
    assert trainer.strategy.root_device.type == torch_device
    check_default_root_dir(namespace, root, wandb_dir)


def test_fabric(wandb_offline, accelerator, torch_device, capsys):
    """`python where_fabric.py`: the same layout, with the checkpoint path built by hand."""
    root = wandb_offline.root
    namespace = wandb_offline.run_script(HERE / "where_fabric.py")
    out = capsys.readouterr().out
    (run,) = read_runs(root / "outputs")
    assert not (root / "wandb").exists()  # save_dir="outputs" wins over WANDB_DIR
    assert run.exit_code == 0 and run.project == PROJECT
    assert run.path.parent == root / "outputs" / "wandb"
    assert printed(out, "run folder:")[0].resolve() == run.path
    assert run.column("trainer/global_step") == [10, 20, 30, 40]
    assert run.column("epoch") == [0, 0, 1, 1]  # 24 batches an epoch

    checkpoint = (
        root / "outputs" / PROJECT / run.run_id / "checkpoints" / "epoch=1-step=48.ckpt"
    )
    assert [p.resolve() for p in (checkpoint.parent).iterdir()] == [checkpoint]
    assert (root / printed(out, "checkpoint:")[0]).resolve() == checkpoint
    check_staged_checkpoint(run, checkpoint, root / "data")
    assert run.artifacts[0].aliases == ("latest",)
    assert namespace["fabric"].device.type == torch_device


@pytest.mark.parametrize("logger_class", [TrainerWandbLogger, FabricWandbLogger])
def test_version_is_none_until_the_run_starts(wandb_offline, logger_class):
    """A path built from `logger.version` before the run starts holds None."""
    logger = logger_class(project=PROJECT, save_dir="outputs")
    assert logger.version is None
    assert Path(logger.save_dir, logger.name, str(logger.version)).name == "None"
    run_id = logger.experiment.id
    assert logger.version == run_id
    wandb.finish()


def check_default_root_dir(namespace: dict, root: Path, wandb_dir: Path) -> None:
    """save_dir=None (and no dir=): checkpoints go under the Trainer's default_root_dir."""
    logger = TrainerWandbLogger(project=PROJECT, save_dir=None)
    trainer = L.Trainer(
        logger=logger,
        default_root_dir=root / "lightning-root",
        max_steps=1,
        log_every_n_steps=1,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    train_loader, val_loader = namespace["digits_loaders"]()
    trainer.fit(namespace["DigitsClassifier"](), train_loader, val_loader)
    run_id = logger.experiment.id
    wandb.finish()
    folder = root / "lightning-root" / PROJECT / run_id / "checkpoints"
    assert Path(trainer.checkpoint_callback.dirpath) == folder
    assert [p.name for p in folder.iterdir()] == ["epoch=0-step=1.ckpt"]
    # the run itself follows WANDB_DIR
    assert [run.run_id for run in read_runs(wandb_dir)][-1] == run_id


def test_the_folders_and_their_defaults(monkeypatch, tmp_path):
    """W&B's own functions: each variable wins, else the defaults the page gives (Linux)."""
    from wandb import env

    for name in (
        "WANDB_DATA_DIR",
        "WANDB_CACHE_DIR",
        "WANDB_ARTIFACT_DIR",
        "WANDB_DIR",
    ):
        monkeypatch.setenv(name, str(tmp_path / name))
    assert env.get_data_dir() == str(tmp_path / "WANDB_DATA_DIR")
    assert env.get_cache_dir() == tmp_path / "WANDB_CACHE_DIR"
    assert env.get_artifact_dir() == str(tmp_path / "WANDB_ARTIFACT_DIR")
    assert env.get_dir() == str(tmp_path / "WANDB_DIR")

    for name in (
        "WANDB_DATA_DIR",
        "WANDB_CACHE_DIR",
        "WANDB_ARTIFACT_DIR",
        "WANDB_DIR",
    ):
        monkeypatch.delenv(name)
    for name in ("XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    if sys.platform.startswith("linux"):
        assert env.get_data_dir() == str(tmp_path / "home/.local/share/wandb")
        assert env.get_cache_dir() == tmp_path / "home/.cache/wandb"
    assert env.get_artifact_dir() == str(tmp_path / "artifacts")
    assert env.get_dir() is None


def test_shell_snippet_exports_the_four_folders():
    exported = [words for words in shell_commands(SHELL, "env") if words[0] == "export"]
    assert [words[1].split("=")[0] for words in exported] == [
        "WANDB_DIR",
        "WANDB_DATA_DIR",
        "WANDB_CACHE_DIR",
        "WANDB_ARTIFACT_DIR",
    ]


def test_cleanup_commands(wandb_offline, tmp_path):
    """Each `wandb` line of the page: its options are in `--help`, and it does what it says."""
    wandb_cli = wandb_offline.cli
    commands = shell_commands(SHELL, "cleanup")
    assert [c[:3] for c in commands] == [
        ["wandb", "artifact", "cache"],
        ["wandb", "artifact", "cache"],
        ["wandb", "clean", "--min-hours"],
    ]
    for command in commands:
        words = [
            w for w in command[1:] if not w.startswith("-") and not re.match(r"\d", w)
        ]
        helped = wandb_cli(*words, "--help", env={})
        assert helped.returncode == 0, helped.stderr
        for option in (w for w in command if w.startswith("--")):
            assert option in helped.stdout, (command, option)
    # the page: older pages' `wandb sync --clean` fails in wandb 0.31, pointing to `wandb clean`
    assert "--clean" not in wandb_cli("sync", "--help", env={}).stdout
    done = wandb_cli("sync", "--clean", env={})
    assert done.returncode == 1
    assert "Use `wandb clean` instead of `wandb sync --clean`" in done.stderr

    # A cache of 3 MB and a temporary file: cleanup to 10GB keeps all, to 1MB drops the file
    cache = tmp_path / "cache"
    stored = cache / "artifacts" / "obj" / "md5" / "ab" / "cdef"
    temporary = cache / "artifacts" / "tmp" / "partial-download"
    for path, size in ((stored, 3_000_000), (temporary, 10)):
        path.parent.mkdir(parents=True)
        path.write_bytes(b"x" * size)
    env = {"WANDB_CACHE_DIR": str(cache)}
    assert wandb_cli(*commands[0][1:], env=env).returncode == 0
    assert stored.is_file() and temporary.is_file()
    assert wandb_cli(*commands[1][1:], env=env).returncode == 0
    assert stored.is_file() and not temporary.exists()
    done = wandb_cli("artifact", "cache", "cleanup", "1MB", env=env)
    assert done.returncode == 0 and "Reclaimed 3.0MB of space" in done.stderr
    assert not stored.exists()
