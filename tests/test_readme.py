"""The README is the contract with a newcomer: every example in it runs.

Convention (stated in the README next to its first example):

* every ```python block runs, in order, in one namespace, with ``GCORE_API_KEY``/``VERSORI_API_KEY`` and
  ``GCORE_BASE_URL``/``VERSORI_BASE_URL`` pointing at a :class:`Sandbox` that also holds the README's
  invoice 42 and organisation ``org_123``, in a scratch working directory;
* a comment on a ``print(...)`` line is the expected output: it must appear in what the block printed;
* a block that cannot run (it needs a real account) is preceded by ``<!-- not-run: reason -->``; at most
  two may be;
* every ``nox -s NAME`` the README mentions is a session of ``noxfile.py``, and every ``$ invoice-clients
  ...`` command in a console block runs against the sandbox and succeeds (``sandbox``, which serves until
  Ctrl-C, and ``demo`` are checked with ``--help``).
"""

from __future__ import annotations

import ast
import contextlib
import datetime
import io
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from invoice_clients.testing import Sandbox, monetary_value
from scripts.manifest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
MAX_NOT_RUN = 2


@dataclass(frozen=True)
class Block:
    language: str
    code: str
    line: int
    not_run: str | None


def blocks(text: str = README) -> list[Block]:
    found = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = re.match(r"^```(\w*)\s*$", lines[index])
        if not opening:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        previous = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
        marker = re.match(r"^<!--\s*not-run:\s*(.*?)\s*-->$", previous.strip())
        found.append(Block(opening[1], "\n".join(lines[index + 1 : end]), index + 1, marker[1] if marker else None))
        index = end + 1
    return found


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    with Sandbox() as running:
        running.gcore.add_invoice(
            id=42, currency="EUR", payment_state="not_paid", amount_total="1512.500000000000",
            amount_untaxed="1260.416666666667", amount_tax="252.083333333333", invoice_date="2026-02-15",
        )  # fmt: skip
        running.versori.add_invoice(
            "org_123", datetime.date(2026, 1, 1), datetime.date(2026, 1, 31), monetary_value(12, 5, "GBP")
        )
        running.versori.add_invoice(
            "org_123", datetime.date(2026, 2, 1), datetime.date(2026, 2, 28), monetary_value(9, 0), upcoming=True
        )
        monkeypatch.setenv("GCORE_API_KEY", running.gcore.api_key)
        monkeypatch.setenv("GCORE_BASE_URL", running.gcore_base_url)
        monkeypatch.setenv("VERSORI_API_KEY", running.versori.api_key)
        monkeypatch.setenv("VERSORI_BASE_URL", running.versori_base_url)
        monkeypatch.chdir(tmp_path)
        yield running


def _expected_outputs(code: str) -> list[str]:
    expected = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            line = code.splitlines()[node.lineno - 1]
            comment = line.partition("  # ")[2].strip()
            if comment:
                expected.append(comment)
    return expected


def test_python_examples_run_against_the_sandbox(sandbox: Sandbox) -> None:
    python = [block for block in blocks() if block.language == "python"]
    assert len(python) >= 3
    namespace: dict[str, object] = {"__name__": "readme"}
    ran = 0
    for block in python:
        if block.not_run:
            continue
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(block.code, f"README.md:{block.line}", "exec"), namespace)
        for expected in _expected_outputs(block.code):
            assert expected in printed.getvalue(), f"README.md:{block.line}: printed {printed.getvalue()!r}"
        ran += 1
    assert Path("invoice-42.pdf").read_bytes().startswith(b"%PDF-")
    assert ran >= len(python) - MAX_NOT_RUN


def test_at_most_a_few_blocks_are_not_run() -> None:
    skipped = [block for block in blocks() if block.not_run is not None]
    assert len(skipped) <= MAX_NOT_RUN, [f"README.md:{b.line}: {b.not_run}" for b in skipped]
    assert all(block.not_run for block in skipped), "a not-run marker says why"


def _sessions() -> set[str]:
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if ast.unparse(target) != "nox.session":
                continue
            name = node.name
            if isinstance(decorator, ast.Call):
                for keyword in decorator.keywords:
                    if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                        name = str(keyword.value.value)
            names.add(name)
    return names


def test_every_nox_session_the_readme_names_exists() -> None:
    mentioned = set(re.findall(r"nox -s ([\w-]+)", README))
    assert {"regenerate", "check", "tests", "lint", "demo"} <= mentioned
    assert mentioned <= _sessions(), f"not in noxfile.py: {sorted(mentioned - _sessions())}"


def _cli_commands() -> list[list[str]]:
    commands = []
    for block in blocks():
        if block.language != "console" or block.not_run:
            continue
        for line in block.code.splitlines():
            if line.startswith("$ invoice-clients"):
                command = line[2:].partition("  #")[0]
                commands.append(shlex.split(command)[1:])
    return commands


def test_every_cli_command_in_the_readme_runs(sandbox: Sandbox) -> None:
    commands = _cli_commands()
    assert len(commands) >= 6
    for args in commands:
        if args[:1] in (["sandbox"], ["demo"]):
            args = [*args, "--help"]
        done = subprocess.run(
            [sys.executable, "-m", "invoice_clients", *args],
            env=dict(os.environ), capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"invoice-clients {shlex.join(args)}: {done.stderr}"


def test_the_exit_code_table_is_the_commands() -> None:
    from invoice_clients.cli import ExitCode

    section = README[README.index("## Command line") :]
    section = section[: section.index("\n## ", 1)]
    rows = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", section, flags=re.MULTILINE))
    assert {int(code) for code in rows} == {int(code) for code in ExitCode}
