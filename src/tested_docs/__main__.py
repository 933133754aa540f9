"""`python -m tested_docs check`: the docs integrity checker."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tested_docs.checks import check


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tested_docs")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("check", help="check the pages against snippets/ and each other")
    run.add_argument("--root", type=Path, default=Path.cwd(), help="the project's root folder")
    args = parser.parse_args(argv)
    problems = check(args.root)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(problems)} problem(s) found" if problems else "docs check: all good")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
