"""The command line's grammar as data: commands, their options and arguments, and how a value is checked.

Every option is declared once, here or in a vendor's filters (``CliOption``), and the parser, the checks and
``--help`` are all derived from the declaration.  Values are checked by our own code (no argparse ``type=`` or
``choices=``), so a bad value reads the same on every Python: ``--client-id: 'abc' is not a whole number``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = ["Argument", "Command", "Group", "Kind", "Option", "UsageError", "check_value"]

Kind = Literal["str", "int", "date", "month", "bool", "choice", "path"]

_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+", re.ASCII)
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)


class UsageError(Exception):
    """Bad arguments: printed as ``invoice-clients: error: <message>`` (one line), exit status 2."""


@dataclass(frozen=True, slots=True)
class Option:
    """An option: ``--name VALUE`` (``-n VALUE``), or a flag when ``kind`` is ``"bool"``.

    ``dest`` is the keyword the command receives.  ``repeat`` options may be given more than once and
    arrive as a tuple of checked values (empty when absent).
    """

    dest: str
    flags: tuple[str, ...]
    help: str
    kind: Kind = "str"
    metavar: str | None = None
    choices: tuple[str, ...] = ()
    default: Any = None
    required: bool = False
    repeat: bool = False

    def __post_init__(self) -> None:
        if not any(flag.startswith("--") for flag in self.flags):
            raise ValueError(f"option {self.dest!r} needs a --long flag")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"option {self.dest!r} is a choice without choices")

    @property
    def name(self) -> str:
        """The long flag, which messages name (``--output`` for ``-o``)."""
        return next(flag for flag in self.flags if flag.startswith("--"))

    @property
    def takes_value(self) -> bool:
        return self.kind != "bool"

    @property
    def shown_metavar(self) -> str:
        if self.metavar:
            return self.metavar
        if self.kind == "choice":
            return f"[{'|'.join(self.choices)}]"
        return self.dest.upper()


@dataclass(frozen=True, slots=True)
class Argument:
    """A positional argument (``ID``); ``metavar`` names it in messages."""

    dest: str
    metavar: str
    help: str
    kind: Kind = "str"
    required: bool = True
    hint: str = ""
    """Added to the message for a value of the wrong kind: ``{value}`` is the value, quoted for a shell (``for an
    invoice number: invoices get --number {value}``)."""


@dataclass(frozen=True, slots=True)
class Command:
    """A command: ``run`` is called with every option and argument by ``dest``; it returns an exit status."""

    name: str
    help: str
    run: Callable[..., int | None]
    options: tuple[Option, ...] = ()
    arguments: tuple[Argument, ...] = ()
    epilog: str = ""
    """Shown after the options in ``--help`` (paragraphs separated by blank lines; lines starting with two
    spaces kept as they are)."""

    def __post_init__(self) -> None:
        flags = [flag for option in self.options for flag in option.flags]
        dests = [option.dest for option in self.options] + [argument.dest for argument in self.arguments]
        if len(set(flags)) != len(flags) or len(set(dests)) != len(dests):
            raise ValueError(f"command {self.name!r} declares a flag or a destination twice")


@dataclass(frozen=True, slots=True)
class Group:
    """Commands under one name (``invoices``); the root group also answers ``--version`` when ``version`` is set."""

    name: str
    help: str
    commands: dict[str, Command | Group] = field(default_factory=dict)
    version: str | None = None
    epilog: str = ""
    """Shown last in ``--help``, as :attr:`Command.epilog`."""

    def add(self, node: Command | Group) -> Command | Group:
        if node.name in self.commands:
            raise ValueError(f"{self.name} already has a command {node.name!r}")
        self.commands[node.name] = node
        return node

    def walk(self) -> Iterator[tuple[tuple[str, ...], Command]]:
        """Every command below, with its path of names."""
        for node in self.commands.values():
            if isinstance(node, Group):
                yield from (((node.name, *path), command) for path, command in node.walk())
            else:
                yield (node.name,), node


def check_value(kind: Kind, raw: str, choices: tuple[str, ...] = ()) -> Any:
    """``raw`` as the value ``kind`` means, or ``ValueError`` saying what is wrong with it, in our words."""
    if kind == "int":
        if not _WHOLE_NUMBER.fullmatch(raw):
            raise ValueError(f"{raw!r} is not a whole number")
        return int(raw)
    if kind == "date":
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"{raw!r} is not a date (YYYY-MM-DD)") from None
    if kind == "month":  # its first day
        month = _MONTH.fullmatch(raw)
        if month is None or not 1 <= int(month[2]) <= 12 or int(month[1]) == 0:
            raise ValueError(f"{raw!r} is not a month (YYYY-MM)")
        return datetime.date(int(month[1]), int(month[2]), 1)
    if kind == "choice":
        if raw not in choices:
            raise ValueError(f"{raw!r} is not one of {', '.join(choices)}")
        return raw
    if kind == "path":
        if not raw:
            raise ValueError("an empty file name")
        return Path(raw)
    return raw
