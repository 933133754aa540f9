"""The network guard: a connection to anything but loopback is refused and remembered.

The test process patches its sockets through the pytest plugin; every Python child of a test
(DDP ranks, `wandb sync`, a reader's pytest session) loads the same guard from `child_guard/`,
put first on its PYTHONPATH, and writes each attempt to a file the plugin reads at teardown.
Processes that are not Python (wandb-core) are kept offline by `WANDB_BASE_URL` pointing at a
closed loopback port, and in CI by a network namespace with only loopback (`unshare -n`).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

LOG_ENV = "TESTED_DOCS_NETWORK_LOG"
"""The file where a child process writes each attempt it made."""
CHILD_GUARD = Path(__file__).parent / "child_guard"
"""A folder holding `sitecustomize.py`: first on a child's PYTHONPATH, it installs the guard."""


def is_loopback(address: Any) -> bool:
    if not isinstance(address, tuple):  # AF_UNIX paths (wandb's service socket) stay local
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def guarded(report: Callable[[str], None]) -> tuple[Callable[..., None], Callable[..., int]]:
    """`socket.socket.connect` and `connect_ex` that refuse non-loopback addresses, reporting them."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def check(address: Any) -> None:
        if not is_loopback(address):
            report(repr(address))
            raise ConnectionRefusedError(f"tested_docs: network access to {address!r} is blocked")

    def connect(sock: socket.socket, address: Any) -> None:
        check(address)
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        check(address)
        return real_connect_ex(sock, address)

    return connect, connect_ex


def guard_this_process(log: str | Path) -> None:
    """Install the guard for good (a child process), appending each attempt to `log`."""

    def report(address: str) -> None:
        with open(log, "a", encoding="utf-8") as out:
            out.write(address + "\n")

    socket.socket.connect, socket.socket.connect_ex = guarded(report)  # type: ignore[method-assign]


def closed_loopback_url() -> str:
    """An http URL on loopback where nothing listens: a request there fails at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
