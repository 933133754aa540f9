"""MkDocs hook: the "tested with" stamp under the title of a page that shows Python scripts.

It names the lightning, wandb and torch versions and the accelerators the page's scripts last
passed on, read from the JSON file the pytest plugin writes (`build/tested-with.json`, see
`tested_docs.stamp`). Only when every test that ran each script the page shows has an outcome for
the files as they are now (same SHA-256) does the page carry a stamp; otherwise it carries none.
The build never needs the file. Its words come from `glossary/labels.yml` (`tested_docs.labels`).
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tested_docs import labels
from tested_docs.full_examples import RUNNABLE
from tested_docs.pages import INCLUDE, outside_fences, page_language
from tested_docs.stamp import VERSIONED, claims, load_stamp, stamp_path


def scripts_of(markdown: str) -> list[str]:
    """The runnable snippet files the page shows, in order of first appearance."""
    scripts: list[str] = []
    for line in markdown.splitlines():
        match = INCLUDE.match(line)
        file = match["file"] if match else ""
        if file.startswith("snippets/") and file.endswith(RUNNABLE) and file not in scripts:
            scripts.append(file)
    return scripts


def _accelerator_name(accelerator: str, result: dict[str, Any]) -> str:
    name = accelerator.upper()
    device = result.get("device")
    return f"{name} ({device})" if accelerator == "gpu" and device else name


def stamp_html(
    scripts: list[str], claimed: dict[str, dict[str, Any]], words: Mapping[str, str]
) -> str:
    """The stamp under a topic page's title, or "" when some script it shows is not claimed.

    `claimed` comes from `tested_docs.stamp.claims`: a script is there only when every test that
    ran it has an outcome for the script and the test as they are now. `words`: the page's
    language's labels (`tested_docs.labels`).
    """
    records = [claimed.get(script) for script in scripts]
    if not scripts or not all(records):
        return ""
    merged: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        for accelerator, outcome in (record or {}).get("accelerators", {}).items():
            merged[accelerator].append(outcome)
    failed = [a for a, found in merged.items() if any(o["outcome"] == "failed" for o in found)]
    if failed:
        dates = [o["date"] for a in failed for o in merged[a]]
        where = words["stamp_and"].join(a.upper() for a in failed)
        return _paragraph("failed", words["stamp_failed"].format(where=where, date=max(dates)))
    # An accelerator counts when it ran every script the page shows.
    passed = [a for a, found in sorted(merged.items()) if len(found) == len(scripts)]
    named = {tuple(o[k] for k in VERSIONED) for a in passed for o in merged[a]}
    if not passed or len(named) != 1:  # scripts tested with other versions: no one line is true
        return ""
    first = merged[passed[0]][0]
    text = words["stamp_passed"].format(
        lightning=first["lightning"],
        wandb=first["wandb"],
        torch=first["torch"],
        where=words["stamp_and"].join(_accelerator_name(a, merged[a][0]) for a in passed),
        date=max(o["date"] for a in passed for o in merged[a]),
    )
    return _paragraph("passed", text)


def _paragraph(kind: str, text: str) -> str:
    return f'<p class="tested-with tested-with--{kind}">{html.escape(text)}</p>'


def add_stamp(markdown: str, html_stamp: str) -> str:
    """Put the stamp right under the page's first `# ` heading (or at the top when it has none)."""
    lines = markdown.splitlines()
    title = next((n for n in outside_fences(lines) if lines[n].startswith("# ")), None)
    if title is None:
        lines[0:0] = [html_stamp, ""]
    else:
        lines[title + 1 : title + 1] = ["", html_stamp, ""]
    return "\n".join(lines) + ("\n" if markdown.endswith("\n") else "")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    scripts = scripts_of(markdown)
    if not scripts:
        return markdown
    root = Path(config["config_file_path"]).parent
    claimed = claims(load_stamp(stamp_path(root)), root, scripts)
    words = labels.load(root).of(page_language(page.file.src_uri))
    stamp = stamp_html(scripts, claimed, words)
    return add_stamp(markdown, stamp) if stamp else markdown
