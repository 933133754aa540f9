"""The profiling page: the profiler's report, written where dirpath and filename say, saved
with the run, and the same text the profiler produced."""

import math
import re
from pathlib import Path

from tested_docs import RecordedRun

HERE = Path(__file__).parent


def report_rows(text: str) -> dict[str, tuple[str, int]]:
    """The SimpleProfiler's table: each action's mean duration (as printed) and calls."""
    rows = {}
    for line in text.splitlines():
        if line.startswith("|  "):
            cells = [cell.strip(" |") for cell in line.split("\t|")]
            if cells[0] not in ("Action", "Total"):
                rows[cells[0]] = (cells[1], int(cells[2]))
    return rows


def check_saved(run: RecordedRun, name: str, written: Path) -> str:
    """The report is one of the run's files, as the profiler wrote it."""
    assert run.exit_code == 0
    assert name in run.files
    saved = (run.files_dir / name).read_text()
    assert saved == written.read_text()
    return saved


def check_simple_report(text: str, profiler, header: str) -> dict[str, tuple[str, int]]:
    """One report (never two appended), whose rows are the profiler's own recordings."""
    assert text.startswith(header) and text.count("Profiler Report") == 1
    rows = report_rows(text)
    durations = profiler.recorded_durations
    assert rows == {
        action: (f"{math.fsum(d) / len(d):.5}", len(d))
        for action, d in durations.items()
    }
    return rows


def test_trainer(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "profiling_trainer.py")
    trainer, profiler = namespace["trainer"], namespace["profiler"]
    assert trainer.strategy.root_device.type == torch_device
    run = wandb_offline.run()
    assert run.project == "lightning-profiling"
    # dirpath/<stage>-<filename>.txt, saved under its own name (base_path=dirpath)
    written = Path(f"profiler/{run.run_id}/fit-report.txt")
    assert sorted(p.name for p in written.parent.iterdir()) == ["fit-report.txt"]
    rows = check_simple_report(
        check_saved(run, "fit-report.txt", written), profiler, "FIT Profiler Report"
    )
    # one epoch of 24 batches (1,500 images, 64 a batch), and 1 + 1 validation
    # batches: the sanity check's and the epoch's
    assert rows["run_training_epoch"][1] == 1
    assert rows["run_training_batch"][1] == 24
    assert rows["[Strategy]SingleDeviceStrategy.training_step"][1] == 24
    assert rows["[Strategy]SingleDeviceStrategy.validation_step"][1] == 2
    assert len(run.column("train_loss")) == 3
    # without dirpath, the report would go to trainer.log_dir: the logger's save_dir
    assert trainer.log_dir == namespace["wandb_logger"].save_dir == "."
    # the profiler opens its file to append: a second report would land in the same file
    profiler.describe()
    assert written.read_text().count("FIT Profiler Report") == 2


def test_trainer_advanced(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(
        HERE / "profiling_trainer.py", "--profiler", "advanced"
    )
    run = wandb_offline.run()
    written = Path(f"profiler/{run.run_id}/fit-report.txt")
    text = check_saved(run, "fit-report.txt", written)
    assert text.startswith("FIT Profiler Report")
    # cProfile's statistics for each action, one section each
    actions = re.findall(r"^Profile stats for: (.+)$", text, flags=re.MULTILINE)
    assert len(actions) == len(set(actions))
    assert {
        "run_training_epoch",
        "run_training_batch",
        "[Strategy]SingleDeviceStrategy.training_step",
    } <= set(actions)
    assert "function calls" in text and "cumulative" in text
    assert namespace["trainer"].strategy.root_device.type == torch_device


def test_fabric(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "profiling_fabric.py")
    assert namespace["fabric"].device.type == torch_device
    run = wandb_offline.run()
    written = Path(f"profiler/{run.run_id}/report.txt")
    rows = check_simple_report(
        check_saved(run, "report.txt", written),
        namespace["profiler"],
        "Profiler Report",
    )
    # the loop's four `with` blocks, each once a batch
    assert {action: calls for action, (_, calls) in rows.items()} == {
        "get_batch": 24,
        "forward": 24,
        "backward": 24,
        "optimizer_step": 24,
    }
    assert run.column("trainer/global_step") == [8, 16, 24]
