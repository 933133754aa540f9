"""A griffe extension that turns the reST left in upstream docstrings into Markdown.

Lightning's and wandb's `WandbLogger` docstrings are Google style, but their prose still holds
reST: `.. code-block:: python` directives, `Example::` literal blocks, roles such as
``:class:`~lightning.pytorch.core.LightningModule` ``, double-backtick literals and
`` `text <url>`_ `` links. Rendered as Markdown by mkdocstrings they would show as raw text.
`mkdocs.yml` loads this extension (`extensions: [tested_docs.rest_docstrings]`), and the API
reference pages render the converted text.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import griffe

DIRECTIVE = re.compile(
    r"^(?P<indent>[ \t]*)\.\.[ \t]+(?P<name>code-block|code|sourcecode|testcode|doctest)::"
    r"[ \t]*(?P<lang>[\w+-]*)[ \t]*$"
)
ADMONITION = re.compile(
    r"^(?P<indent>[ \t]*)\.\.[ \t]+(?P<name>note|warning|tip|important|seealso|hint|caution|"
    r"danger|attention|deprecated|versionadded|versionchanged)::[ \t]*(?P<rest>.*)$"
)
ROLE = re.compile(
    r":(?:py:)?(?:class|func|meth|attr|paramref|obj|mod|data|exc|ref|doc):`(?P<text>[^`]+)`"
)
LINK = re.compile(r"`(?P<text>[^`<]+?)\s*<(?P<url>[^>]+)>`__?")
LITERAL = re.compile(r"``(?P<text>[^`]+?)``")
PARAMETER = re.compile(r"^[ \t]+\**[\w.]+(?:[ \t]*\([^)]*\))?:[ \t]")
ADMONITION_KINDS = {"seealso": "info", "deprecated": "warning", "versionadded": "info"}


def _role(match: re.Match[str]) -> str:
    text = match["text"]
    explicit = re.match(r"(?P<label>.+?)\s*<(?P<target>[^>]+)>$", text)
    if explicit:
        return f"`{explicit['label']}`"
    if text.startswith("~"):
        text = text[1:].rsplit(".", 1)[-1]
    return f"`{text}`"


def convert_inline(line: str) -> str:
    """Roles, double-backtick literals and reST links on one line, as Markdown."""
    line = ROLE.sub(_role, line)
    line = LINK.sub(lambda m: f"[{m['text']}]({m['url']})", line)
    line = LITERAL.sub(lambda m: f"`{m['text']}`", line)
    return line.replace("\\**", "**").replace("\\*", "*")


def _block(lines: list[str], start: int, indent: int) -> tuple[list[str], int]:
    """The lines indented deeper than `indent` from `start` on (blank lines inside kept)."""
    body: list[str] = []
    i = start
    while i < len(lines):
        text = lines[i]
        if text.strip() and len(text) - len(text.lstrip()) <= indent:
            break
        body.append(text)
        i += 1
    while body and not body[-1].strip():
        body.pop()
    return body, i


def _skip_options(lines: list[str], i: int) -> int:
    """Skip a directive's `:caption:`-style option lines."""
    while i < len(lines) and re.match(r"^[ \t]+:[\w-]+:", lines[i]):
        i += 1
    return i


def rest_to_markdown(text: str) -> str:
    """Convert a docstring's reST code blocks, admonitions and inline markup to Markdown."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        directive = DIRECTIVE.match(line)
        admonition = ADMONITION.match(line)
        literal = line.rstrip().endswith("::") and not directive and not admonition
        if directive or literal:
            indent = len(line) - len(line.lstrip())
            lang = directive["lang"] if directive else "python"
            if directive is None:
                # `Example::` keeps its text ("Example:"); a bare `::` line disappears.
                intro = line.rstrip()[:-1]
                if intro.strip() != ":":
                    out.append(convert_inline(intro))
            body, after = _block(lines, _skip_options(lines, i + 1), indent)
            code = textwrap.dedent("\n".join(body)).strip("\n")
            if not code:  # `Example::` directly followed by a directive: only drop the colon
                i += 1
                continue
            # A literal block in a parameter's description belongs to that description.
            in_param = directive is None and PARAMETER.match(line)
            pad = " " * (indent + 4 if in_param else indent)
            if out and out[-1].strip():
                out.append("")
            out.append(f"{pad}```{'pycon' if lang == 'doctest' else lang or 'text'}")
            out.extend(f"{pad}{code_line}" if code_line else "" for code_line in code.split("\n"))
            out.append(f"{pad}```")
            if after < len(lines):
                out.append("")  # the blank line the block swallowed
            i = after
            continue
        if admonition:
            indent = len(line) - len(line.lstrip())
            name = admonition["name"]
            body, after = _block(lines, i + 1, indent)
            first = admonition["rest"].strip()
            content = textwrap.dedent("\n".join(body)).strip("\n")
            pad = " " * indent
            kind = ADMONITION_KINDS.get(name, name)
            title = {"seealso": "See also", "versionadded": "Added in version"}.get(name)
            head = f'{pad}!!! {kind} "{title}"' if title else f"{pad}!!! {kind}"
            if out and out[-1].strip():
                out.append("")
            out.extend([head, ""])
            if first:
                out.append(f"{pad}    {convert_inline(first)}")
            out.extend(
                f"{pad}    {convert_inline(text_line)}" if text_line else ""
                for text_line in content.split("\n")
                if text_line or content
            )
            if after < len(lines):
                out.append("")
            i = after
            continue
        out.append(convert_inline(line))
        i += 1
    return "\n".join(out)


class RestToMarkdown(griffe.Extension):
    """Rewrite every loaded docstring from reST leftovers to Markdown, once the tree is built."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rest_to_markdown(obj.docstring.value)
