"""`python -m tested_docs check`, `... refresh-translations` and `... stamp merge`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tested_docs import stamp, translations
from tested_docs.checks import check, structure_problems
from tested_docs.pages import LANGUAGES, english_page, page_language, pages, translation


def _check(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    problems = check(args.root)
    for problem in problems:
        print(problem, file=sys.stderr)
    took = f"({time.perf_counter() - started:.1f} s)"
    print(
        f"{len(problems)} problem(s) found {took}" if problems else f"docs check: all good {took}"
    )
    return 1 if problems else 0


def _translated_pages(args: argparse.Namespace) -> list[Path]:
    if args.all:
        return [page for page in pages(args.root / "docs") if page_language(page) != "en"]
    chosen: list[Path] = []
    for name in args.pages:
        candidates = [args.root / name, args.root / "docs" / name]
        page = next((path for path in candidates if path.is_file()), Path(name))
        if page_language(page) == "en":  # an English page stands for its three translations
            chosen += [translation(page, language) for language in LANGUAGES[1:]]
        else:
            chosen.append(page)
    return chosen


def _refresh(args: argparse.Namespace) -> int:
    if not args.all and not args.pages:
        print("name the translated pages to refresh, or pass --all", file=sys.stderr)
        return 2
    failed = 0
    for page in _translated_pages(args):
        english = english_page(page)
        if not page.is_file() or not english.is_file():
            print(f"{page}: skipped: it or {english.name} is missing", file=sys.stderr)
            failed += 1
            continue
        problems = structure_problems(page)
        if problems and not args.force:
            for problem in problems:
                print(problem, file=sys.stderr)
            print(f"{page}: not refreshed: not in step with {english.name}", file=sys.stderr)
            failed += 1
            continue
        record, _ = translations.recorded(page)
        if record is not None and not translations.is_stale(english, record):
            print(f"{page}: already in step with {english.name}")
            continue
        translations.refresh(page, english)
        print(f"{page}: now records {english.name} as it is")
    return 1 if failed else 0


def _merge_stamps(args: argparse.Namespace) -> int:
    try:
        merged = stamp.merge_records(args.records)
    except stamp.StampError as error:
        print(error, file=sys.stderr)
        return 2
    stamp.write_record(args.output, merged)
    print(f"{args.output}: {len(merged['tests'])} test outcomes from {len(args.records)} records")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tested_docs")
    parser.add_argument("--root", type=Path, default=Path(), help="the project's root folder")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("check", help="check the pages against snippets/ and each other")
    run.set_defaults(handle=_check)
    refresh = commands.add_parser(
        "refresh-translations",
        help="record that translated pages are in step with their English page as it is now",
    )
    refresh.add_argument("pages", nargs="*", help="translated pages (or English pages: all three)")
    refresh.add_argument("--all", action="store_true", help="every translated page")
    refresh.add_argument(
        "--force", action="store_true", help="refresh even if includes or heading ids differ"
    )
    refresh.set_defaults(handle=_refresh)
    stamps = commands.add_parser("stamp", help="the 'tested with' records of test sessions")
    stamp_commands = stamps.add_subparsers(dest="stamp_command", required=True)
    merge = stamp_commands.add_parser(
        "merge",
        help="combine the records of shards of one run (a failure in any wins) into one stamp",
    )
    merge.add_argument("records", nargs="+", type=Path, help="each shard's tested-with.json")
    merge.add_argument("-o", "--output", type=Path, required=True, help="the merged record")
    merge.set_defaults(handle=_merge_stamps)
    args = parser.parse_args(argv)
    return args.handle(args)


if __name__ == "__main__":
    sys.exit(main())
