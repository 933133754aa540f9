"""One Jupyter kernel that runs many notebooks, each as a reader runs it in a new kernel.

Starting a kernel and importing lightning, torch and wandb costs seconds; running a small
notebook costs about one. So a test session keeps one kernel per worker and gives each notebook
what a new kernel would give it: an empty namespace (`%reset -f`), its own working folder, the
test's environment, and no W&B run or settings left from before. Modules stay imported: that is
the saving, and no notebook can tell (each imports what it uses).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tested_docs import netguard, warning_gate

FRESH_START = """\
%reset -f
from tested_docs.notebook_kernel import start_afresh as _start_afresh

_start_afresh({env!r}, {folder!r})
del _start_afresh
"""
"""What the test runs in the kernel before each notebook (never part of a notebook)."""

_BASELINE: list[Any] | None = None
"""In the kernel: its warning filters before any test's rules."""


def start_afresh(env: dict[str, str], folder: str) -> None:
    """In the kernel: what a new kernel would give the next notebook. No W&B run or settings
    left from before, `env` as the environment, `folder` as the working directory, and the
    test's warning rules (`tested_docs.warning_gate`) in place of the last test's."""
    global _BASELINE
    import warnings

    import wandb

    from tested_docs import warning_gate

    if wandb.run is not None:
        wandb.finish(exit_code=1)
    wandb.teardown()  # wandb keeps its settings per process: it reads them again, from `env`
    os.environ.clear()
    os.environ.update(env)
    os.chdir(folder)
    if _BASELINE is None:
        _BASELINE = list(warnings.filters)
    warnings.resetwarnings()
    warnings.filters.extend(_BASELINE)
    warning_gate.install_from_env()  # each rule added tells `warnings` the filters changed


class KernelError(RuntimeError):
    """The kernel failed to prepare for a notebook, outside the notebook's own cells."""


class NotebookKernel:
    """A running IPython kernel (nbclient, ipykernel) that notebooks take turns in."""

    def __init__(self, env: dict[str, str], cwd: Path, startup_timeout: float = 60) -> None:
        from jupyter_client import KernelManager

        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(env=env, cwd=str(cwd))
        self.client = self.manager.client()
        self.client.start_channels()
        try:
            self.client.wait_for_ready(timeout=startup_timeout)
        except Exception:
            self.close()
            raise

    def fresh_start(self, folder: Path, env: dict[str, str]) -> None:
        """An empty namespace, then `start_afresh` in the kernel."""
        errors: list[str] = []

        def watch(message: dict[str, Any]) -> None:
            if message["msg_type"] == "error":
                errors.append("\n".join(message["content"]["traceback"]))
            elif message["msg_type"] == "stream" and message["content"]["name"] == "stderr":
                errors.append(message["content"]["text"])

        code = FRESH_START.format(env=dict(env), folder=str(folder))
        reply = self.client.execute_interactive(
            code, timeout=120, output_hook=watch, allow_stdin=False
        )
        if reply["content"]["status"] != "ok" or errors:
            raise KernelError("the kernel could not start a notebook afresh:\n" + "".join(errors))

    def run(
        self,
        notebook: Any,
        folder: Path,
        times: int = 1,
        install: bool = False,
        timeout: float = 240,
    ) -> Any:
        """Run `notebook` (an nbformat notebook) top to bottom in `folder`, `times` times, in the
        environment of this process as it is now; returns it with its outputs.

        A cell that raises fails with nbclient's `CellExecutionError` (the cell and its
        traceback). Its `%pip install` cell runs only with `install`: the packages are the
        ones this process runs with, and pip takes seconds to say so.
        """
        from nbclient import NotebookClient

        # Not this process's W&B service (WANDB_SERVICE): the kernel starts its own, as a
        # reader's kernel does.
        env = {name: value for name, value in os.environ.items() if name != "WANDB_SERVICE"}
        self.fresh_start(folder, env)
        client = NotebookClient(notebook, km=self.manager, timeout=timeout, allow_errors=False)
        client.kc = self.client
        for _ in range(times):
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type == "code" and (install or not cell.source.startswith("%pip ")):
                    client.execute_cell(cell, index)
        return notebook

    def close(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


class SharedKernel:
    """The one kernel of a test session (of each xdist worker), started when a test first
    needs it, in that test's environment: its network guard and warning rules.

    The kernel's own network attempts go to one log for the session (it starts once);
    `new_attempts` hands each test the ones made since the last call. Processes the kernel
    starts (`!python ...`) log where the running test's environment says.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.log = folder / "network-attempts.log"
        self._kernel: NotebookKernel | None = None
        self._seen = 0

    def get(self) -> NotebookKernel:
        if self._kernel is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            # The warning rules come with each notebook (`start_afresh`), not at start-up.
            env = {**os.environ, netguard.LOG_ENV: str(self.log)}
            env.pop(warning_gate.ENV, None)
            self._kernel = NotebookKernel(env, cwd=self.folder)
        return self._kernel

    def new_attempts(self) -> list[str]:
        lines = self.log.read_text().splitlines() if self.log.is_file() else []
        new, self._seen = lines[self._seen :], len(lines)
        return new

    def close(self) -> None:
        if self._kernel is not None:
            self._kernel.close()
            self._kernel = None
