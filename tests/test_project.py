"""What the project says about itself: the Python it needs, and how maintainers run its tests."""

from __future__ import annotations

import re
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
