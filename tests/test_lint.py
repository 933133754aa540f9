"""Lint rules that readers depend on hold where the project says they do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).parent / "ruff"


def lint(name: str, code: str) -> subprocess.CompletedProcess[str]:
    """`ruff check` on `code` as if it were the file `name`, with the settings that file gets."""
    return subprocess.run(
        [str(RUFF), "check", "--no-cache", "--stdin-filename", name, "-"],
        input=code,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def line_of(width: int) -> str:
    return f"x = {'a' * (width - 6)!r}\n"


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("snippets/planted/long.py", 88),  # readers see these in narrow code blocks
        ("src/tested_docs/planted.py", None),  # the project: ruff format wraps; strings may run on
        ("snippets/planted/test_long.py", None),  # a snippet's test is not shown to readers
    ],
)
def test_a_planted_long_line_fails_only_in_a_reader_script(name, limit):
    assert len(line_of(89).rstrip("\n")) == 89
    done = lint(name, line_of(89))
    if limit is None:
        assert done.returncode == 0, done.stdout
        return
    assert done.returncode == 1 and "E501 Line too long (89 > 88)" in done.stdout, done.stdout
    assert lint(name, line_of(limit)).returncode == 0


def test_the_resolved_settings_of_a_snippet_enable_line_too_long():
    done = subprocess.run(
        [str(RUFF), "check", "--show-settings", "snippets/quickstart/quickstart_trainer.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    enabled = done.stdout.split("linter.rules.enabled = [", 1)[1].split("]", 1)[0]
    assert "line-too-long (E501)" in enabled
    assert "linter.line_length = 88" in done.stdout
