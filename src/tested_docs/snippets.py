"""Read `snippets/`: its files, their named sections, and which tests exercise which file."""

from __future__ import annotations

import ast
import re
import shlex
import subprocess
from pathlib import Path

SECTION = re.compile(r"--8<--[ \t]*\[(?P<edge>start|end):(?P<name>[\w-]+)\]")
SUFFIXES = {".py", ".md", ".sh", ".txt", ".yaml", ".yml", ".toml", ".json", ".cfg", ".ini"}
NOT_SNIPPETS = {"__init__.py", "conftest.py", "ruff.toml"}
SKIPPED_DIRS = {"__pycache__", "wandb", "lightning_logs"}


def is_test(path: Path) -> bool:
    return path.suffix == ".py" and (path.name.startswith("test_") or path.name == "conftest.py")


def _files(snippets_dir: Path) -> list[Path]:
    return sorted(
        path
        for path in snippets_dir.rglob("*")
        if path.is_file()
        and not any(part in SKIPPED_DIRS or part.startswith(".") for part in path.parts)
    )


def snippet_files(snippets_dir: Path) -> list[Path]:
    """Files a page may show: not tests, package markers or lint settings."""
    return [
        path
        for path in _files(snippets_dir)
        if path.suffix in SUFFIXES and path.name not in NOT_SNIPPETS and not is_test(path)
    ]


def reader_scripts(snippets_dir: Path) -> list[Path]:
    """The Python scripts a page may show: what a reader copies."""
    return [path for path in snippet_files(snippets_dir) if path.suffix == ".py"]


def test_modules(snippets_dir: Path) -> list[Path]:
    return [path for path in _files(snippets_dir) if is_test(path)]


def sections(path: Path) -> dict[str, tuple[int, int | None]]:
    """Named sections of a snippet file: name -> (start line, end line or None if unclosed)."""
    found: dict[str, tuple[int, int | None]] = {}
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for match in SECTION.finditer(text):
            if match["edge"] == "start":
                found.setdefault(match["name"], (number, None))
            elif match["name"] in found and found[match["name"]][1] is None:
                found[match["name"]] = (found[match["name"]][0], number)
    return found


def module_name(path: Path, root: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts)


def exercised_by(test: Path) -> tuple[set[str], set[str]]:
    """What a test file names: the modules it imports, and its string constants (file names)."""
    tree = ast.parse(test.read_text(encoding="utf-8"), filename=str(test))
    modules: set[str] = set()
    strings: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings.add(node.value)
    return modules, strings


def is_exercised(path: Path, root: Path, named: tuple[set[str], set[str]]) -> bool:
    """Imported as a module (`.py`), or its file named by a test (`"config.yaml"`, `"x/a.sh"`)."""
    modules, strings = named
    if path.suffix == ".py" and module_name(path, root) in modules:
        return True
    relative = path.relative_to(root).as_posix()
    return any(s == path.name or s.endswith(("/" + path.name, relative)) for s in strings)


def bash_syntax_errors(path: Path) -> list[tuple[int, str]]:
    """`bash -n`: (line, message) for each syntax error bash reports."""
    done = subprocess.run(
        ["bash", "-n", str(path)], capture_output=True, text=True, check=False, timeout=30
    )
    if done.returncode == 0:
        return []
    errors = []
    for text in done.stderr.splitlines():
        match = re.search(r"line (\d+): (.*)", text)
        errors.append((int(match[1]), match[2]) if match else (1, text))
    return errors or [(1, f"bash -n exited with {done.returncode}")]


def shell_commands(path: Path, section: str | None = None) -> list[list[str]]:
    """The command lines of a shell snippet (or of one named section), as a reader types them:
    split into words the way the shell does, without comments, blank lines and `set` lines."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if section is not None:
        start, end = sections(path)[section]
        lines = lines[start : (end or len(lines)) - 1]
    found = [shlex.split(line, comments=True) for line in lines]
    return [words for words in found if words and words[0] != "set"]


def command_words(words: list[str]) -> list[str]:
    """A command line without its `export` and `VAR=value` prefixes: the program and arguments."""
    while words and (words[0] == "export" or "=" in words[0]):
        words = words[1:]
    return words
