"""What the project says about itself: the Python it needs, and how maintainers run its tests."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_requires_python_is_what_the_pins_need_and_the_readme_says():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    required = pyproject["project"]["requires-python"]
    assert required == ">=3.11"  # numpy 2.4, pandas 3.1, scipy 1.17, scikit-learn 1.9
    pins = (ROOT / "constraints.txt").read_text()
    assert re.search(r"^numpy==2\.4", pins, re.M), "numpy moved: check what Python it needs"
    readme = (ROOT / "README.md").read_text()
    assert "`python3` (3.11 or newer)" in readme
    assert pyproject["tool"]["ruff"]["target-version"] == "py311"


def fake_venv(tmp_path: Path) -> tuple[Path, Path]:
    """A .venv whose python and ruff only note their arguments: `./dev` runs without work."""
    venv, log = tmp_path / "venv", tmp_path / "calls.log"
    (venv / "bin").mkdir(parents=True)
    for tool in ("python", "ruff", "mkdocs"):
        script = venv / "bin" / tool
        script.write_text(f'#!/bin/sh\necho "{tool} $*" >> "{log}"\n')
        script.chmod(0o755)
    stamp = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + (ROOT / "constraints.txt").read_bytes()
    ).hexdigest()[:16]
    (venv / f".installed-{stamp}").touch()  # as if set up already
    # ./dev test installs Chromium with apt-get where it can: here a stand-in, first on PATH,
    # notes the call and fails, so no test reaches a package mirror (or the network).
    apt = venv / "bin" / "apt-get"
    apt.write_text(f'#!/bin/sh\necho "apt-get $*" >> "{log}"\nexit 100\n')
    apt.chmod(0o755)
    return venv, log


def pytest_calls(tmp_path: Path, *args: str) -> list[str]:
    venv, log = fake_venv(tmp_path)
    done = subprocess.run(
        [str(ROOT / "dev"), "test", *args],
        env={
            **os.environ,
            "VENV": str(venv),
            "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    calls = log.read_text().splitlines()
    # Where ./dev wanted Chromium from apt-get, the stand-in got the call, not the real one.
    wanted = "Installing chromium" in done.stdout
    assert wanted == any(line.startswith("apt-get ") for line in calls), done.stdout
    return [line for line in calls if " -m pytest " in line]


def test_the_whole_suite_has_the_coverage_gate_and_a_subset_does_not(tmp_path):
    whole = pytest_calls(tmp_path / "whole")
    assert "--cov-fail-under=100" in whole[0] and whole[0].split()[3] == "snippets"
    subset = pytest_calls(tmp_path / "subset", "-k", "quickstart")
    assert "--cov-fail-under=0" in subset[0] and subset[0].endswith("-k quickstart")
    assert subset[1].endswith("-k quickstart")  # the site's tests take the same subset
