"""Build the site the way CI does: strictly, and verbose enough that every warning shows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def build_site(root: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` of `root/mkdocs.yml` into `out`.

    Never with `-q`: a quiet strict build exits 0 on a broken anchor (mkdocs issues 4126, 3991).
    """
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml")]
    return subprocess.run(
        [*command, "-d", str(out)], capture_output=True, text=True, env=env, check=False
    )


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
