"""The pytest plugin behind `pytest snippets` and `pytest tests`, loaded by this project's conftest.py.

It gives every test a timeout and a network guard, each snippet test its own offline W&B world
(`wandb_offline`), and the `accelerator` cases `cpu` and `gpu`.
"""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tested_docs import netguard, warning_gate
from tested_docs.notebook_kernel import SharedKernel
from tested_docs.runs import RecordedRun, read_runs
from tested_docs.stamp import SCRIPT_PROPERTY, StampRecorder, file_hash


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "gpu: the CUDA case of a snippet test (skips without CUDA)")
    config.addinivalue_line("markers", "browser: drives a real Chromium (skips without one)")
    config.addinivalue_line("markers", "notebook: runs the notebooks the site offers in a kernel")
    # Every process: xdist workers note what they collect, the controller (or a plain run) writes.
    config.pluginmanager.register(StampRecorder(config), "tested_docs_stamp")


def skip_unless_ci(reason: str) -> None:
    """Skip, saying why; under `CI=true`, fail instead: CI never passes a check it did not run."""
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"CI=true, and this test cannot run here: {reason}", pytrace=False)
    pytest.skip(reason)


# --- network guard -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Fail any test that reaches for anything but loopback (a TCP connection, a UDP datagram, a
    name lookup), even if the code swallows the error.

    The test process and its Python children are guarded (see `tested_docs.netguard`); W&B's own
    service is pointed at a loopback port where nothing listens.
    """
    attempts: list[str] = []
    for (owner, name), replacement in netguard.guarded(attempts.append).items():
        monkeypatch.setattr(owner, name, replacement)
    log = tmp_path / "network-attempts.log"
    monkeypatch.setenv(netguard.LOG_ENV, str(log))
    paths = [str(netguard.CHILD_GUARD), *filter(None, [os.environ.get("PYTHONPATH")])]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))
    monkeypatch.setenv("WANDB_BASE_URL", netguard.closed_loopback_url())
    yield
    if log.is_file():
        attempts += [f"{line} (from a child process)" for line in log.read_text().splitlines()]
    if attempts:
        pytest.fail(f"the test tried to reach the network: {', '.join(attempts)}", pytrace=False)


@pytest.fixture(autouse=True)
def _warnings_in_children(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Child processes get this test's warning rules: a warning there fails as it would here.

    `child_guard/sitecustomize.py` (on their PYTHONPATH) installs them; see
    `tested_docs.warning_gate`.
    """
    monkeypatch.setenv(warning_gate.ENV, json.dumps(warning_gate.rules_of(request.node)))


# --- accelerators --------------------------------------------------------------------------------


ACCELERATOR_ENV = {
    "cpu": {"PL_TRAINER_ACCELERATOR": "cpu", "LT_ACCELERATOR": "cpu"},
    "gpu": {"PL_TRAINER_ACCELERATOR": "gpu", "PL_TRAINER_DEVICES": "1", "LT_ACCELERATOR": "cuda"},
}
"""How a case chooses the device from outside the script, as a reader's shell would.

The Trainer reads `PL_TRAINER_<ARG>` as the default of each argument (an argument in the code
wins); `L.Fabric()` reads `LT_ACCELERATOR`. Scripts leave the accelerator at its default, "auto".
One GPU for the Trainer case: on a machine with several, "auto" devices would start DDP.
"""


