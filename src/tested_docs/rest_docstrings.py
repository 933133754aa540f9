"""A griffe extension that turns the reST left in upstream docstrings into Markdown.

Lightning's and wandb's `WandbLogger` docstrings are Google style, but their prose still holds
reST: `.. code-block:: python` directives, `Example::` literal blocks, roles such as
``:class:`~lightning.pytorch.core.LightningModule` ``, double-backtick literals and
`` `text <url>`_ `` links. Rendered as Markdown by mkdocstrings they would show as raw text.
`mkdocs.yml` loads this extension (`extensions: [tested_docs.rest_docstrings:RestToMarkdown]`),
and the API reference pages render the converted text.

Some objects' code examples are not shown at all: this site shows only code its tests run, and the
examples in the two `WandbLogger` docstrings are not run (one, `wandb.config.update()` with no
argument, raises a `TypeError`). For the objects named in the extension's `drop_examples` option,
and their members, every code block, and the narrative around the code of the docstring's free
text, gives way to one note (`examples_note`, Markdown) that points to the tested examples.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
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
SHORTENED = re.compile(r"(?<!`)`~(?P<path>[\w.]+)`(?!`)")
"""A role's `~path` shortening left in plain backticks (its role forgotten): keep the last name."""
PARAMETER = re.compile(r"^[ \t]+\**[\w.]+(?:[ \t]*\([^)]*\))?:[ \t]")
ADMONITION_KINDS = {"seealso": "info", "deprecated": "warning", "versionadded": "info"}
SECTION = re.compile(r"^(?P<title>[A-Z][A-Za-z ]*):[ \t]*$")
"""A Google-style section header such as `Args:`; only the names in SECTIONS count."""
SECTIONS = {
    "args", "arguments", "params", "parameters", "keyword args", "keyword arguments",
    "other args", "other arguments", "other params", "other parameters", "raises", "exceptions",
    "returns", "yields", "receives", "warns", "warnings", "attributes", "functions", "methods",
    "classes", "modules", "see also", "note", "notes", "example", "examples", "todo",
}  # fmt: skip
EXAMPLE_SECTIONS = {"example", "examples"}
DEFAULT_EXAMPLES_NOTE = "Code examples are left out here: this site shows only code its tests run."


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
    line = SHORTENED.sub(lambda m: f"`{m['path'].rsplit('.', 1)[-1]}`", line)
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


def _opens_code(line: str) -> bool:
    """A `.. code-block::`-style directive or a line that ends in `::` (a literal block follows)."""
    return bool(DIRECTIVE.match(line)) or (
        line.rstrip().endswith("::") and not ADMONITION.match(line)
    )


def _section_starts(lines: list[str]) -> list[int]:
    return [
        i
        for i, line in enumerate(lines)
        if (match := SECTION.match(line)) and match["title"].lower() in SECTIONS
    ]


def without_examples(text: str, note: str = DEFAULT_EXAMPLES_NOTE) -> str:
    """The docstring with its code examples replaced by `note`.

    When the free text (before the first section such as `Args:`) holds code, only its first
    paragraph stays, followed by `note`: the rest is a tutorial built around that code. An
    `Example:`/`Examples:` section becomes `note`. Code blocks left elsewhere (in a section) each
    become `note` when the docstring is converted (`rest_to_markdown(text, examples=note)`).
    """
    lines = text.splitlines()
    starts = _section_starts(lines)
    first = starts[0] if starts else len(lines)
    free, rest = lines[:first], lines[first:]
    if any(_opens_code(line) for line in free):
        summary_end = next((i for i, line in enumerate(free) if not line.strip()), len(free))
        free = [*free[:summary_end], "", note, ""] if summary_end else [note, ""]
    out = list(free)
    i = 0
    while i < len(rest):
        match = SECTION.match(rest[i])
        if match and match["title"].lower() in EXAMPLE_SECTIONS:
            i += 1
            while i < len(rest) and (not rest[i].strip() or rest[i][:1] in " \t"):
                i += 1
            if note not in out:
                out.extend([note, ""])
            continue
        out.append(rest[i])
        i += 1
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out)


def rest_to_markdown(text: str, examples: str | None = None) -> str:
    """Convert a docstring's reST code blocks, admonitions and inline markup to Markdown.

    With `examples` (Markdown), the docstring shows no code: see `without_examples`.
    """
    if examples is not None:
        text = without_examples(text, examples)
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
            if examples is not None:  # no code: the note instead
                out.append(f"{pad}{examples}")
                if after < len(lines):
                    out.append("")
                i = after
                continue
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
    """Rewrite every loaded docstring from reST leftovers to Markdown, once the tree is built.

    Args:
        drop_examples: Canonical paths of objects (`package.module.Class`) whose docstrings, and
            those of their members, show no code examples.
        examples_note: The Markdown that replaces those examples.
    """

    def __init__(
        self, drop_examples: Sequence[str] = (), examples_note: str = DEFAULT_EXAMPLES_NOTE
    ) -> None:
        super().__init__()
        self.drop_examples = tuple(drop_examples)
        self.examples_note = examples_note

    def drops_examples(self, path: str) -> bool:
        return any(path == root or path.startswith(f"{root}.") for root in self.drop_examples)

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            examples = self.examples_note if self.drops_examples(obj.path) else None
            obj.docstring.value = rest_to_markdown(obj.docstring.value, examples)
