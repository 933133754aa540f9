"""Build the site the way CI does: strictly, and verbose enough that every warning shows."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path


def build_site(
    root: Path, out: Path, *, tool: str = "mkdocs", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`<tool> build --strict` of `root/mkdocs.yml` into `out` (`tool`: mkdocs or properdocs).

    Never with `-q`: a quiet strict build exits 0 on a broken anchor (mkdocs issues 4126, 3991).
    """
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    command = [sys.executable, "-m", tool, "build", "--strict", "-f", str(root / "mkdocs.yml")]
    return subprocess.run(
        [*command, "-d", str(out)], capture_output=True, text=True, env=env, check=False
    )


def differences(
    one: Path, other: Path, readable: Callable[[Path, bytes], bytes] = lambda path, data: data
) -> list[str]:
    """Files that differ between two built sites, as `readable` shows them; a gzipped file is
    compared uncompressed (its header holds the build time)."""
    names = {p.relative_to(one) for p in one.rglob("*") if p.is_file()}
    names |= {p.relative_to(other) for p in other.rglob("*") if p.is_file()}
    found = []
    for name in sorted(names):
        a, b = one / name, other / name
        if not a.is_file() or not b.is_file():
            found.append(f"{name}: only in {'the second' if b.is_file() else 'the first'}")
            continue
        read = gzip.decompress if name.suffix == ".gz" else bytes
        if readable(name, read(a.read_bytes())) != readable(name, read(b.read_bytes())):
            found.append(f"{name}: differs")
    return found


def warnings_in(log: str) -> list[str]:
    return [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]


LYCHEE_OPTIONS = (
    "--offline",  # only the site's own files: links to other sites are not checked here
    "--include-fragments",  # a link to page/#anchor fails when page has no such anchor
    "--index-files",
    "index.html",  # a link to folder/ means folder/index.html, as MkDocs writes it
    "--extensions",
    "html",
    "--no-progress",
)


def check_links(site: Path) -> subprocess.CompletedProcess[str]:
    """lychee over every built HTML page, all languages: broken internal links and anchors."""
    lychee = Path(sys.executable).with_name("lychee")
    command = [str(lychee), *LYCHEE_OPTIONS, "--root-dir", str(site), str(site)]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
