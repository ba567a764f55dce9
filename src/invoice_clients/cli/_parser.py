"""From ``argv`` to a command's call, with every usage error one line in our words.

argparse (the standard library: no dependency whose wording, colours or help move between releases) splits
``--name=value``, ``-fcsv``, flags, positionals and ``--``.  Everything it would *say* is said here instead,
because its messages differ between Python versions (``invalid choice`` quoting changed in 3.12 and 3.13):

- commands are looked up here (no subparsers), so an unknown one is ``no such command 'lst'``;
- an option taking a value always takes the next token, even one starting with ``-`` (``--ordering
  -invoice_date``), as before; a missing value, an unknown option and a stray argument are found here
  (``parse_known_args`` hands the unknown ones back);
- values are checked by :func:`~._grammar.check_value`; required options and arguments are checked here;
- an option given twice either repeats (``repeat``: every value, in order) or is refused (:class:`_Once`): no
  value is ever dropped;
- the parser's own error path (:meth:`_Parser.error`), which nothing above should reach, still raises a
  :class:`~._grammar.UsageError` rather than printing argparse's usage block.
"""

from __future__ import annotations

import argparse
import difflib
import shlex
import sys
from collections.abc import Sequence
from typing import IO, Any, NoReturn

from ._grammar import Argument, Command, Group, Kind, Option, UsageError, check_value
from ._help import render_help

__all__ = ["HELP_FLAGS", "parse_command", "run_program"]

HELP_FLAGS = ("-h", "--help")
_VERSION = "--version"
_END_OF_OPTIONS = "--"
_USAGE_STATUS = 2


def _looks_like_option(word: str) -> bool:
    return word.startswith("-") and word != "-"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # documented as the method to override
        raise UsageError(message)