@pytest.fixture(params=["cpu", pytest.param("gpu", marks=pytest.mark.gpu)])
def accelerator(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """`"cpu"`, then `"gpu"`, chosen through the environment; GPU skips, saying why, without CUDA.

    The case is recorded in the test's `user_properties`, for the "tested with" stamp. Child
    processes (DDP) inherit the choice with the rest of the environment.
    """
    request.node.user_properties.append(("accelerator", request.param))
    if request.param == "gpu":
        import torch

        if not torch.cuda.is_available():
            pytest.skip("CUDA is not available here (torch.cuda.is_available() is False)")
        request.node.user_properties.append(("device", torch.cuda.get_device_name()))
    for name in ("PL_TRAINER_DEVICES", "LT_DEVICES", "LT_STRATEGY", "LT_PRECISION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in ACCELERATOR_ENV[request.param].items():
        monkeypatch.setenv(name, value)
    return request.param


# --- offline W&B ---------------------------------------------------------------------------------


@dataclass
class OfflineWandb:
    """One test's offline W&B world: its folders, and the runs recorded there."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)
    notes: list[tuple[str, Any]] = field(default_factory=list)
    """The test's `user_properties`: each script run is noted there, for the stamp."""
    project: Path = Path()
    kernel: SharedKernel | None = None
    """This worker's Jupyter kernel, for `run_notebook`."""

    def _note(self, path: str | Path) -> None:
        script = Path(path).resolve()
        name = (
            script.relative_to(self.project).as_posix()
            if script.is_relative_to(self.project)
            else str(script)
        )
        self.notes.append((SCRIPT_PROPERTY, (name, file_hash(script))))

    def runs(self) -> list[RecordedRun]:
        """Every finished run this test recorded, in the order they started."""
        return read_runs(self.root)

    def run(self) -> RecordedRun:
        """The one run this test recorded; fails when there are none or several."""
        runs = self.runs()
        assert len(runs) == 1, f"expected exactly one W&B run under {self.root}, found {len(runs)}"
        return runs[0]

    def run_script(self, path: str | Path, *args: str) -> dict[str, Any]:
        """Run a snippet as `python path args...` would, but in this process (fast, measured).

        Returns the script's global names, for the test to look into after the run. The process
        environment afterwards is the one before: what the script set (Lightning's
        `seed_everything` sets PL_GLOBAL_SEED and PL_SEED_WORKERS) would otherwise reach the
        next test and the processes it starts, as it never reaches a reader's next command.
        """
        self._note(path)
        argv, environ = sys.argv, dict(os.environ)
        sys.argv = [str(path), *args]
        try:
            return runpy.run_path(str(path), run_name="__main__")
        finally:
            sys.argv = argv
            for name in set(os.environ) - set(environ):
                del os.environ[name]
            os.environ.update(environ)

    def cli(
        self,
        *args: str,
        cwd: str | Path | None = None,
        env: dict[str, str] | None = None,
        new_process: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        """`wandb <args>` as a reader types it, in this test's folder (or `cwd`), run by wandb's
        own command line in this process: no new interpreter, so about 3 s faster a command.

        W&B's messages are shown (`WANDB_SILENT=false`); `env` adds variables for the command.
        wandb forgets its per-process settings afterwards, so the next run reads what the
        command changed (`wandb offline` writes `wandb/settings`). `new_process=True` runs it
        as `python -m wandb` instead, for what only a new process shows (its debug log file).
        """
        import traceback

        if new_process:
            return subprocess.run(
                [sys.executable, "-m", "wandb", *args],
                cwd=cwd or self.root,
                env={**os.environ, "WANDB_SILENT": "false", **(env or {})},
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )

        import wandb
        from click.testing import CliRunner
        from wandb.cli.cli import cli

        saved_cwd, saved_env = Path.cwd(), dict(os.environ)
        os.environ.update({"WANDB_SILENT": "false", **(env or {})})
        os.chdir(cwd or self.root)
        # As a new process would: settings (WANDB_SILENT...) read from the command's environment.
        wandb.teardown()
        wandb.setup()
        try:
            result = CliRunner().invoke(cli, list(args))
        finally:
            os.chdir(saved_cwd)
            wandb.teardown()
            os.environ.clear()
            # The service the command started is gone, and so is any the test had started.
            os.environ.update({k: v for k, v in saved_env.items() if k != "WANDB_SERVICE"})
        stderr = result.stderr
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            stderr += "".join(traceback.format_exception(result.exception))
        return subprocess.CompletedProcess(
            ["wandb", *args], result.exit_code, result.stdout, stderr
        )

    def run_notebook(
        self, script: str | Path, page: str | Path, times: int = 1, timeout: float = 240
    ) -> Any:
        """Make the notebook `page` offers for `script`, and run it top to bottom in this test's
        folder, `times` times, in this worker's Jupyter kernel: a namespace, folder and
        environment as new as a new kernel's (`tested_docs.notebook_kernel`).

        Returns the executed notebook; a cell that raises fails the test with its traceback.
        """
        import nbformat

        from tested_docs.notebooks import notebook

        if self.kernel is None:
            raise RuntimeError("run_notebook needs the wandb_offline fixture's shared kernel")
        script, page = Path(script).resolve(), Path(page)
        self._note(script)
        relative = script.relative_to(self.project).as_posix()
        executed = nbformat.from_dict(notebook(script, page.read_text(encoding="utf-8"), relative))
        try:
            self.kernel.get().run(executed, self.root, times=times, timeout=timeout)
        finally:
            attempts = self.kernel.new_attempts()
            if attempts:
                pytest.fail(f"the notebook's kernel tried to reach the network: {attempts}")
        return executed

    def run_process(
        self,
        path: str | Path,
        *args: str,
        timeout: float = 180,
        launcher: str | Path | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run a snippet as its own `python` process: only for scripts that spawn (DDP).

        `launcher`, when given, is the file `python` runs instead: it runs `path` as `__main__`
        after setting up what the test watches from outside (each DDP rank's values).
        """
        self._note(path)
        command = [sys.executable, str(launcher or path), *args]
        try:
            done = subprocess.run(
                command, cwd=self.root, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as error:
            pytest.fail(f"{path} did not finish within {timeout} s:\n{error.stderr}", pytrace=False)
        if done.returncode != 0:
            pytest.fail(
                f"{path} exited with {done.returncode}:\n{done.stdout[-4000:]}\n"
                + _tracebacks_first(done.stderr),
                pytrace=False,
            )
        return done


def _tracebacks_first(stderr: str, limit: int = 8000) -> str:
    """The first traceback (often the failing rank's), then the tail: neither is cut off."""
    start = stderr.find("Traceback (most recent call last)")
    if start < 0 or len(stderr) <= limit:
        return stderr[-limit:]
    first = stderr[start : start + limit // 2]
    return f"{first}\n[...]\n{stderr[-limit // 2 :]}"


@pytest.fixture(scope="session")
def _notebook_kernel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedKernel]:
    """One Jupyter kernel per worker, started by the first test that runs a notebook."""
    shared = SharedKernel(tmp_path_factory.mktemp("notebook-kernel"))
    yield shared
    shared.close()


@pytest.fixture
def wandb_offline(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    _notebook_kernel: SharedKernel,
) -> Iterator[OfflineWandb]:
    """Offline W&B in a fresh temporary folder, which is also the working directory."""
    import wandb

    root = tmp_path / "wandb-world"
    env = {
        "WANDB_MODE": "offline",
        "WANDB_DIR": str(root),
        "WANDB_DATA_DIR": str(root / "data"),
        "WANDB_CACHE_DIR": str(root / "cache"),
        "WANDB_CONFIG_DIR": str(root / "config"),
        "WANDB_ARTIFACT_DIR": str(root / "artifacts"),
        "WANDB_SILENT": "true",
        "WANDB_DISABLE_GIT": "true",
    }
    for name in env:
        if name.endswith("_DIR"):
            Path(env[name]).mkdir(parents=True, exist_ok=True)
    for name in ("WANDB_API_KEY", "WANDB_ENTITY", "WANDB_PROJECT", "WANDB_RUN_ID", "WANDB_RESUME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(root)
    wandb.teardown()  # wandb caches its settings per process: forget the previous test's folders
    world = OfflineWandb(
        root=root,
        env=env,
        notes=request.node.user_properties,
        project=request.config.rootpath,
        kernel=_notebook_kernel,
    )
    try:
        yield world
    finally:
        if wandb.run is not None:
            wandb.finish(exit_code=1)
        wandb.teardown()
