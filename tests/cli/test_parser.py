"""The argparse layer on a small command of its own: what it accepts, and every usage error in our words.

In-process (no sandbox, no subprocess): ``run_program`` on a tree built here, with stdout and stderr captured.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from invoice_clients.cli._grammar import Argument, Command, Group, Option, UsageError, check_value
from invoice_clients.cli._parser import run_program

CALLS: list[dict[str, Any]] = []


def _record(**values: Any) -> int:
    CALLS.append(values)
    return 0


OPTIONS = (
    Option("state", ("--state",), "A state.", "choice", choices=("paid", "not_paid"), repeat=True),
    Option("ordering", ("--ordering",), "Fields.", "str", "FIELDS"),
    Option("since", ("--from",), "A day.", "date", "YYYY-MM-DD"),
    Option("output", ("--output", "-o"), "A file.", "path", "FILE"),
    Option("count", ("--count", "-n"), "How many.", "int", "N", default=3),
    Option("quiet", ("--quiet", "-q"), "Say less.", "bool"),
)


def _tree() -> Group:
    root = Group("prog", "A program.", version="1.2")
    jobs = Group("jobs", "Jobs.")
    root.add(jobs)
    jobs.add(Command("run", "Run one.", _record, OPTIONS, (Argument("job", "ID", "The job.", "int"),)))
    return root


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    CALLS.clear()
    status = run_program(_tree(), list(argv), "prog")
    out, err = capsys.readouterr()
    return status, out, err


def test_values_are_checked_and_converted(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run(
        capsys, "jobs", "run", "7", "--state", "paid", "--state=not_paid", "--ordering", "-created_at",
        "--from", "2026-01-31", "-o", "-x.csv", "-n5", "-q",
    )  # fmt: skip
    assert (status, err) == (0, "")
    (call,) = CALLS
    assert call == {
        "job": 7, "state": ("paid", "not_paid"), "ordering": "-created_at", "since": datetime.date(2026, 1, 31),
        "output": Path("-x.csv"), "count": 5, "quiet": True,
    }  # fmt: skip


def test_absent_options_take_their_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "jobs", "run", "1")[0] == 0
    (call,) = CALLS
    assert call == {"job": 1, "state": (), "ordering": None, "since": None, "output": None, "count": 3, "quiet": False}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("jobs", "run"), "ID: missing (required)"),
        (("jobs", "run", "x"), "ID: 'x' is not a whole number"),
        (("jobs", "run", "٤٢"), "ID: '٤٢' is not a whole number"),  # int() would take Arabic-Indic digits
        (("jobs", "run", "1", "2"), "unexpected argument '2'"),
        (("jobs", "run", "1", "--state", "lost"), "--state: 'lost' is not one of paid, not_paid"),
        (("jobs", "run", "1", "--from", "soon"), "--from: 'soon' is not a date (YYYY-MM-DD)"),
        (("jobs", "run", "1", "--from"), "--from: needs a value"),
        (("jobs", "run", "1", "-o"), "--output: needs a value"),
        (("jobs", "run", "1", "--output="), "--output: an empty file name"),
        (("jobs", "run", "1", "--quiet=yes"), "--quiet: takes no value"),
        (("jobs", "run", "1", "--ordrng", "id"), "--ordrng: no such option (did you mean --ordering?)"),
        (("jobs", "run", "1", "--orde=id"), "--orde: no such option (did you mean --ordering?)"),  # no prefixes
        (("jobs", "run", "1", "-z"), "-z: no such option"),
        (("jobs", "rn"), "no such command 'rn' (did you mean run?)"),
        (("--verbose",), "--verbose: no such option"),
    ],
)
def test_usage_errors_are_one_line_in_our_words(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    status, out, err = _run(capsys, *argv)
    assert (status, out, err) == (2, "", f"prog: error: {message}\n")
    assert CALLS == []


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "--version") == (0, "prog 1.2\n", "")
    status, out, _ = _run(capsys, "jobs", "run", "1", "--from", "x", "--help")  # help first, as with click
    assert status == 0 and out.startswith("Usage: prog jobs run [OPTIONS] ID\n")
    assert "  --state [paid|not_paid]       A state (may be repeated).\n" in out
    assert "  -q, --quiet                   Say less.\n" in out
    assert CALLS == []
    status, out, err = _run(capsys, "jobs")
    assert (status, err) == (2, "") and "  run                           Run one.\n" in out


def test_everything_after_a_double_dash_is_an_argument(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "jobs", "run", "--", "-5")[0] == 0
    assert CALLS[0]["job"] == -5
    assert _run(capsys, "jobs", "run", "--", "5", "--help") == (2, "", "prog: error: unexpected argument '--help'\n")


def test_a_declaration_is_checked() -> None:
    with pytest.raises(ValueError, match="needs a --long flag"):
        Option("o", ("-o",), "x")
    with pytest.raises(ValueError, match="without choices"):
        Option("c", ("--c",), "x", "choice")
    with pytest.raises(ValueError, match="twice"):
        Command("c", "x", _record, (Option("a", ("--a",), "x"), Option("a", ("--b",), "x")))
    assert check_value("int", "-12") == -12


# -- issue 32: no option drops a value -------------------------------------------------------------------------

_TWO_VALUES = {
    "int": ("1", "2"),
    "date": ("2026-01-01", "2026-02-01"),
    "month": ("2026-01", "2026-02"),
    "path": ("a.csv", "b.csv"),
    "str": ("first", "second"),
}


def _two(option: Option) -> tuple[str, str]:
    if option.kind == "choice":
        return option.choices[0], option.choices[-1]
    return _TWO_VALUES[option.kind]


def _every_option() -> list[tuple[str, Command, Option]]:
    from invoice_clients.cli._app import build_program

    return [(" ".join(path), command, option) for path, command in build_program().walk() for option in command.options]


@pytest.mark.parametrize(
    ("path", "command", "option"), _every_option(), ids=[f"{p}:{o.name}" for p, _, o in _every_option()]
)
def test_every_option_given_twice_is_a_union_or_refused(path: str, command: Command, option: Option) -> None:
    """Walks every option of every command of the real program: given twice, a value-taking option either keeps
    both values, in order (``repeat``), or is a usage error naming it; a flag given twice is the flag."""
    from invoice_clients.cli._parser import parse_command

    arguments = [argument for argument in command.arguments if argument.required]
    positional = ["1"] * len(arguments)  # every required argument of today's commands is an id
    if not option.takes_value:
        values = parse_command(command, [*positional, option.name, option.name], path)
        assert values is not None and values[option.dest] is True
        return
    first, second = _two(option)
    tokens = [*positional, option.name, first, option.flags[-1], second]
    if option.repeat:
        values = parse_command(command, tokens, path)
        assert values is not None
        expected = tuple(check_value(option.kind, raw, option.choices) for raw in (first, second))
        assert values[option.dest] == expected
    else:
        with pytest.raises(UsageError) as refused:
            parse_command(command, tokens, path)
        assert (
            str(refused.value)
            == f"{option.name}: given more than once ({first!r}, then {second!r}); it takes one value"
        )
