"""The tests on a drift branch, and their outcome in the words a pull request needs.

The job runs ``nox -s tests`` on its own Python (``tests-3.X``) with pytest's
JUnit XML report, and reads the counts and the failing tests' names from it:
"8 of 253 failed" and "all 253 passed" must not read the same, and a maintainer
wants the first names without opening the log.  When the tests did not get as far as writing a report (an
install failed, pytest could not start) the outcome says so with the last lines
of the output.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_ARGS", "SECRETS", "TestOutcome", "pytest_arguments", "read_junit", "run_tests"]

DEFAULT_ARGS = "-q"
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

    __test__ = False  # not a pytest test class, despite the name

    @property
    def passed(self) -> int:
        return self.total - self.failed - self.skipped

    @property
    def ok(self) -> bool:
        return self.status == 0

    def sentence(self) -> str:
        """``passed (253 passed, 1 skipped)`` or ``failed: 8 of 254 (…)`` or why there are no counts."""
        if self.note:
            return f"did not finish (exit {self.status}): {self.note}"
        skipped = f", {self.skipped} skipped" if self.skipped else ""
        if self.ok:
            return f"passed ({self.passed} passed{skipped})"
        return f"failed: {self.failed} of {self.total} failed ({self.passed} passed{skipped}; exit {self.status})"


def pytest_arguments(environ: Mapping[str, str]) -> list[str]:
    """pytest's arguments for the drift job: ``$SPEC_DRIFT_TEST_ARGS`` (shell words), else the whole suite."""
    return shlex.split(environ.get("SPEC_DRIFT_TEST_ARGS", "").strip() or DEFAULT_ARGS)


def run_tests(command: list[str], junit: Path, log: Path, cwd: Path, env: Mapping[str, str]) -> TestOutcome:
    """Run ``command`` (which must write JUnit XML to ``junit``), echoing and logging its output."""
    junit.unlink(missing_ok=True)
    clean = {key: value for key, value in env.items() if key not in SECRETS}
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=clean, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            out.write(line)
        status = process.wait()
    sys.stdout.flush()
    if not junit.is_file():
        text = _ANSI.sub("", log.read_text(encoding="utf-8", errors="replace"))  # FORCE_COLOR may colour it
        said = [line.strip() for line in text.splitlines()]
        said = [line for line in said if line and not line.startswith("nox > ")]
        errors = [line for line in said if line.startswith("E ")]
        return TestOutcome(status, note=" / ".join((errors or said)[-2:]) or "no output")
    return read_junit(junit, status, cwd)


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
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
            if len(failing) < SHOWN:
                failing.append(_node_id(case.get("classname", ""), case.get("name", ""), root))
        elif case.find("skipped") is not None:
            skipped += 1
    if total == 0 and status != 0:
        return TestOutcome(status, note="no test ran")
    return TestOutcome(status, total, failed, skipped, tuple(failing))


def _node_id(classname: str, name: str, root: Path) -> str:
    """``tests.drift.test_x.TestY`` + ``test_z`` -> ``tests/drift/test_x.py::TestY::test_z`` where the file exists."""
    parts = classname.split(".") if classname else []
    for cut in range(len(parts), 0, -1):
        module = Path(*parts[:cut]).with_suffix(".py")
        if (root / module).is_file():
            return "::".join([module.as_posix(), *parts[cut:], name])
    return "::".join([*filter(None, [classname]), name])
