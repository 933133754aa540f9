"""The multi-GPU page's DDP scripts, each run as its own `python` process with two ranks.

DDP starts the second rank by running the script file again, so these scripts cannot run
in-process: `run_process` runs them as `python script.py --accelerator ...`, with a timeout, so a
rank that hangs fails the test instead of stalling the suite.
"""

import math
import textwrap

import pytest
import torch

from snippets.multi_gpu import ddp_fabric, ddp_trainer
from tested_docs import RecordedRun

TIMEOUT_S = 240  # a run takes about 20 s alone, 90 s on two cores shared with others
RANKS = 2
TRAIN, VAL, BATCH, EPOCHS = 1500, 297, 64, 2
# The DistributedSampler gives each rank ceil(1500 / 2) samples: 12 batches of 64 an epoch.
STEPS_PER_EPOCH = math.ceil(math.ceil(TRAIN / RANKS) / BATCH)


def needs_two_devices(accelerator: str) -> None:
    if accelerator == "gpu" and torch.cuda.device_count() < RANKS:
        pytest.skip(
            f"DDP on GPU needs {RANKS} CUDA devices, found {torch.cuda.device_count()}"
        )


def check_ddp_run(run: RecordedRun, steps: list[int], val_steps: list[int]) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-ddp"
    assert run.config["hidden"] == 64 and run.config["lr"] == 0.01
    # Rank zero logs the job's steps: 12 an epoch, not 24, because each rank did half the work.
    logged = run.column("trainer/global_step")
    assert logged == sorted(logged)
    assert [row["trainer/global_step"] for row in run.rows_with("train_loss")] == steps
    assert [
        row["trainer/global_step"] for row in run.rows_with("val_accuracy")
    ] == val_steps
    accuracies = run.column("val_accuracy")
    assert 0.8 < accuracies[-1] <= 1.0  # over both ranks' halves; chance is 0.1
    assert run.summary["val_accuracy"] == accuracies[-1]
    assert run.column("train_loss")[-1] < run.column("train_loss")[0]
    # The run folder reached every rank: each wrote its note, rank zero saved them all.
    for rank in range(RANKS):
        assert f"rank-{rank}.txt" in run.files
        note = (run.files_dir / f"rank-{rank}.txt").read_text()
        assert note.startswith(f"rank {rank} of {RANKS} on ")


def check_trainer_run(run: RecordedRun) -> None:
    last = (
        EPOCHS * STEPS_PER_EPOCH - 1
    )  # the Trainer logs global_step before the increment
    check_ddp_run(
        run,
        steps=list(range(3, last + 1, 4)),  # log_every_n_steps=4
        val_steps=[STEPS_PER_EPOCH * (e + 1) - 1 for e in range(EPOCHS)],
    )


def check_fabric_run(run: RecordedRun) -> None:
    last = EPOCHS * STEPS_PER_EPOCH  # the loop counts steps from 1
    check_ddp_run(
        run,
        steps=list(range(4, last + 1, 4)),
        val_steps=[STEPS_PER_EPOCH * (e + 1) for e in range(EPOCHS)],
    )
    assert run.config["epochs"] == EPOCHS


@pytest.mark.timeout(TIMEOUT_S + 60)
def test_trainer_ddp(wandb_offline, accelerator):
    needs_two_devices(accelerator)
    wandb_offline.run_process(
        ddp_trainer.__file__, "--accelerator", accelerator, timeout=TIMEOUT_S
    )
    check_trainer_run(wandb_offline.run())  # exactly one run for the two ranks


@pytest.mark.timeout(TIMEOUT_S + 60)
def test_fabric_ddp(wandb_offline, accelerator):
    needs_two_devices(accelerator)
    wandb_offline.run_process(
        ddp_fabric.__file__, "--accelerator", accelerator, timeout=TIMEOUT_S
    )
    check_fabric_run(wandb_offline.run())


@pytest.mark.timeout(TIMEOUT_S + 60)
def test_a_crash_on_rank_one_ends_the_job(wandb_offline):
    """A rank that dies must take the job down with it, never leave rank zero waiting."""
    crash = wandb_offline.root / "crash_on_rank_one.py"
    crash.write_text(
        textwrap.dedent(
            f"""\
            import importlib.util
            import os

            spec = importlib.util.spec_from_file_location("ddp", {ddp_trainer.__file__!r})
            ddp = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(ddp)
            if os.environ.get("LOCAL_RANK") == "1":  # set by Lightning for the second rank
                train = ddp.DigitsClassifier.training_step

                def training_step(self, batch, batch_idx):
                    if self.global_step == 2:
                        open("rank-1-crashed", "w").close()
                        raise RuntimeError("planted crash on rank 1")
                    return train(self, batch, batch_idx)

                ddp.DigitsClassifier.training_step = training_step
            ddp.main("cpu")
            """
        )
    )
    # run_process fails the test on a non-zero exit, and on a timeout with another message.
    with pytest.raises(pytest.fail.Exception, match=r"exited with [1-9]") as failure:
        wandb_offline.run_process(crash, timeout=TIMEOUT_S)
    assert (wandb_offline.root / "rank-1-crashed").exists(), failure.value  # our crash
    run = wandb_offline.run()  # rank zero's run, closed as failed rather than left open
    assert run.exit_code != 0
