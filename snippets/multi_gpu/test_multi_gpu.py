"""The multi-GPU page's DDP scripts, each run as its own `python` process with two ranks.

DDP starts the second rank by running the script file again, so these scripts cannot run
in-process: `run_process` runs them as `python script.py` would, with a timeout, so a rank
that hangs fails the test instead of stalling the suite. The `accelerator` fixture chooses
the device through the environment, which the script and both its ranks inherit.
"""

import ast
import math
import re
import shlex
import textwrap
from pathlib import Path

import pytest
import torch

from tested_docs import RecordedRun, wandb_digest
from tested_docs.pytest_plugin import ACCELERATOR_ENV

HERE = Path(__file__).parent
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


# What a sweep agent hands the process it starts: a file of values, named in the
# environment; rank zero's `wandb.init` reads it, the other ranks never do.
SWEEP = {"hidden": 32, "lr": 0.02}


def as_a_sweep_agent(wandb_offline, monkeypatch) -> None:
    from wandb.sdk.lib import config_util

    path = wandb_offline.root / "sweep-params.yaml"
    args = {key: {"value": value} for key, value in SWEEP.items()}
    config_util.save_config_file_from_dict(str(path), args)
    monkeypatch.setenv("WANDB_SWEEP_PARAM_PATH", str(path))


def printed(stdout: str, what: str) -> dict[int, list[tuple[int, float]]]:
    """Each rank's printed (step, value) pairs for `what`, in order.

    Both ranks print to the same stream, next to rank zero's progress bar, so the lines
    are found by pattern, not split on newlines.
    """
    pattern = rf"rank (\d+): step (\d+) {what} (\d+\.\d+(?:e-?\d+)?)"
    by_rank: dict[int, list[tuple[int, float]]] = {rank: [] for rank in range(RANKS)}
    for rank, step, value in re.findall(pattern, stdout):
        by_rank[int(rank)].append((int(step), float(value)))
    return by_rank


def printed_configs(stdout: str) -> dict[int, dict]:
    found = re.findall(r"rank (\d+): config (\{[^}]*\})", stdout)
    assert sorted(int(rank) for rank, _ in found) == list(range(RANKS)), stdout
    return {int(rank): ast.literal_eval(config) for rank, config in found}


def check_ddp_run(
    run: RecordedRun, stdout: str, steps: list[int], val_steps: list[int]
) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-ddp"
    # Both ranks trained with the sweep's values, which rank zero alone received.
    for config in printed_configs(stdout).values():
        assert config.items() >= SWEEP.items()
    assert run.config.items() >= SWEEP.items()
    # Rank zero logs the job's steps: 12 an epoch, not 24: each rank did half the work.
    logged = run.column("trainer/global_step")
    assert logged == sorted(logged)
    assert [row["trainer/global_step"] for row in run.rows_with("train_loss")] == steps
    assert [
        row["trainer/global_step"] for row in run.rows_with("val_loss")
    ] == val_steps
    accuracies = run.column("val_accuracy")
    assert len(accuracies) == len(val_steps)
    assert 0.8 < accuracies[-1] <= 1.0  # over both ranks' halves; chance is 0.1
    assert run.summary["val_accuracy"] == accuracies[-1]
    assert run.column("train_loss")[-1] < run.column("train_loss")[0]
    # The run folder reached every rank: each wrote its note, rank zero saved them all.
    for rank in range(RANKS):
        assert f"rank-{rank}.txt" in run.files
        note = (run.files_dir / f"rank-{rank}.txt").read_text()
        assert note.startswith(f"rank {rank} of {RANKS} on ")


def check_synced_and_unsynced(run: RecordedRun, stdout: str, val_offset: int) -> None:
    """val_loss is the mean of the ranks' printed values; train_loss is rank zero's.

    `val_offset` maps the step printed in validation to the step W&B recorded it at.
    """
    val = printed(stdout, "val_loss")
    # Rank zero's and rank one's values, epoch by epoch (the Trainer's sanity check
    # prints one more, before training: it is never logged).
    ranks = [val[rank][-EPOCHS:] for rank in range(RANKS)]
    assert [step for step, _ in ranks[0]] == [step for step, _ in ranks[1]]
    for row, *values in zip(run.rows_with("val_loss"), *ranks, strict=True):
        assert row["trainer/global_step"] == values[0][0] + val_offset
        losses = [loss for _, loss in values]
        assert losses[0] != losses[1]  # each rank scored its own half
        assert row["val_loss"] == pytest.approx(sum(losses) / RANKS, rel=1e-6)
        assert row["val_loss"] != pytest.approx(losses[0], rel=1e-6)
    train = {rank: dict(pairs) for rank, pairs in printed(stdout, "train_loss").items()}
    rows = run.rows_with("train_loss")
    assert rows
    for row in rows:
        step = row["trainer/global_step"]
        assert row["train_loss"] == train[0][step]  # rank zero's, exactly
        assert train[1][step] != train[0][step]