class _Once(argparse.Action):
    """Stores the value of an option that takes one: a second is a usage error naming the option, never a value
    silently dropped (``--month 2026-03 --month 2026-01`` would export one month and exit 0)."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option_string: Any = None
    ) -> None:
        first = getattr(namespace, self.dest)
        if first is not None:
            name = next(flag for flag in self.option_strings if flag.startswith("--"))
            raise UsageError(f"{name}: given more than once ({first!r}, then {values!r}); it takes one value")
        setattr(namespace, self.dest, values)


def _suggest(word: str, candidates: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, candidates, n=3, cutoff=0.75)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _unknown_option(token: str, known: Sequence[str]) -> UsageError:
    name = token.partition("=")[0]
    return UsageError(f"{name}: no such option{_suggest(name, known)}")


def _normalise(command: Command, tokens: Sequence[str]) -> tuple[list[str], list[str]] | None:
    """``tokens`` before ``--`` with every known option as ``--long`` or ``--long=value``, and those after it.

    ``None`` when help is asked for (before ``--``).  What follows ``--`` is arguments only, whatever it looks
    like; it is kept from argparse, whose handling of ``--`` changed between Python versions.
    """
    by_flag = {flag: option for option in command.options for flag in option.flags}
    out: list[str] = []
    index = 0
    while index < len(tokens):
        word = tokens[index]
        index += 1
        if word == _END_OF_OPTIONS:
            return out, list(tokens[index:])
        if word in HELP_FLAGS:
            return None
        name, equals, value = word.partition("=")
        option = by_flag.get(word) or (by_flag.get(name) if equals and name.startswith("--") else None)
        if option is None:
            out.append(word)
        elif not option.takes_value:
            if equals:
                raise UsageError(f"{option.name}: takes no value")
            out.append(option.name)
        elif equals:
            out.append(f"{option.name}={value}")
        elif index < len(tokens):
            out.append(f"{option.name}={tokens[index]}")
            index += 1
        else:
            raise UsageError(f"{option.name}: needs a value")
    return out, []


def _parser(command: Command, prog: str) -> argparse.ArgumentParser:
    parser = _Parser(prog=prog, add_help=False, allow_abbrev=False)
    for option in command.options:
        if option.kind == "bool":
            parser.add_argument(*option.flags, dest=option.dest, action="store_true")
        else:  # (every flag, for the forms left to argparse: -fcsv, -qfcsv)
            action: Any = "append" if option.repeat else _Once
            parser.add_argument(*option.flags, dest=option.dest, action=action, default=None)
    for argument in command.arguments:
        parser.add_argument(argument.dest, nargs="?", default=None)
    return parser


def _checked(name: str, kind: Kind, raw: str, choices: tuple[str, ...] = ()) -> Any:
    try:
        return check_value(kind, raw, choices)
    except ValueError as error:
        raise UsageError(f"{name}: {error}") from None


def _argument_value(argument: Argument, raw: str | None) -> Any:
    if raw is None:
        if argument.required:
            raise UsageError(f"{argument.metavar}: missing (required)")
        return None
    try:
        return _checked(argument.metavar, argument.kind, raw)
    except UsageError as error:
        if not argument.hint:
            raise
        raise UsageError(f"{error}; {argument.hint.format(value=shlex.quote(raw))}") from None


def _option_value(option: Option, raw: Any) -> Any:
    if option.kind == "bool":
        return bool(raw)
    if raw is None:
        if option.required:
            raise UsageError(f"{option.name}: missing (required)")
        return () if option.repeat else option.default
    if option.repeat:
        return tuple(_checked(option.name, option.kind, item, option.choices) for item in raw)
    return _checked(option.name, option.kind, raw, option.choices)


def parse_command(command: Command, tokens: Sequence[str], prog: str) -> dict[str, Any] | None:
    """The keywords to call ``command.run`` with, or ``None`` when help is asked for; :class:`UsageError` if bad."""
    split = _normalise(command, tokens)
    if split is None:
        return None
    before, after = split
    parsed, unknown = _parser(command, prog).parse_known_args(before)
    known = [flag for option in command.options for flag in option.flags]
    for word in unknown:
        if _looks_like_option(word):
            raise _unknown_option(word, known)
    rest = [*unknown, *after]
    raw = {}
    for argument in command.arguments:  # those argparse left empty take what followed ``--``
        value = getattr(parsed, argument.dest)
        raw[argument.dest] = rest.pop(0) if value is None and rest else value
    if rest:
        raise UsageError(f"unexpected argument {rest[0]!r}")
    values = {argument.dest: _argument_value(argument, raw[argument.dest]) for argument in command.arguments}
    values |= {option.dest: _option_value(option, getattr(parsed, option.dest)) for option in command.options}
    return values


def _dispatch(root: Group, argv: Sequence[str], prog: str, stdout: IO[str]) -> int:
    path = [prog]
    node: Command | Group = root
    tokens = list(argv)
    while isinstance(node, Group):
        if not tokens:
            print(render_help(path, node), file=stdout)
            return _USAGE_STATUS
        word = tokens.pop(0)
        root_flags = [*HELP_FLAGS, *([_VERSION] if node.version is not None else [])]
        if word in HELP_FLAGS:
            print(render_help(path, node), file=stdout)
            return 0
        if word == _VERSION and node.version is not None:
            print(f"{prog} {node.version}", file=stdout)
            return 0
        if _looks_like_option(word):
            raise _unknown_option(word, root_flags)
        child = node.commands.get(word)
        if child is None:
            raise UsageError(f"no such command {word!r}{_suggest(word, list(node.commands))}")
        path.append(word)
        node = child
    values = parse_command(node, tokens, " ".join(path))
    if values is None:
        print(render_help(path, node), file=stdout)
        return 0
    return int(node.run(**values) or 0)


def run_program(root: Group, argv: Sequence[str], prog: str) -> int:
    """Run the command ``argv`` names; return the exit status (2 after a one-line usage error on stderr)."""
    try:
        return _dispatch(root, argv, prog, sys.stdout)
    except UsageError as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return _USAGE_STATUS
