"""The multi-GPU page's DDP scripts, each run as its own `python` process with two ranks.

DDP starts the second rank by running the script file again, so these scripts cannot run
in-process: `run_process` runs them as `python script.py` would, with a timeout, so a rank
that hangs fails the test instead of stalling the suite. The `accelerator` fixture chooses
the device through the environment, which the script and both its ranks inherit.

What each rank computed is watched from outside: a launcher wraps Lightning's own
`LightningModule.log`, `Fabric.log_dict` and `Fabric.all_reduce`, runs the unchanged
script as `__main__`, and each rank writes what went through them to a file.
"""

import json
import math
import shlex
import signal
import textwrap
from pathlib import Path

import pytest
import torch

from tested_docs import RecordedRun, wandb_digest
from tested_docs.pytest_plugin import ACCELERATOR_ENV
from tested_docs.runs import RunReadError, read_run
from tested_docs.workarounds import as_a_sweep_trial

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
    for name, value in as_a_sweep_trial(wandb_offline.root, SWEEP).items():
        monkeypatch.setenv(name, value)


# Runs the page's script as `__main__` in every rank (DDP runs this launcher again for
# rank one), after wrapping the Lightning calls that see each rank's own values.
LAUNCHER = """\
import json
import os

import lightning as L
from lightning.pytorch import LightningModule

seen = []


def as_float(value):
    return float(value.item()) if hasattr(value, "item") else float(value)


def watch_log(log):
    def log_and_note(self, name, value, *args, **kwargs):
        trainer = self.trainer
        if not trainer.sanity_checking:
            seen.append(["log", name, trainer.global_step, as_float(value)])
        elif name == "val_loss":
            seen.append(["sanity", name, trainer.global_step, as_float(value)])
        return log(self, name, value, *args, **kwargs)

    return log_and_note


def watch_log_dict(log_dict):
    def log_dict_and_note(self, metrics, step=None):
        for name, value in metrics.items():
            seen.append(["log", name, step, as_float(value)])
        return log_dict(self, metrics, step=step)

    return log_dict_and_note


def watch_all_reduce(all_reduce):
    def all_reduce_and_note(self, data, group=None, reduce_op="mean"):
        seen.append(["all_reduce", reduce_op, None, data.tolist()])
        return all_reduce(self, data, group=group, reduce_op=reduce_op)

    return all_reduce_and_note


LightningModule.log = watch_log(LightningModule.log)
L.Fabric.log_dict = watch_log_dict(L.Fabric.log_dict)
L.Fabric.all_reduce = watch_all_reduce(L.Fabric.all_reduce)
path = {script!r}
namespace = {{"__name__": "__main__", "__file__": path}}
with open(path) as script:
    exec(compile(script.read(), path, "exec"), namespace)
if "trainer" in namespace:
    trainer = namespace["trainer"]
    rank, config = trainer.global_rank, trainer.lightning_module.hparams
else:
    rank, config = namespace["fabric"].global_rank, namespace["config"]
with open(f"rank-{{rank}}.json", "w") as out:
    json.dump({{"config": dict(config), "seen": seen}}, out)
"""


def run_watched(wandb_offline, script: Path) -> dict[int, dict]:
    """Run `script` through the launcher; return each rank's config and values seen."""
    launcher = wandb_offline.root / "watch_ranks.py"
    launcher.write_text(LAUNCHER.format(script=str(script)))
    wandb_offline.run_process(script, timeout=TIMEOUT_S, launcher=launcher)
    return {
        rank: json.loads((wandb_offline.root / f"rank-{rank}.json").read_text())
        for rank in range(RANKS)
    }


def logged(watched: dict, rank: int, name: str, kind: str = "log") -> list[tuple]:
    """(step, value) pairs rank `rank` passed to Lightning's log call for `name`."""
    return [
        (step, value)
        for what, key, step, value in watched[rank]["seen"]
        if what == kind and key == name
    ]


