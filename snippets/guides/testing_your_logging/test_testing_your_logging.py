"""The "Test your own logging" guide: the reader's example test passes under pytest,
fails when the logging it checks breaks, and its reader agrees with this project's.
"""

import importlib
import os
import shutil
import sys
from pathlib import Path

import lightning as L
import pytest

from snippets.guides.testing_your_logging.wandb_testing import (  # the reader's fixture
    read_wandb_run,
    wandb_dir,  # noqa: F401
)
from tested_docs import read_run

HERE = Path(__file__).parent
READER_FILES = {  # snippet file -> the name the page tells readers to save it as
    "my_training.py": "my_training.py",
    "wandb_testing.py": "wandb_testing.py",
    "conftest_example.py": "conftest.py",
    "example_tests.py": "test_my_training.py",
}


def reader_project(root: Path, my_training_source: str | None = None) -> Path:
    project = root / "reader-project"
    project.mkdir()
    for snippet, name in READER_FILES.items():
        shutil.copyfile(HERE / snippet, project / name)
    if my_training_source is not None:
        (project / "my_training.py").write_text(my_training_source)
    return project


@pytest.fixture
def reader_pytest(pytester, monkeypatch):
    """`pytest test_my_training.py` in the reader's folder, as a reader runs it: a session of its
    own (no plugin or setting of this suite), run in this process, which has imported Lightning
    already; pytester restores the imported modules afterwards."""
    for name in [k for k in os.environ if k.startswith(("WANDB_", "COV_CORE_"))]:
        monkeypatch.delenv(name)  # none of this suite's settings

    def run(my_training_source: str | None = None) -> pytest.RunResult:
        project = reader_project(pytester.path, my_training_source)
        monkeypatch.chdir(project)
        return pytester.runpytest_inprocess(
            "-q", "-p", "no:cacheprovider", "test_my_training.py"
        )

    return run


def test_example_test_passes_under_pytest(reader_pytest):
    done = reader_pytest()
    done.assert_outcomes(passed=1)


def test_example_test_fails_when_logging_breaks(reader_pytest):
    source = (HERE / "my_training.py").read_text()
    broken = source.replace('self.log("val_accuracy"', 'print("val_accuracy"')
    assert broken != source
    done = reader_pytest(broken)
    done.assert_outcomes(failed=1)
    assert "val_accuracy" in done.stdout.str()


@pytest.fixture
def reader_modules(monkeypatch):
    """The reader's files importable by their own names, as in the reader's folder."""
    monkeypatch.syspath_prepend(str(HERE))
    names = ("my_training", "wandb_testing", "conftest_example", "example_tests")
    yield {name: importlib.import_module(name) for name in names}
    for name in names:
        sys.modules.pop(name, None)


def test_example_test_in_process(wandb_dir, reader_modules, tmp_path):  # noqa: F811
    # conftest.py hands pytest the very fixture of wandb_testing.py
    conftest = reader_modules["conftest_example"]
    assert conftest.wandb_dir is reader_modules["wandb_testing"].wandb_dir
    # the fixture: offline, everything in the test's own temporary folder
    assert wandb_dir == tmp_path / "wandb" and Path.cwd() == tmp_path
    assert os.environ["WANDB_MODE"] == "offline"
    assert os.environ["WANDB_DIR"] == str(tmp_path)
    assert "WANDB_API_KEY" not in os.environ
    reader_modules["example_tests"].test_training_logs_to_wandb(wandb_dir)

    (run_dir,) = wandb_dir.glob("offline-run-*")
    theirs, ours = read_wandb_run(run_dir), read_run(run_dir)
    assert theirs["config"] == ours.config == {"hidden": 32, "lr": 0.02}
    assert theirs["history"] == ours.history and len(ours.history) > 5
    assert theirs["summary"] == ours.summary and "val_accuracy" in ours.summary


def test_my_training(wandb_offline, accelerator, torch_device, monkeypatch):
    devices = []
    fit = L.Trainer.fit

    def spy(trainer, *args, **kwargs):
        devices.append(trainer.strategy.root_device.type)
        return fit(trainer, *args, **kwargs)

    monkeypatch.setattr(L.Trainer, "fit", spy)
    wandb_offline.run_script(HERE / "my_training.py")
    run = wandb_offline.run()
    assert devices == [torch_device]
    assert run.exit_code == 0
    assert run.project == "my-project"
    assert run.config == {"hidden": 64, "lr": 0.01}
    # 3 epochs of 24 steps: val_accuracy each epoch, train_loss every 10 steps
    assert run.steps("val_accuracy") == [
        23,
        47,
        71,
    ]
    assert run.steps("train_loss") == list(range(9, 72, 10))
    assert run.summary["val_accuracy"] > 0.8
