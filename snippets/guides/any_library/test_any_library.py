"""The "Add W&B to any library" guide: tinytrain's W&B behaviours, read back from the runs."""

import importlib.util
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
import wandb
from sklearn.datasets import load_digits
from wandb.errors import UsageError

from snippets.guides.any_library import tinytrain
from tested_docs import RecordedRun, wandb_digest
from tested_docs.workarounds import PARAM_FILE_LEFT_OPEN, as_a_sweep_trial

HERE = Path(__file__).parent


def read_toml(path: Path) -> dict:
    tomllib = pytest.importorskip("tomllib", reason="tomllib needs Python 3.11+")
    return tomllib.loads(path.read_text())


INIT_CONFIG = {"hidden": 32, "lr": 0.01, "epochs": 3, "batch_size": 64}
STEPS_PER_EPOCH = -(-int(0.8 * 1797) // 64)  # 1,437 training rows, batches of 64


def write_digits(path: str = "digits.npz") -> Path:
    images, labels = load_digits(return_X_y=True)
    np.savez(path, images=images / 16.0, labels=labels)
    return Path(path)


def run_dirs(root: Path) -> list[Path]:
    return sorted(root.rglob("*run-*"))


def check_config(run: RecordedRun) -> None:
    """The hyperparameters at init; the parameter count added later by config.update."""
    records = [r for r in run.records if r.get("type") in ("run", "config")]
    at_init = records[0]["run"]["config"]["update"]
    assert {k: at_init[k] for k in INIT_CONFIG} == INIT_CONFIG
    assert "model_parameters" not in at_init
    later = [r["config"]["update"] for r in records[1:] if "config" in r]
    assert any(u.get("model_parameters") == 64 * 32 + 32 + 32 * 10 + 10 for u in later)
    assert run.config == {**INIT_CONFIG, "model_parameters": 2410}


def check_history(run: RecordedRun) -> None:
    """Every row carries global_step, the x-axis every metric is defined against."""
    assert run.metrics["*"].step_metric == "global_step"
    assert "global_step" in run.metrics
    assert all("global_step" in row for row in run.history)
    steps = run.column("global_step")
    assert steps == sorted(steps)
    assert run.column("global_step")[0] == 5  # train/loss every 5 steps
    val_rows = run.rows_with("val/accuracy")
    assert [r["global_step"] for r in val_rows] == [
        STEPS_PER_EPOCH * (e + 1) for e in range(3)
    ]
    assert [r["epoch"] for r in val_rows] == [0, 1, 2]
    assert run.summary["val/accuracy"] > 0.8  # chance is 0.1
    loss = run.column("train/loss")
    assert loss[-1] < loss[0]


def check_media(run: RecordedRun, root: Path) -> None:
    """Eight validation images an epoch, with the predictions in their captions."""
    rows = run.rows_with("val/examples._type")
    assert [r["global_step"] for r in rows] == [
        STEPS_PER_EPOCH * (e + 1) for e in range(3)
    ]
    images, labels = load_digits(return_X_y=True)
    # the validation split: the last 20% of the file trained on
    split = int(0.8 * len(labels))
    for row in rows:
        assert row["val/examples._type"] == "images/separated"
        assert row["val/examples.count"] == 8
        assert (row["val/examples.width"], row["val/examples.height"]) == (8, 8)
        captions = row["val/examples.captions"]
        assert len(captions) == 8
        for i, caption in enumerate(captions):
            assert re.fullmatch(rf"predicted \d, true {labels[split + i]}", caption)
    # the pixels, read back: the digits themselves, scaled to 0-255 (not black)
    first = rows[-1]["val/examples.filenames"][0]
    pixels = run.image(first)
    expected = np.round(images[split] / 16.0 * 255).astype(np.uint8).reshape(8, 8)
    assert np.array_equal(pixels.reshape(8, 8, -1)[..., 0], expected)


def check_artifacts(run: RecordedRun, root: Path) -> None:
    dataset = run.artifact_versions("digits")
    assert len(dataset) == 1
    assert dataset[0].type == "dataset"
    assert set(dataset[0].aliases) == {"input", "latest"}
    assert dataset[0].metadata == {"examples": 1797}
    assert dataset[0].file("digits.npz").digest == wandb_digest(root / "digits.npz")

    name = f"model-{run.run_id}"
    versions = run.artifact_versions(name)
    accuracies = run.column("val/accuracy")
    assert len(versions) == 3  # one per epoch
    for epoch, version in enumerate(versions):
        assert version.type == "model"
        assert [f.path for f in version.files] == ["model.pt"]
        assert version.metadata == {
            "val/accuracy": pytest.approx(accuracies[epoch]),
            "train/steps": STEPS_PER_EPOCH * (epoch + 1),
            "epoch": epoch,
        }
        improved = accuracies[epoch] > max(accuracies[:epoch], default=0)
        assert set(version.aliases) == {f"epoch_{epoch}", "latest"} | (
            {"best"} if improved else set()
        )
    best = run.alias_holder(name, "best")
    assert best.metadata["val/accuracy"] == pytest.approx(max(accuracies))
    last = run.alias_holder(name, "latest")
    assert last is versions[-1]
    assert last.file("model.pt").digest == wandb_digest(root / "outputs" / "model.pt")


def check_run(run: RecordedRun, root: Path) -> None:
    assert run.exit_code == 0
    assert run.project == "tinytrain"
    assert run.job_type == "train"
    assert run.group is None
    check_config(run)
    check_history(run)
    check_media(run, root)
    check_artifacts(run, root)


def test_demo_logs_to_wandb(wandb_offline, accelerator, torch_device, monkeypatch):
    if accelerator == "cpu":  # a machine without CUDA
        monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    namespace = wandb_offline.run_script(HERE / "tinytrain.py")
    run = wandb_offline.run()
    check_run(run, wandb_offline.root)
    result = namespace["result"]
    assert result["val/accuracy"] == pytest.approx(run.summary["val/accuracy"])
    assert result["best/val/accuracy"] == pytest.approx(max(run.column("val/accuracy")))
    assert namespace["trainer"].device == torch_device


def test_run_starts_first(wandb_offline):
    """wandb.init comes before the data is read: a bad path still leaves a run."""
    with pytest.raises(FileNotFoundError):
        tinytrain.Trainer(use_wandb=True).fit("missing.npz")
    wandb.finish(exit_code=1)  # what an uncaught error does at interpreter exit
    run = wandb_offline.run()
    assert run.exit_code == 1
    assert run.config == INIT_CONFIG


def test_without_the_switch_nothing_is_logged(wandb_offline):
    result = tinytrain.Trainer().fit(write_digits())
    assert result["val/accuracy"] > 0.8
    assert (wandb_offline.root / "outputs" / "model.pt").exists()
    assert run_dirs(wandb_offline.root) == []


def fresh_tinytrain():
    """Import tinytrain anew, as a user without wandb would."""
    spec = importlib.util.spec_from_file_location("tinytrain_fresh", tinytrain.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_wandb_not_installed(wandb_offline, monkeypatch):
    monkeypatch.setitem(sys.modules, "wandb", None)  # `import wandb` now fails
    with pytest.raises(ImportError):
        import wandb  # noqa: F401
    library = fresh_tinytrain()  # importing the library itself still works

    # W&B off: trains as usual
    result = library.Trainer(use_wandb=False).fit(write_digits())
    assert result["val/accuracy"] > 0.8

    # W&B on: a clear error, before any training
    (wandb_offline.root / "outputs" / "model.pt").unlink()
    with pytest.raises(ImportError, match=r"pip install wandb") as error:
        library.Trainer(use_wandb=True)
    assert "use_wandb=False" in str(error.value)
    assert isinstance(error.value.__cause__, ImportError)
    assert not (wandb_offline.root / "outputs" / "model.pt").exists()
    assert run_dirs(wandb_offline.root) == []

    # the extra the message names is the one pyproject_extras.toml declares
    extra = re.search(r"tinytrain\[(\w+)\]", str(error.value)).group(1)
    toml = read_toml(HERE / "pyproject_extras.toml")
    assert any(
        req.startswith("wandb")
        for req in toml["project"]["optional-dependencies"][extra]
    )


def test_pyproject_packages_the_file(tmp_path):
    """`pip install .` beside tinytrain.py: the wheel it builds holds the module and the extra."""
    (tmp_path / "pyproject.toml").write_text(
        (HERE / "pyproject_extras.toml").read_text()
    )
    (tmp_path / "tinytrain.py").write_text((HERE / "tinytrain.py").read_text())
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index"]
    command += ["--no-build-isolation", "--wheel-dir", "dist", "."]
    done = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = (tmp_path / "dist").glob("tinytrain-0.1.0-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("tinytrain.py") == (HERE / "tinytrain.py").read_bytes()
        metadata = archive.read("tinytrain-0.1.0.dist-info/METADATA").decode()
    # wandb is optional: required only with the extra, never by a plain install
    assert "Provides-Extra: wandb" in metadata
    assert 'Requires-Dist: wandb>=0.31; extra == "wandb"' in metadata
    assert not re.search(r"^Requires-Dist: wandb[^;]*$", metadata, re.M)
    assert "Requires-Dist: torch>=2.4" in metadata


@PARAM_FILE_LEFT_OPEN
def test_a_sweep_sets_the_hyperparameters(wandb_offline, monkeypatch):
    """Under `wandb agent`, the run's config holds W&B's values, and fit uses them."""
    for name, value in as_a_sweep_trial(
        wandb_offline.root, {"hidden": 16}, sweep_id="s1"
    ).items():
        monkeypatch.setenv(name, value)
    trainer = tinytrain.Trainer(hidden=32, use_wandb=True)
    trainer.fit(write_digits())
    run = wandb_offline.run()
    assert trainer.config["hidden"] == 16
    # the model really had 16 hidden units: 64*16 + 16 + 16*10 + 10 parameters
    assert run.config == {**INIT_CONFIG, "hidden": 16, "model_parameters": 1210}


def test_train_on_a_dataset_by_name_needs_a_server(wandb_offline):
    trainer = tinytrain.Trainer(use_wandb=True)
    with pytest.raises(
        TypeError, match=re.escape("Cannot use artifact when in offline mode.")
    ):
        tinytrain.fit_from_artifact(trainer, "me/tinytrain/digits:latest")
    # the run started, and ended with the error: nothing trained
    run = wandb_offline.run()
    assert (run.exit_code, run.project, run.job_type) == (1, "tinytrain", "train")
    assert run.history == [] and not Path("outputs").exists()


def test_download_without_a_run_needs_a_server(wandb_offline):
    with pytest.raises(UsageError, match="No API key configured"):
        tinytrain.download_without_a_run("me/tinytrain/digits:latest")
    assert run_dirs(wandb_offline.root) == []


def test_wandb_mode_disabled(wandb_offline, monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "disabled")
    wandb.teardown()  # wandb caches its settings per process
    result = tinytrain.Trainer(use_wandb=True).fit(write_digits())
    assert result["val/accuracy"] > 0.8
    assert (
        wandb_offline.root / "outputs" / "model.pt"
    ).exists()  # still trained, saved
    assert run_dirs(wandb_offline.root) == []
    assert not (wandb_offline.root / "wandb").exists()


def test_main_process_only(wandb_offline, monkeypatch):
    """Two ranks, one W&B run: rank 1 neither starts a run nor saves checkpoints.

    Each rank learns its rank as under torchrun, from RANK in its environment.
    """
    path = write_digits()
    for rank in (1, 0):
        monkeypatch.setenv("RANK", str(rank))
        trainer = tinytrain.Trainer(use_wandb=True)
        trainer.fit(path)
        assert trainer.rank == rank
        assert (trainer.run is None) == (rank != 0)
        # only the main process saves checkpoints
        assert (wandb_offline.root / "outputs" / "model.pt").exists() == (rank == 0)
    run = wandb_offline.run()
    assert len(run.rows_with("val/accuracy")) == 3  # not 6
    assert len(run.artifact_versions(f"model-{run.run_id}")) == 3


def test_one_run_per_process_in_a_group(wandb_offline, monkeypatch):
    """WANDB_RUN_GROUP set by the user: every rank logs its own run into that group."""
    path = write_digits()
    monkeypatch.setenv("WANDB_RUN_GROUP", "experiment-1")
    for rank in (0, 1):
        monkeypatch.setenv("RANK", str(rank))
        tinytrain.Trainer(use_wandb=True).fit(path)
    runs = wandb_offline.runs()
    assert [r.group for r in runs] == ["experiment-1", "experiment-1"]
    assert [r.display_name for r in runs] == ["rank-0", "rank-1"]
    assert [len(r.rows_with("val/accuracy")) for r in runs] == [3, 3]
    # only the main process uploads checkpoints
    assert [len(r.artifact_versions(f"model-{r.run_id}")) for r in runs] == [3, 0]


def test_logs_into_the_users_run(wandb_offline):
    """If the user already started a run, the library logs into it and leaves it open."""
    path = write_digits()
    with wandb.init(project="my-project", config={"owner": "me"}) as run:
        tinytrain.Trainer(use_wandb=True).fit(path)
        assert wandb.run is run  # still open: the user finishes it
        run.log({"after_fit": 1})
    recorded = wandb_offline.run()
    assert recorded.project == "my-project"
    assert recorded.config == {"owner": "me", **INIT_CONFIG, "model_parameters": 2410}
    assert recorded.summary["after_fit"] == 1
    assert len(recorded.rows_with("val/accuracy")) == 3


def test_the_page_counts_the_details_it_lists():
    """ "Four details matter here:" is followed by four of them."""
    page = (HERE.parents[2] / "docs" / "guides" / "any-library.md").read_text()
    found = re.search(r"(\w+) details matter here:\n\n(.*?)\n\n(?![- ])", page, re.S)
    assert found, "the page no longer introduces its details with a count"
    bullets = [line for line in found[2].splitlines() if line.startswith("- ")]
    numbers = {"Two": 2, "Three": 3, "Four": 4, "Five": 5, "Six": 6}
    assert numbers[found[1]] == len(bullets) == 4
