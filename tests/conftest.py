"""Shared fixtures for the site's tests: the strictly built site, built once per session."""

from __future__ import annotations

import fcntl
from dataclasses import dataclass
from pathlib import Path

import pytest

from strict_build import build_site

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class BuiltSite:
    path: Path
    log: str
    returncode: int
    """What `mkdocs build --strict` exited with: `test_site_build` asserts it, with the log."""


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> BuiltSite:
    """One strict build for the whole session: the first xdist worker to ask builds, under a lock
    in the folder all workers share; the others wait for it and read the same site and log."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent
    out, log_file = shared / "built-site", shared / "built-site.log"
    with (shared / "built-site.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not log_file.is_file():
            done = build_site(ROOT, out)
            log_file.write_text(f"{done.returncode}\n{done.stdout}{done.stderr}")
    returncode, log = log_file.read_text().split("\n", 1)
    return BuiltSite(out, log, int(returncode))