def check_ddp_run(
    run: RecordedRun, watched: dict, steps: list[int], val_steps: list[int]
) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-ddp"
    # Both ranks trained with the sweep's values, which rank zero alone received.
    for rank in range(RANKS):
        assert watched[rank]["config"].items() >= SWEEP.items()
    assert run.config.items() >= SWEEP.items()
    # Rank zero logs the job's steps: 12 an epoch, not 24: each rank did half the work.
    logged_steps = run.column("trainer/global_step")
    assert logged_steps == sorted(logged_steps)
    assert run.steps("train_loss") == steps
    assert run.steps("val_loss") == val_steps
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


def check_synced_and_unsynced(
    run: RecordedRun, val: list[list[float]], train: list[dict[int, float]]
) -> None:
    """val_loss is the mean of the ranks' own values; train_loss is rank zero's.

    `val` holds each rank's validation losses, epoch by epoch; `train` each rank's
    training loss by step.
    """
    rows = run.rows_with("val_loss")
    assert len(rows) == EPOCHS
    for row, *losses in zip(rows, *val, strict=True):
        assert losses[0] != losses[1]  # each rank scored its own half
        assert row["val_loss"] == pytest.approx(sum(losses) / RANKS, rel=1e-6)
        assert row["val_loss"] != pytest.approx(losses[0], rel=1e-6)
    rows = run.rows_with("train_loss")
    assert rows
    for row in rows:
        step = row["trainer/global_step"]
        assert row["train_loss"] == pytest.approx(train[0][step], rel=1e-6)
        assert train[1][step] != pytest.approx(train[0][step], rel=1e-6)


@pytest.mark.timeout(TIMEOUT_S + 60)
def test_trainer_ddp(wandb_offline, accelerator, monkeypatch):
    needs_two_devices(accelerator)
    as_a_sweep_agent(wandb_offline, monkeypatch)
    watched = run_watched(wandb_offline, HERE / "ddp_trainer.py")
    run = wandb_offline.run()  # exactly one run for the two ranks
    assert run.config == SWEEP  # save_hyperparameters in setup, logged once
    last = EPOCHS * STEPS_PER_EPOCH - 1  # the Trainer logs global_step before the +1
    val_steps = [STEPS_PER_EPOCH * (e + 1) - 1 for e in range(EPOCHS)]
    check_ddp_run(
        run,
        watched,
        steps=list(range(3, last + 1, 4)),  # log_every_n_steps=4
        val_steps=val_steps,
    )
    val = [logged(watched, rank, "val_loss") for rank in range(RANKS)]
    # Each rank's validation ran at the same step, one step past the one W&B shows.
    for rank in range(RANKS):
        assert [step - 1 for step, _ in val[rank]] == val_steps
    check_synced_and_unsynced(
        run,
        val=[[loss for _, loss in pairs] for pairs in val],
        train=[dict(logged(watched, rank, "train_loss")) for rank in range(RANKS)],
    )
    # The sanity check validates before training, at step 0, and logs nothing.
    assert [step for step, _ in logged(watched, 0, "val_loss", "sanity")] == [0]
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
    watched = run_watched(wandb_offline, HERE / "ddp_fabric.py")
    run = wandb_offline.run()
    assert run.config == {**SWEEP, "epochs": EPOCHS}
    assert [watched[rank]["config"] for rank in range(RANKS)] == [run.config] * RANKS
    last = EPOCHS * STEPS_PER_EPOCH  # the loop counts steps from 1
    check_ddp_run(
        run,
        watched,
        steps=list(range(4, last + 1, 4)),
        val_steps=[STEPS_PER_EPOCH * (e + 1) for e in range(EPOCHS)],
    )
    # What each rank handed fabric.all_reduce to average: its own validation loss
    val = [
        [value for _, value in logged(watched, rank, "mean", "all_reduce")]
        for rank in range(RANKS)
    ]
    check_synced_and_unsynced(
        run,
        val=val,
        train=[dict(logged(watched, rank, "train_loss")) for rank in range(RANKS)],
    )
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


