"""The road past MkDocs 1.x: ProperDocs (a fork of MkDocs 1.6 under its own name) builds this
site page for page as MkDocs does, but for the generator tag, so switching is a one-line change
(`properdocs build` for `mkdocs build`) on the day MkDocs 1.6 can no longer be installed.
The decision and the conditions for moving on to Zensical: docs/contributing.md."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def content(path: Path) -> bytes:
    """A built file as a reader gets it, but for the generator tag (gzip: uncompressed)."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        return gzip.decompress(data)
    return GENERATOR.sub(b"", data) if path.suffix == ".html" else data


@pytest.mark.timeout(400)
def test_properdocs_builds_the_site_mkdocs_builds(built_site, tmp_path: Path):
    out = tmp_path / "properdocs"
    command = [sys.executable, "-m", "properdocs", "build", "--strict", "-f", "mkdocs.yml"]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [*command, "-d", str(out)], cwd=ROOT, capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "WARNING" not in done.stdout + done.stderr
    ours = {p.relative_to(out) for p in out.rglob("*") if p.is_file()}
    theirs = {p.relative_to(built_site.path) for p in built_site.path.rglob("*") if p.is_file()}
    assert sorted(map(str, ours ^ theirs)) == []
    differ = [str(n) for n in sorted(ours) if content(out / n) != content(built_site.path / n)]
    assert differ == []
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'content="mkdocs-ProperDocs 1.6.' in home  # the generator tag: ProperDocs built it
