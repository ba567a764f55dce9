"""Usage errors in one line, in our words: ``invoice-clients: error: --from: 'x' is not a date (YYYY-MM-DD)``.

typer (click underneath) would print the usage line, a "Try --help" hint and a
boxed panel in its own wording.  The README promises one line on stderr and
exit status 2, so the app runs with ``standalone_mode=False`` and the usage
errors click raises are rewritten here: the option's name first, then what is
wrong with the value and, for a choice, the allowed values.
"""

from __future__ import annotations

import re
import sys
from enum import Enum
from typing import Any

import typer
from typer.main import get_command

try:  # typer >= 0.24 vendors click as typer._click
    from typer._click import exceptions as _click_exceptions
except ImportError:  # pragma: no cover - older typer depends on click itself
    from click import exceptions as _click_exceptions  # type: ignore[no-redef,import-not-found,unused-ignore]

from ._exit import ExitCode

__all__ = ["run_app", "usage_message"]

PROG = "invoice-clients"

_WORDS = (
    (re.compile(r"^(.+?) is not a valid int(eger)?\.?$"), r"\1 is not a whole number"),
    (re.compile(r"^(.+?) is not a valid float\.?$"), r"\1 is not a number"),
    (re.compile(r"^(.+?) is not a valid boolean.*$"), r"\1 is not true or false"),
)
_CHOICE = re.compile(r"^(?P<value>.+?) is not (one of )?(?P<choices>.+?)\.?$")


def _hint(error: Any) -> str:
    """The option (``--payment-state``) or argument (``ID``) an error is about, or ``""``."""
    hint = getattr(error, "param_hint", None)
    if hint is not None:
        return hint if isinstance(hint, str) else " / ".join(hint)
    param = getattr(error, "param", None)
    if param is None:
        return ""
    opts = [opt for opt in getattr(param, "opts", ()) if opt.startswith("--")]
    if opts and getattr(param, "param_type_name", "") == "option":
        return str(opts[0])
    return str(getattr(param, "metavar", None) or param.human_readable_name)


def _choices(param: Any) -> list[str] | None:
    choices = getattr(getattr(param, "type", None), "choices", None)
    if not choices:
        return None
    return [str(choice.value if isinstance(choice, Enum) else choice) for choice in choices]


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def usage_message(error: Exception) -> str:
    """One line for a click usage error, without ``Usage:``, hints or boxes."""
    if isinstance(error, _click_exceptions.NoSuchOption):
        message = f"{error.option_name}: no such option"
        if error.possibilities:
            message += f" (did you mean {', '.join(sorted(error.possibilities))}?)"
        return message
    if isinstance(error, _click_exceptions.MissingParameter):
        return f"{_hint(error) or 'an argument'}: missing (required)"
    if isinstance(error, _click_exceptions.BadParameter):
        text = error.message.strip()
        choices = _choices(error.param)
        match = _CHOICE.match(text)
        if choices and match:
            text = f"{match['value']} is not one of {', '.join(choices)}"
        for pattern, replacement in _WORDS:
            text = pattern.sub(replacement, text)
        hint = _hint(error)
        return f"{hint}: {_sentence(text)}" if hint else _sentence(text)
    if isinstance(error, _click_exceptions.BadOptionUsage):
        return f"{error.option_name}: {_sentence(error.message)}"
    message = error.message if isinstance(error, _click_exceptions.ClickException) else str(error)
    return _sentence(message.replace("\n", " "))


def run_app(app: typer.Typer, argv: list[str] | None = None) -> int:
    """Run ``app`` on ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    command = get_command(app)
    try:
        result = command.main(args=argv, prog_name=PROG, standalone_mode=False)
    except _click_exceptions.NoArgsIsHelpError as error:
        print(error.format_message())
        return int(ExitCode.USAGE)
    except _click_exceptions.UsageError as error:
        print(f"{PROG}: error: {usage_message(error)}", file=sys.stderr)
        return int(ExitCode.USAGE)
    except _click_exceptions.ClickException as error:  # e.g. FileError: still one line
        print(f"{PROG}: error: {_sentence(error.format_message())}", file=sys.stderr)
        return int(error.exit_code)
    except typer.Abort:
        print(f"{PROG}: aborted", file=sys.stderr)
        return 130
    return result if isinstance(result, int) else 0
