"""The multi-node page: two "nodes" on loopback, started by torchrun and as SLURM starts them.

Each node gets a working folder (and W&B folders) of its own, as two machines would, and
every process runs with a timeout, so a launch that hangs fails the test. The torchrun
case runs the page's two commands, each as its own process. The SLURM case starts node
one's task as a process and runs node zero's task in the test's process (`run_script`),
each with the variables `srun` sets; torch's process group is taken down afterwards.
The misconfigured launches fail before any process is spawned, or within a rendezvous
timeout of two seconds. The notebook case runs in a real Jupyter kernel.
"""

import json
import os
import shlex
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from snippets.multi_gpu.test_multi_gpu import LAUNCHER, logged

HERE = Path(__file__).parent
PAGE = HERE.parents[1] / "docs" / "multi-node.md"
TIMEOUT_S = 240  # a launch takes about 15 s alone, several times that on two busy cores
NODES = 2
# The DistributedSampler gives each of the 2 ranks 750 of the 1,500 digits: 12 batches of 64.
STEPS_PER_EPOCH, EPOCHS = 12, 2
JOB_ID = "73519"
PROJECT = "lightning-multi-node"


def one_rank_per_node(accelerator: str) -> None:
    if accelerator == "gpu":
        pytest.skip(
            "two nodes on one machine would both put their local rank 0 on GPU 0; "
            "the GPU case needs two machines"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def own_folder(folder: Path) -> dict[str, str]:
    """The environment of a node whose working and W&B folders are `folder`'s own."""
    env = dict(os.environ)
    for name in ("WANDB_DIR", "WANDB_DATA_DIR", "WANDB_CACHE_DIR", "WANDB_CONFIG_DIR"):
        env[name] = str(folder / "wandb-folders" / name.lower())
        Path(env[name]).mkdir(parents=True)
    env.pop("WANDB_ARTIFACT_DIR", None)
    return env


def files_under(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
    )


def start(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait(
    processes: list[subprocess.Popen[str]], timeout: float
) -> list[tuple[int, str]]:
    """Each process's exit status and stderr; all are killed if one outlives `timeout`."""
    done = []
    try:
        for process in processes:
            _, stderr = process.communicate(timeout=timeout)
            done.append((process.returncode, stderr))
    except subprocess.TimeoutExpired:
        for process in processes:
            process.kill()
            process.communicate()
        pytest.fail(f"a node did not finish within {timeout} s", pytrace=False)
    return done


def torchrun_commands() -> list[list[str]]:
    """The page's two torchrun commands, word by word."""
    text = (HERE / "run_multi_node.sh").read_text()
    section = text.split("# --8<-- [start:torchrun]\n")[1].split(
        "# --8<-- [end:torchrun]"
    )[0]
    lines = section.replace("\\\n", " ").splitlines()
    return [
        words
        for words in map(lambda line: shlex.split(line, comments=True), lines)
        if words
    ]


def on_loopback(command: list[str], port: int, script: Path) -> list[str]:
    """A page command as the test runs it: this Python's torchrun, loopback, a free port."""
    replace = {
        "torchrun": [sys.executable, "-m", "torch.distributed.run"],
        "10.0.0.1": ["127.0.0.1"],
        "29500": [str(port)],
        "multi_node_trainer.py": [str(script)],
    }
    return [part for word in command for part in replace.get(word, [word])]


def check_run(run, steps: list[int], val_steps: list[int]) -> None:
    assert run.exit_code == 0
    assert run.steps("train_loss") == steps
    assert run.steps("val_loss") == val_steps
    accuracies = run.column("val_accuracy")
    assert len(accuracies) == EPOCHS and 0.8 < accuracies[-1] <= 1.0  # chance is 0.1
    assert run.column("train_loss")[-1] < run.column("train_loss")[0]


@pytest.mark.timeout(TIMEOUT_S + 60)
def test_torchrun_two_nodes_one_run(wandb_offline, accelerator):
    one_rank_per_node(accelerator)
    node_0, node_1 = wandb_offline.root, wandb_offline.root.parent / "node-1"
    node_1.mkdir()
    script = HERE / "multi_node_trainer.py"
    launcher = wandb_offline.root.parent / "watch_ranks.py"
    launcher.write_text(LAUNCHER.format(script=str(script)))
    port = free_port()
    first, second = torchrun_commands()
    assert [first[-1], second[-1]] == [script.name] * NODES
    processes = [
        start(on_loopback(first, port, launcher), node_0, dict(os.environ)),
        start(on_loopback(second, port, launcher), node_1, own_folder(node_1)),
    ]
    wandb_offline._note(script)
    for status, stderr in wait(processes, TIMEOUT_S):
        assert status == 0, stderr[-6000:]
    run = wandb_offline.run()  # one run, from global rank zero on node 0
    assert run.project == PROJECT
    assert run.config == {"hidden": 64, "lr": 0.01}
    last = EPOCHS * STEPS_PER_EPOCH - 1
    check_run(run, list(range(3, last + 1, 4)), [11, 23])
    # sync_dist=True: val_loss is the mean of the two nodes' own values.
    watched = [
        json.loads((node / f"rank-{rank}.json").read_text())
        for rank, node in enumerate((node_0, node_1))
    ]
    val = [
        [value for _, value in logged(watched, rank, "val_loss")]
        for rank in range(NODES)
    ]
    for row, *losses in zip(run.rows_with("val_loss"), *val, strict=True):
        assert losses[0] != losses[1]
        assert row["val_loss"] == pytest.approx(sum(losses) / NODES, rel=1e-6)
    # train_loss, not synced, is global rank zero's own.
    train = dict(logged(watched, 0, "train_loss"))
    for row in run.rows_with("train_loss"):
        assert row["train_loss"] == pytest.approx(
            train[row["trainer/global_step"]], rel=1e-6
        )
    # Where files go: the run and the checkpoint on node 0 only; nothing on node 1 but
    # the test's own note of what rank 1 logged.
    [checkpoint] = (node_0 / PROJECT / run.run_id / "checkpoints").glob("*.ckpt")
    assert checkpoint.name == f"epoch=1-step={EPOCHS * STEPS_PER_EPOCH}.ckpt"
    assert files_under(node_1) == ["rank-1.json"]


def slurm_task(rank: int, port: int, nodes: int = NODES) -> dict[str, str]:
    """The variables srun sets for task `rank` of a job of one task per node."""
    return {
        "SLURM_JOB_ID": JOB_ID,
        "SLURM_JOB_NAME": PROJECT,
        "SLURM_NNODES": str(nodes),
        "SLURM_NTASKS": str(nodes),
        "SLURM_NTASKS_PER_NODE": "1",
        "SLURM_PROCID": str(rank),
        "SLURM_NODEID": str(rank),
        "SLURM_LOCALID": "0",
        "MASTER_ADDR": "127.0.0.1",
        "MASTER_PORT": str(port),
    }


@pytest.fixture
def process_group_taken_down() -> Iterator[None]:
    """Node zero's task runs in this process: its process group must not outlive the test."""
    yield
    if torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


@pytest.mark.timeout(TIMEOUT_S + 60)
def test_slurm_two_nodes_one_run_named_by_the_job(
    wandb_offline, accelerator, monkeypatch, process_group_taken_down
):
    one_rank_per_node(accelerator)
    script = HERE / "multi_node_fabric.py"
    node_1 = wandb_offline.root.parent / "node-1"
    node_1.mkdir()
    port = free_port()
    task_1 = start(
        [sys.executable, str(script)],
        node_1,
        {**own_folder(node_1), **slurm_task(1, port)},
    )
    try:
        for name, value in slurm_task(0, port).items():
            monkeypatch.setenv(name, value)
        namespace = wandb_offline.run_script(script)
    finally:
        [(status, stderr)] = wait([task_1], TIMEOUT_S)
    assert status == 0, stderr[-6000:]
    assert namespace["fabric"].world_size == NODES
    assert namespace["fabric"].node_rank == 0
    run = wandb_offline.run()
    assert run.project == PROJECT
    # The job's id names the run, and the run asks to be resumed if it exists.
    assert run.run_id == JOB_ID
    [head] = [record["run"] for record in run.records if record["type"] == "run"]
    assert head["resume"] is True
    assert run.config == {"hidden": 64, "lr": 0.01, "epochs": EPOCHS}
    last = EPOCHS * STEPS_PER_EPOCH
    check_run(run, list(range(4, last + 1, 4)), [12, 24])
    assert files_under(node_1) == []  # rank 1 wrote nothing on its node
    # The requeued job starts the script again with the same job id: the logger asks
    # W&B for that run again. Offline, that is a second folder with the same id.
    import wandb

    wandb.init(project=PROJECT, id=JOB_ID, resume="allow").finish()
    first, again = wandb_offline.runs()
    assert (first.run_id, again.run_id) == (JOB_ID, JOB_ID)
    assert first.path != again.path


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", ["multi_node_trainer.py", "multi_node_fabric.py"])
def test_num_nodes_disagreeing_with_slurm_fails_before_any_rank_starts(
    wandb_offline, monkeypatch, name
):
    """A job of three nodes for a script that says num_nodes=2: stopped at once."""
    monkeypatch.setenv("PL_TRAINER_ACCELERATOR", "cpu")
    monkeypatch.setenv("LT_ACCELERATOR", "cpu")
    for key, value in slurm_task(0, free_port(), nodes=3).items():
        monkeypatch.setenv(key, value)
    message = (
        "You set `num_nodes=2` in Lightning, but the number of nodes configured in SLURM"
        " `--nodes=3` does not match. HINT: Set `num_nodes=3`."
    )
    with pytest.raises(ValueError) as error:
        wandb_offline.run_script(HERE / name)
    assert str(error.value) == message
    assert not torch.distributed.is_initialized()
    assert wandb_offline.runs() == []  # no run was started


@pytest.mark.timeout(60)
def test_a_main_port_in_use_fails_at_once(wandb_offline, monkeypatch):
    """MASTER_PORT taken by another program on node 0: the first rank cannot listen."""
    monkeypatch.setenv("LT_ACCELERATOR", "cpu")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for key, value in slurm_task(0, port).items():
            monkeypatch.setenv(key, value)
        with pytest.raises(torch.distributed.DistNetworkError) as error:
            wandb_offline.run_script(HERE / "multi_node_fabric.py")
    assert str(error.value).startswith(
        "The server socket has failed to listen on any local network address."
        f" port: {port}, useIpv6: false, code: -98,"
    )
    assert "name: EADDRINUSE, message: address already in use" in str(error.value)
    assert not torch.distributed.is_initialized()
    assert wandb_offline.runs() == []


@pytest.mark.timeout(60)
def test_a_node_rank_out_of_range_fails_at_the_rendezvous_timeout(wandb_offline):
    """`--node-rank 2` of `--nnodes 2`: node 1 never comes, torchrun gives up on it."""
    port = free_port()
    first, _ = torchrun_commands()
    nodes = {}
    for rank in (0, 2):
        folder = wandb_offline.root / f"node-{rank}"
        folder.mkdir()
        command = on_loopback(first, port, HERE / "multi_node_trainer.py")
        command[command.index("--node-rank") + 1] = str(rank)
        command[-1:-1] = ["--rdzv-conf", "timeout=2"]
        nodes[rank] = start(command, folder, dict(os.environ))
    (status_0, stderr_0), (status_2, stderr_2) = wait(list(nodes.values()), 60)
    assert (status_0, status_2) == (1, 1)
    assert (
        "torch.distributed.DistStoreError: wait timeout after 2000ms, keys:"
        " /none/torchelastic/role_info/0, /none/torchelastic/role_info/1"
    ) in stderr_0
    assert (
        "torch.distributed.DistStoreError: wait timeout after 2000ms, keys:"
        " /none/torchelastic/assigned_ranks/2"
    ) in stderr_2
    assert wandb_offline.runs() == []  # no worker ever started


@pytest.mark.timeout(TIMEOUT_S + 60)
def test_ddp_notebook_in_a_kernel(wandb_offline, accelerator):
    if accelerator == "gpu" and torch.cuda.device_count() < 2:
        pytest.skip(
            f"ddp_notebook on GPU needs 2 CUDA devices, found {torch.cuda.device_count()}"
        )
    executed = wandb_offline.run_notebook(HERE / "ddp_notebook_trainer.py", PAGE)
    run = wandb_offline.run()  # one run, closed by rank zero's own process
    assert run.project == "lightning-ddp-notebook"
    assert run.config == {"hidden": 64, "lr": 0.01}
    last = EPOCHS * STEPS_PER_EPOCH - 1
    check_run(run, list(range(3, last + 1, 4)), [11, 23])
    # The kernel got rank zero's last logged values back: what the run's summary holds.
    printed = "".join(
        output.get("text", "")
        for cell in executed.cells
        if "print(trainer.callback_metrics)" in cell.source
        for output in cell.outputs
    )
    for key in ("train_loss", "val_loss", "val_accuracy"):
        assert f"'{key}': tensor({run.summary[key]:.4f})" in printed
