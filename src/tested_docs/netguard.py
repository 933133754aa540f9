"""The network guard: reaching anything but loopback is refused and remembered.

A TCP connection, a UDP datagram or a name lookup (DNS) for anything but loopback fails at once.

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


INTERNET = (socket.AF_INET, socket.AF_INET6)
"""The address families the guard checks (AF_UNIX, netlink and the rest never leave the machine)."""


def is_loopback(address: Any) -> bool:
    if not isinstance(address, tuple):  # AF_UNIX paths (wandb's service socket) stay local
        return True
    return is_loopback_host(address[0])


def is_loopback_host(host: Any) -> bool:
    """A name or address that never leaves this machine: "localhost", a loopback IP, or none."""
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if host is None or host in ("", "localhost") or str(host).endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def is_address(host: Any) -> bool:
    try:
        ipaddress.ip_address(str(host.decode() if isinstance(host, bytes) else host).split("%")[0])
    except ValueError:
        return False
    return True


Patches = dict[tuple[Any, str], Callable[..., Any]]


def guarded(report: Callable[[str], None]) -> Patches:
    """Replacements that refuse to reach anything but loopback, reporting each attempt.

    Keyed by (owner, attribute): TCP `connect`/`connect_ex`, UDP `sendto`/`sendmsg`, and the
    name lookups (`getaddrinfo`, `gethostbyname`, `gethostbyname_ex`), which would ask a DNS
    server for any name but localhost.
    """
    sock = socket.socket
    real_connect, real_connect_ex = sock.connect, sock.connect_ex
    real_sendto, real_sendmsg = sock.sendto, sock.sendmsg
    real_getaddrinfo = socket.getaddrinfo
    real_gethostbyname, real_gethostbyname_ex = socket.gethostbyname, socket.gethostbyname_ex

    def check(owner: socket.socket, address: Any) -> None:
        if owner.family in INTERNET and not is_loopback(address):
            report(repr(address))
            raise ConnectionRefusedError(f"tested_docs: network access to {address!r} is blocked")

    def check_name(host: Any) -> None:
        if not is_loopback_host(host) and not is_address(host):  # an address needs no DNS
            report(f"name lookup {host!r}")
            raise socket.gaierror(
                socket.EAI_NONAME, f"tested_docs: looking up {host!r} is blocked (no network)"
            )

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    def sendto(self: socket.socket, data: Any, *args: Any) -> int:
        check(self, args[-1])  # sendto(data, address) or sendto(data, flags, address)
        return real_sendto(self, data, *args)

    def sendmsg(self: socket.socket, buffers: Any, *args: Any) -> int:
        if len(args) >= 3 and args[2] is not None:  # sendmsg(buffers, ancdata, flags, address)
            check(self, args[2])
        return real_sendmsg(self, buffers, *args)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        check_name(host)
        return real_getaddrinfo(host, *args, **kwargs)

    def gethostbyname(host: str) -> str:
        check_name(host)
        return real_gethostbyname(host)

    def gethostbyname_ex(host: str) -> Any:
        check_name(host)
        return real_gethostbyname_ex(host)

    return {
        (sock, "connect"): connect,
        (sock, "connect_ex"): connect_ex,
        (sock, "sendto"): sendto,
        (sock, "sendmsg"): sendmsg,
        (socket, "getaddrinfo"): getaddrinfo,
        (socket, "gethostbyname"): gethostbyname,
        (socket, "gethostbyname_ex"): gethostbyname_ex,
    }


def guard_this_process(log: str | Path) -> None:
    """Install the guard for good (a child process), appending each attempt to `log`."""

    def report(address: str) -> None:
        with open(log, "a", encoding="utf-8") as out:
            out.write(address + "\n")

    for (owner, name), replacement in guarded(report).items():
        setattr(owner, name, replacement)


def closed_loopback_url() -> str:
    """An http URL on loopback where nothing listens: a request there fails at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
