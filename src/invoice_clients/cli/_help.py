"""``--help`` text, rendered from the grammar at a fixed width.

Not argparse's help: its layout changes between Python versions (3.13 writes ``-o, --output FILE`` where 3.12
wrote ``-o FILE, --output FILE``; 3.14 colours it) and follows ``COLUMNS``.  This text is the same on every
Python, terminal and colour setting, so the docs, a test and a user all see one help.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from ._grammar import Argument, Command, Group, Option

__all__ = ["render_help"]

WIDTH = 100
"""Help is wrapped at this width whatever the terminal's (``COLUMNS``)."""
_COLUMN = 32
"""Where descriptions start; a longer option is followed by its description on the next line."""


def _rows(rows: Sequence[tuple[str, str]]) -> list[str]:
    lines = []
    for left, text in rows:
        head = f"  {left}"
        indent = " " * _COLUMN
        if len(head) + 2 > _COLUMN:
            lines.append(head)
            first = indent
        else:
            first = head.ljust(_COLUMN)
        lines.append(textwrap.fill(text, WIDTH, initial_indent=first, subsequent_indent=indent) if text else head)
    return lines


def _option_row(option: Option) -> tuple[str, str]:
    short = [flag for flag in option.flags if not flag.startswith("--")]
    left = ", ".join([*short, option.name])
    if option.takes_value:
        left += f" {option.shown_metavar}"
    notes = []
    if option.required:
        notes.append("required")
    elif option.kind == "choice" and option.default is not None:
        notes.append(f"default: {option.default}")
    if option.repeat:
        notes.append("may be repeated")
    text = option.help
    if notes:
        stop = "." if text.endswith(".") else ""
        text = f"{text.removesuffix('.')} ({'; '.join(notes)}){stop}"
    return left, text


def _argument_row(argument: Argument) -> tuple[str, str]:
    return argument.metavar, argument.help


_HELP_ROW = ("-h, --help", "Show this help and exit.")


def render_help(path: Sequence[str], node: Command | Group) -> str:
    """The help of ``node``, reached by ``path`` (``("invoice-clients", "invoices", "list")``)."""
    prefix = " ".join(path)
    sections: list[list[str]] = []
    if isinstance(node, Group):
        sections.append([f"Usage: {prefix} COMMAND [ARGS]..."])
        sections.append(textwrap.wrap(node.help, WIDTH))
        sections.append(["Commands:", *_rows([(name, child.help) for name, child in node.commands.items()])])
        options = [("--version", "Print the version and exit.")] if node.version is not None else []
        sections.append(["Options:", *_rows([*options, _HELP_ROW])])
    else:
        usage = f"Usage: {prefix} [OPTIONS]"
        for argument in node.arguments:
            usage += f" {argument.metavar}" if argument.required else f" [{argument.metavar}]"
        sections.append(textwrap.wrap(usage, WIDTH, subsequent_indent="  "))
        sections.append(textwrap.wrap(node.help, WIDTH))
        if node.arguments:
            sections.append(["Arguments:", *_rows([_argument_row(argument) for argument in node.arguments])])
        sections.append(["Options:", *_rows([*(_option_row(option) for option in node.options), _HELP_ROW])])
    if node.epilog:
        sections.extend(_epilog(node.epilog))
    return "\n\n".join("\n".join(lines) for lines in sections)


def _epilog(text: str) -> list[list[str]]:
    """Paragraphs wrapped at :data:`WIDTH` (never inside an option's name); a paragraph whose lines after the
    first start with two spaces (a heading and its rows) kept as is."""
    sections = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines = paragraph.strip("\n").splitlines()
        if len(lines) > 1 and all(line.startswith("  ") for line in lines[1:]):
            sections.append(lines)
        else:
            joined = " ".join(line.strip() for line in lines)
            sections.append(textwrap.wrap(joined, WIDTH, break_on_hyphens=False, break_long_words=False))
    return sections
