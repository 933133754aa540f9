"""The road past MkDocs 1.x: ProperDocs (a fork of MkDocs 1.6 under its own name) builds this
site page for page as MkDocs does, but for the generator tag, so switching is a one-line change
(`properdocs build` for `mkdocs build`) on the day MkDocs 1.6 can no longer be installed.
The decision and the conditions for moving on to Zensical: docs/contributing.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from strict_build import build_site, differences

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def without_generator(path: Path, data: bytes) -> bytes:
    return GENERATOR.sub(b"", data) if path.suffix == ".html" else data


@pytest.mark.timeout(400)
def test_properdocs_builds_the_site_mkdocs_builds(built_site, tmp_path: Path):
    out = tmp_path / "properdocs"
    done = build_site(ROOT, out, tool="properdocs")
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "WARNING" not in done.stdout + done.stderr
    assert differences(out, built_site.path, without_generator) == []
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'content="mkdocs-ProperDocs 1.6.' in home  # the generator tag: ProperDocs built it
