"""`./dev bench`: what each loop costs on this machine. A benchmark, not a test: it prints.

- the strict four-language build, cold (a new process, an empty output folder), at least three
  times: median, min and max, with a breakdown by phase;
- the rebuild after one edit of an English page, as `mkdocs serve` does it (the same process
  builds again, on a copy of the project, so the real pages are never touched);
- `pytest snippets` at `-n 2` and serial (`-n 0`), once each (`--no-suites` skips them).

    ./dev bench [--builds N] [--no-suites] [--project DIR]

`--project DIR` times the build of another checkout (e.g. `git worktree add /tmp/before <commit>`)
with this environment, its own `src/` first on the path: before and after on one machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}

# Runs in a fresh Python: times the phases of one build through the plugins' own events, then
# (with an edit) builds again in the same process, the way `mkdocs serve` rebuilds.
BUILD_PROBE = textwrap.dedent(
    """
    import functools, json, logging, sys, time
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s - %(message)s")
    t0 = time.monotonic()
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    import mkdocs_static_i18n.plugin as i18n
    marks = {}
    original = i18n.I18n.on_post_build
    @functools.wraps(original)
    def on_post_build(self, config):
        outermost = not self.building
        if outermost:
            marks["default language done"] = time.monotonic()
        original(self, config)
        if outermost:
            marks["other languages done"] = time.monotonic()
    i18n.I18n.on_post_build = on_post_build
    config_file, out, edit = sys.argv[1], sys.argv[2], sys.argv[3]
    t_imports = time.monotonic()
    build(load_config(config_file, strict=True, site_dir=out))
    t_end = time.monotonic()
    result = {
        "total": t_end - t0,
        "imports": t_imports - t0,
        "default language (en)": marks["default language done"] - t_imports,
        "other languages": marks["other languages done"] - marks["default language done"],
        "search index and root files": t_end - marks["other languages done"],
    }
    if edit:
        page = open(edit, encoding="utf-8").read()
        open(edit, "w", encoding="utf-8").write(page + "\\n\\nOne more sentence.\\n")
        t1 = time.monotonic()
        build(load_config(config_file, strict=True, site_dir=out))
        result["rebuild after one edit"] = time.monotonic() - t1
    print(json.dumps(result))
    """
)


def probe_build(config_file: Path, out: Path, edit: Path | None = None) -> dict[str, float]:
    env = {**ENV, "PYTHONPATH": str(config_file.parent / "src")}
    done = subprocess.run(
        [sys.executable, "-c", BUILD_PROBE, str(config_file), str(out), str(edit or "")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"the build failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def project_copy(root: Path, target: Path) -> Path:
    for name in ("docs", "snippets", "src", "glossary", "overrides", "build"):
        if (root / name).is_dir():
            shutil.copytree(
                root / name, target / name, ignore=shutil.ignore_patterns("__pycache__")
            )
    shutil.copy2(root / "mkdocs.yml", target / "mkdocs.yml")
    return target / "mkdocs.yml"


def spread(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):6.2f} s  "
        f"(min {min(values):.2f}, max {max(values):.2f}, n={len(values)})"
    )


def bench_build(root: Path, builds: int) -> None:
    print(
        f"Strict build of {root}, four languages, cold (a new process, an empty folder) x{builds}:"
    )
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(builds):
            runs.append(probe_build(root / "mkdocs.yml", Path(tmp) / f"site-{i}"))
    for phase in runs[0]:
        print(f"  {phase:30} {spread([run[phase] for run in runs])}")
    print("Rebuild after editing one English page, in the same process (as mkdocs serve):")
    rebuilds = []
    for _ in range(builds):
        with tempfile.TemporaryDirectory() as tmp:
            config = project_copy(root, Path(tmp))
            edit = Path(tmp) / "docs" / "quickstart.md"
            rebuilds.append(probe_build(config, Path(tmp) / "site", edit)["rebuild after one edit"])
    print(f"  {'rebuild':30} {spread(rebuilds)}")


def bench_suite(workers: str) -> None:
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "snippets", "-q", "-n", workers],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=ROOT,
        check=False,
    )
    wall = time.monotonic() - start
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-300:]
    print(f"  pytest snippets -n {workers:2}  {wall:7.1f} s   {summary}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--builds", type=int, default=3, help="cold builds to time (at least 3)")
    parser.add_argument("--no-suites", action="store_true", help="only the build")
    parser.add_argument("--project", type=Path, default=ROOT, help="the checkout whose build")
    args = parser.parse_args()
    if args.builds < 3:
        parser.error("--builds: at least 3, for a median with min and max")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} cores, load average {load}; {time.strftime('%Y-%m-%d %H:%M')}")
    bench_build(args.project.resolve(), args.builds)
    if not args.no_suites:
        print("Snippet suite, as typed (xdist from the project's configuration), once each:")
        bench_suite("2")
        bench_suite("0")


if __name__ == "__main__":
    main()