@pytest.mark.timeout(TIMEOUT_S + 60)
def test_trainer_ddp(wandb_offline, accelerator, monkeypatch):
    needs_two_devices(accelerator)
    as_a_sweep_agent(wandb_offline, monkeypatch)
    done = wandb_offline.run_process(HERE / "ddp_trainer.py", timeout=TIMEOUT_S)
    run = wandb_offline.run()  # exactly one run for the two ranks
    assert run.config == SWEEP  # save_hyperparameters in setup, logged once
    last = EPOCHS * STEPS_PER_EPOCH - 1  # the Trainer logs global_step before the +1
    val_steps = [STEPS_PER_EPOCH * (e + 1) - 1 for e in range(EPOCHS)]
    check_ddp_run(
        run,
        done.stdout,
        steps=list(range(3, last + 1, 4)),  # log_every_n_steps=4
        val_steps=val_steps,
    )
    # The Trainer records validation at the step before the one it prints there.
    check_synced_and_unsynced(run, done.stdout, val_offset=-1)
    assert printed(done.stdout, "val_loss")[0][0][0] == 0  # the sanity check's
    # log_model=True: one checkpoint, the best by val_accuracy, logged once by rank zero.
    [artifact] = run.artifacts
    assert artifact.name == f"model-{run.run_id}" and artifact.type == "model"
    assert sorted(artifact.aliases) == ["best", "latest"]
    assert artifact.metadata["score"] == pytest.approx(max(run.column("val_accuracy")))
    assert artifact.metadata["ModelCheckpoint"]["monitor"] == "val_accuracy"
    [on_disk] = (wandb_offline.root / "lightning-ddp" / run.run_id).glob(
        "checkpoints/*.ckpt"
    )
    assert artifact.metadata["original_filename"] == on_disk.name
    assert artifact.file("model.ckpt").digest == wandb_digest(on_disk)
    # No second upload from rank one: one run folder, one artifact record in it.
    assert len(wandb_offline.runs()) == 1
    assert [r["type"] for r in run.records].count("artifact") == 1
    checkpoint = torch.load(on_disk, map_location="cpu", weights_only=False)
    assert checkpoint["hyper_parameters"] == SWEEP
    # The layers were built with the sweep's hidden size.
    assert checkpoint["state_dict"]["net.0.weight"].shape == (SWEEP["hidden"], 64)


@pytest.mark.timeout(TIMEOUT_S + 60)
def test_fabric_ddp(wandb_offline, accelerator, monkeypatch):
    needs_two_devices(accelerator)
    as_a_sweep_agent(wandb_offline, monkeypatch)
    done = wandb_offline.run_process(HERE / "ddp_fabric.py", timeout=TIMEOUT_S)
    run = wandb_offline.run()
    assert run.config == {**SWEEP, "epochs": EPOCHS}
    assert printed_configs(done.stdout) == {r: run.config for r in range(RANKS)}
    last = EPOCHS * STEPS_PER_EPOCH  # the loop counts steps from 1
    check_ddp_run(
        run,
        done.stdout,
        steps=list(range(4, last + 1, 4)),
        val_steps=[STEPS_PER_EPOCH * (e + 1) for e in range(EPOCHS)],
    )
    check_synced_and_unsynced(run, done.stdout, val_offset=0)
    assert run.artifacts == []  # Fabric logs no checkpoint by itself


def test_the_page_chooses_the_cpu_as_the_tests_do():
    """The page's CPU commands set the very variables the tests' `cpu` case sets."""
    section = (HERE / "run_ddp.sh").read_text().split("# --8<-- [start:cpu]\n")[1]
    lines = section.split("# --8<-- [end:cpu]")[0].splitlines()
    commands = [shlex.split(line, comments=True) for line in lines]
    assert [words[1:] for words in commands] == [
        ["python", "ddp_trainer.py"],
        ["python", "ddp_fabric.py"],
    ]
    variables = dict(words[0].split("=") for words in commands)
    assert variables.items() <= ACCELERATOR_ENV["cpu"].items()
    assert set(variables) == set(ACCELERATOR_ENV["cpu"])


@pytest.mark.timeout(TIMEOUT_S + 60)
def test_a_crash_on_rank_one_ends_the_job(wandb_offline, monkeypatch):
    """A rank that dies must take the job down with it, never leave rank zero waiting.

    The page's script runs unchanged, through a launcher that breaks PyTorch's
    `cross_entropy` on rank one (Lightning tells each process its LOCAL_RANK). DDP starts
    rank one by running the launcher again, so the fault is planted there only.
    """
    monkeypatch.setenv("PL_TRAINER_ACCELERATOR", "cpu")
    launcher = wandb_offline.root / "crash_on_rank_one.py"
    launcher.write_text(
        textwrap.dedent(
            f"""\
            import os

            import torch.nn.functional

            if os.environ.get("LOCAL_RANK") == "1":
                cross_entropy = torch.nn.functional.cross_entropy
                calls = []

                def crashing_cross_entropy(*args, **kwargs):
                    calls.append(1)
                    if len(calls) == 3:
                        open("rank-1-crashed", "w").close()
                        raise RuntimeError("planted crash on rank 1")
                    return cross_entropy(*args, **kwargs)

                torch.nn.functional.cross_entropy = crashing_cross_entropy
            # Not runpy: it would make the script, not this launcher, sys.argv[0], the
            # file DDP runs again for rank one.
            path = {str(HERE / "ddp_trainer.py")!r}
            with open(path) as script:
                code = compile(script.read(), path, "exec")
            exec(code, {{"__name__": "__main__", "__file__": path}})
            """
        )
    )
    # run_process fails the test on a non-zero exit, and on a timeout with another message.
    with pytest.raises(pytest.fail.Exception, match=r"exited with [1-9]") as failure:
        wandb_offline.run_process(launcher, timeout=TIMEOUT_S)
    assert (wandb_offline.root / "rank-1-crashed").exists(), failure.value  # our crash
    run = wandb_offline.run()  # rank zero's run, closed as failed rather than left open
    assert run.exit_code != 0
    # The run is the script's: rank zero had recorded its config before the crash, the
    # module's defaults, since no sweep agent gave it values.
    assert run.config == {"hidden": 64, "lr": 0.01}
