"""The tests on a drift branch, and their outcome in the words a pull request needs.

The job runs ``nox -s tests`` on its own Python (``tests-3.X``) with pytest's
JUnit XML report, and reads the counts and the failing tests' names from it:
"8 of 253 failed" and "all 253 passed" must not read the same, and a maintainer
wants the first names without opening the log.  When the tests did not get as far as writing a report (an
install failed, pytest could not start) the outcome says so with the last lines
of the output.

The run has a limit of its own (``$SPEC_DRIFT_TEST_TIMEOUT`` seconds, 20 minutes
by default), below the workflow's ``timeout-minutes``: every test has one too
(pytest-timeout), but a suite that still does not end (a worker stuck outside
any test, an install that hangs) is stopped, every process it started with it,
and the outcome says so, so that the job still pushes, reports and checks the
other APIs rather than being cancelled with nothing said.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

__all__ = [
    "DEFAULT_ARGS",
    "DEFAULT_LIMIT",
    "SECRETS",
    "TestOutcome",
    "pytest_arguments",
    "read_junit",
    "run_tests",
    "time_limit",
]

DEFAULT_ARGS = "-q"
DEFAULT_LIMIT = 1200  # seconds: two APIs' runs, and the rest of the job, fit in the workflow's 60 minutes
SECRETS = ("GH_TOKEN", "GITHUB_TOKEN")  # never handed to the code under test
SHOWN = 10  # failing tests named in a pull request
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class TestOutcome:
    """How a test run ended: exit status, counts, the first failing tests, or why there are no counts."""

    status: int
    total: int = 0
    failed: int = 0
    skipped: int = 0
    failing: tuple[str, ...] = ()
    note: str = ""
    stopped: float = 0.0  # the limit (seconds) at which the run was stopped, unfinished; 0 if it ended by itself

    __test__ = False  # not a pytest test class, despite the name

    @property
    def passed(self) -> int:
        return self.total - self.failed - self.skipped

    @property
    def ok(self) -> bool:
        return self.status == 0 and not self.stopped

    def sentence(self) -> str:
        """``passed (253 passed, 1 skipped)`` or ``failed: 8 of 254 (…)`` or why there are no counts."""
        if self.stopped:
            return (
                f"did not finish: stopped after {_duration(self.stopped)}, the job's limit for the tests; {self.note}"
            )
        if self.note:
            return f"did not finish (exit {self.status}): {self.note}"
        skipped = f", {self.skipped} skipped" if self.skipped else ""
        if self.ok:
            return f"passed ({self.passed} passed{skipped})"
        return f"failed: {self.failed} of {self.total} failed ({self.passed} passed{skipped}; exit {self.status})"


def pytest_arguments(environ: Mapping[str, str]) -> list[str]:
    """pytest's arguments for the drift job: ``$SPEC_DRIFT_TEST_ARGS`` (shell words), else the whole suite."""
    return shlex.split(environ.get("SPEC_DRIFT_TEST_ARGS", "").strip() or DEFAULT_ARGS)


def time_limit(environ: Mapping[str, str]) -> float:
    """Seconds the drift job's test run may take: ``$SPEC_DRIFT_TEST_TIMEOUT``, else :data:`DEFAULT_LIMIT`."""
    text = environ.get("SPEC_DRIFT_TEST_TIMEOUT", "").strip()
    if not text:
        return DEFAULT_LIMIT
    try:
        limit = float(text)
    except ValueError:
        limit = 0.0
    if not 0 < limit < float("inf"):
        raise ValueError(f"SPEC_DRIFT_TEST_TIMEOUT: {text!r} is not a number of seconds above 0")
    return limit


def run_tests(
    command: list[str], junit: Path, log: Path, cwd: Path, env: Mapping[str, str], limit: float | None = None
) -> TestOutcome:
    """Run ``command`` (which must write JUnit XML to ``junit``), echoing and logging its output.

    After ``limit`` seconds the command and every process it started are stopped (a process group of its own):
    the outcome is then :attr:`TestOutcome.stopped`, with the last lines it printed.
    """
    junit.unlink(missing_ok=True)
    clean = {key: value for key, value in env.items() if key not in SECRETS}
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=clean,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: stopped whole at the limit
        )
        echo = threading.Thread(target=_echo, args=(process, out), daemon=True)
        echo.start()
        status: int | None
        try:
            status = process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            _stop(process)
            status = None
        echo.join(30)  # a process that left the group may still hold the pipe: its output is not waited for
    sys.stdout.flush()
    if status is None or not junit.is_file():
        text = _ANSI.sub("", log.read_text(encoding="utf-8", errors="replace"))  # FORCE_COLOR may colour it
        said = [line.strip() for line in text.splitlines()]
        said = [line for line in said if line and not line.startswith("nox > ")]
        errors = [line for line in said if line.startswith("E ")]
        note = " / ".join((errors or said)[-2:]) or "no output"
        if status is None:
            return TestOutcome(-signal.SIGTERM, note=f"its last words: {note}", stopped=limit or 0.0)
        return TestOutcome(status, note=note)
    return read_junit(junit, status, cwd)


def _echo(process: subprocess.Popen[str], out: TextIO) -> None:
    """Copy the run's output to the job's log and to the log file, line by line."""
    assert process.stdout is not None
    with contextlib.suppress(ValueError, OSError):  # the pipe closed under us: the run was stopped
        for line in process.stdout:
            sys.stdout.write(line)
            out.write(line)


def _stop(process: subprocess.Popen[str]) -> None:
    """Stop the run's whole process group: SIGTERM, and SIGKILL for what is left 10 s later."""
    for sign in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sign)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)


def _duration(seconds: float) -> str:
    if seconds >= 120 and seconds % 60 == 0:
        return f"{seconds / 60:g} minutes"
    return f"{seconds:g} s"


def read_junit(path: Path, status: int, root: Path) -> TestOutcome:
    """Counts and failing test ids from pytest's JUnit XML."""
    try:
        tree = ElementTree.parse(path)  # noqa: S314 (pytest's own report, written a moment ago)
    except ElementTree.ParseError as exc:
        return TestOutcome(status, note=f"{path.name}: unreadable JUnit XML: {exc}")
    total = failed = skipped = 0
    failing: list[str] = []
    for case in tree.iter("testcase"):
        total += 1
        error = case.find("error")
        if case.find("failure") is not None or error is not None:
            failed += 1
            if len(failing) < SHOWN:
                name = _node_id(case.get("classname", ""), case.get("name", ""), root)
                collection = error is not None and error.get("message") == "collection failure"
                failing.append(f"{name} (could not be collected)" if collection else name)
        elif case.find("skipped") is not None:
            skipped += 1
    if total == 0 and status != 0:
        return TestOutcome(status, note="no test ran")
    return TestOutcome(status, total, failed, skipped, tuple(failing))


def _node_id(classname: str, name: str, root: Path) -> str:
    """``tests.drift.test_x.TestY`` + ``test_z`` -> ``tests/drift/test_x.py::TestY::test_z`` where the file exists;
    a module or package that could not be collected (no class name, its dotted name) -> its file or folder."""
    if not classname and name:
        place = Path(*name.split("."))
        if (root / place).with_suffix(".py").is_file():
            return place.with_suffix(".py").as_posix()
        if (root / place).is_dir():
            return f"{place.as_posix()}/"
    parts = classname.split(".") if classname else []
    for cut in range(len(parts), 0, -1):
        module = Path(*parts[:cut]).with_suffix(".py")
        if (root / module).is_file():
            return "::".join([module.as_posix(), *parts[cut:], name])
    return "::".join([*filter(None, [classname]), name])
