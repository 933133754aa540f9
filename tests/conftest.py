"""Shared fixtures for the site's tests: the strictly built site, built once per worker."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tested_docs.site import build_site, warnings_in

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class BuiltSite:
    path: Path
    log: str


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    out = tmp_path_factory.mktemp("site")
    done = build_site(ROOT, out)
    log = done.stdout + done.stderr
    warnings = warnings_in(log)
    assert done.returncode == 0 and not warnings, "strict build failed:\n" + "\n".join(
        warnings or log.splitlines()[-30:]
    )
    return BuiltSite(out, log)