# How rank zero meets rank one's crash: inside a collective (gloo raises there at once),
# or busy elsewhere, where only Lightning's process observer, polling every 5 s, sees it.
RANK_ZERO_AT_THE_CRASH = {
    "in_a_collective": "",
    "busy": """
if os.environ.get("LOCAL_RANK", "0") == "0":
    cross_entropy_0 = torch.nn.functional.cross_entropy
    calls_0 = []

    def busy_cross_entropy(*args, **kwargs):
        calls_0.append(1)
        if len(calls_0) == 3:
            while not os.path.exists("rank-1-crashed"):
                time.sleep(0.1)
            time.sleep(60)  # longer than the observer's poll: it acts first
        return cross_entropy_0(*args, **kwargs)

    torch.nn.functional.cross_entropy = busy_cross_entropy
""",
}


@pytest.mark.timeout(TIMEOUT_S + 60)
@pytest.mark.parametrize("rank_zero", sorted(RANK_ZERO_AT_THE_CRASH))
def test_a_crash_on_rank_one_ends_the_job(wandb_offline, monkeypatch, rank_zero):
    """A rank that dies must take the job down with it, never leave rank zero waiting.

    The page's script runs unchanged, through a launcher that breaks PyTorch's
    `cross_entropy` on rank one (Lightning tells each process its LOCAL_RANK). DDP starts
    rank one by running the launcher again, so the fault is planted there only.
    Either gloo raises in rank zero, which closes its run as failed (exit code 1), or
    Lightning's observer kills rank zero (SIGKILL), which leaves its run without an end:
    W&B shows such a run as crashed.
    """
    monkeypatch.setenv("PL_TRAINER_ACCELERATOR", "cpu")
    launcher = wandb_offline.root / "crash_on_rank_one.py"
    launcher.write_text(
        textwrap.dedent(
            """\
            import os
            import time

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
            """
        )
        + RANK_ZERO_AT_THE_CRASH[rank_zero]
        + textwrap.dedent(
            f"""
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
    with pytest.raises(pytest.fail.Exception, match=r"exited with -?\d+") as failure:
        wandb_offline.run_process(
            HERE / "ddp_trainer.py", timeout=TIMEOUT_S, launcher=launcher
        )
    assert (wandb_offline.root / "rank-1-crashed").exists(), failure.value  # our crash
    if rank_zero == "busy":
        assert f"exited with -{signal.SIGKILL.value}:" in str(failure.value)
        # Killed, rank zero could not record an end: W&B shows such a run as crashed.
        [run_dir] = (wandb_offline.root / "wandb").glob("offline-run-*")
        with pytest.raises(RunReadError, match=r"no exit record"):
            read_run(run_dir)
        return
    assert "exited with 1:" in str(failure.value)
    run = wandb_offline.run()
    assert run.exit_code == 1  # closed by rank zero itself: failed
    # The run is the script's: rank zero had recorded its config before the crash, the
    # module's defaults, since no sweep agent gave it values.
    assert run.config == {"hidden": 64, "lr": 0.01}


def test_a_module_level_wandb_call_fails_on_rank_zero_first(wandb_offline, monkeypatch):
    """`wandb.define_metric` at the top of the script, before any run: the page's rule.

    Rank zero runs the module before it starts rank one, so it is the one that fails,
    and rank one never starts.
    """
    monkeypatch.setenv("PL_TRAINER_ACCELERATOR", "cpu")
    launcher = wandb_offline.root / "define_metric_first.py"
    launcher.write_text(
        textwrap.dedent(
            f"""\
            import os

            import wandb

            open(f"reached-rank-{{os.environ.get('LOCAL_RANK', '0')}}", "w").close()
            wandb.define_metric("val_accuracy", summary="max")
            path = {str(HERE / "ddp_trainer.py")!r}
            with open(path) as script:
                code = compile(script.read(), path, "exec")
            exec(code, {{"__name__": "__main__", "__file__": path}})
            """
        )
    )
    with pytest.raises(pytest.fail.Exception, match=r"exited with 1:") as failure:
        wandb_offline.run_process(
            HERE / "ddp_trainer.py", timeout=120, launcher=launcher
        )
    assert "You must call wandb.init() before wandb.define_metric()" in str(
        failure.value
    )
    reached = sorted(p.name for p in wandb_offline.root.glob("reached-rank-*"))
    assert reached == ["reached-rank-0"]
    assert not (wandb_offline.root / "wandb").exists() or wandb_offline.runs() == []
