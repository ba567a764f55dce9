"""The README and the docs are the contract with a newcomer: every example in them runs, against the sandbox
exactly as ``invoice-clients sandbox`` starts it (the command itself is started here, and its printed ``export``
lines are the environment: no special data is added).

Convention (stated in the README's and the docs' pages where it matters):

* every ```python block of a page runs, in order, in one namespace per page, in a scratch working directory;
  a comment on a ``print(...)`` line is expected output: it must appear in what the block printed;
* every ``$ invoice-clients ...`` line of a ```console block runs and succeeds (``sandbox``, which serves until
  Ctrl-C, and ``demo`` are checked with ``--help``); the lines after it, up to the next ``$``, are expected
  output: each must be a line of what it printed;
* every command line of a ```crontab block runs (through ``sh``, with ``HOME`` a scratch directory), succeeds
  and, being ``--quiet``, prints nothing (cron mails what a job prints);
* a block that cannot run is preceded by ``<!-- not-run: reason -->``; at most two may be, in all;
* every ``nox -s NAME`` the pages mention is a session of ``noxfile.py``.
"""

from __future__ import annotations

import ast
import contextlib
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

from scripts.manifest import ROOT

PAGES = (ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")))
MAX_NOT_RUN = 2
INVOICE_CLIENTS = [sys.executable, "-m", "invoice_clients"]


@dataclass(frozen=True)
class Block:
    language: str
    code: str
    line: int
    not_run: str | None


def blocks(text: str) -> list[Block]:
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


def _name(page: Path) -> str:
    return str(page.relative_to(ROOT))


def _page_blocks(language: str) -> list[tuple[Path, list[Block]]]:
    found = []
    for page in PAGES:
        chosen = [b for b in blocks(page.read_text(encoding="utf-8")) if b.language == language and not b.not_run]
        if chosen:
            found.append((page, chosen))
    return found


@pytest.fixture(scope="module")
def sandbox_env() -> Iterator[dict[str, str]]:
    """The environment ``invoice-clients sandbox`` prints, with the sandbox it started serving."""
    server = subprocess.Popen(
        [*INVOICE_CLIENTS, "sandbox"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )  # fmt: skip
    assert server.stdout is not None
    env = {}
    try:
        for line in server.stdout:
            exported = re.match(r"^\s*export (\w+)=(\S+)$", line)
            if exported:
                env[exported[1]] = shlex.split(exported[2])[0]
            if line.startswith("Serving until Ctrl-C"):
                break
        assert set(env) == {"GCORE_API_KEY", "GCORE_BASE_URL", "VERSORI_API_KEY", "VERSORI_BASE_URL"}, env
        yield env
    finally:
        server.terminate()
        server.communicate(timeout=30)


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sandbox_env: dict[str, str]) -> dict[str, str]:
    for name, value in sandbox_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    return {**os.environ, **sandbox_env}


def _expected_outputs(code: str) -> list[str]:
    expected = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            line = code.splitlines()[node.lineno - 1]
            comment = line.partition("  # ")[2].strip()
            if comment:
                expected.append(comment)
    return expected


@pytest.mark.parametrize(
    ("page", "python"), _page_blocks("python"), ids=lambda v: _name(v) if isinstance(v, Path) else ""
)
def test_python_examples_run_against_the_sandbox(page: Path, python: list[Block], scratch: dict[str, str]) -> None:
    namespace: dict[str, object] = {"__name__": "readme"}
    for block in python:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(block.code, f"{_name(page)}:{block.line}", "exec"), namespace)
        for expected in _expected_outputs(block.code):
            assert expected in printed.getvalue(), f"{_name(page)}:{block.line}: printed {printed.getvalue()!r}"


@dataclass(frozen=True)
class Run:
    line: int
    args: list[str]
    expected: list[str]


def _commands(page: Path) -> list[Run]:
    runs: list[Run] = []
    for block in blocks(page.read_text(encoding="utf-8")):
        if block.language != "console" or block.not_run:
            continue
        current: Run | None = None
        for offset, line in enumerate(block.code.splitlines(), start=1):
            if line.startswith("$ "):
                current = None
                if line.startswith("$ invoice-clients"):
                    command = line[2:].partition("  #")[0]
                    current = Run(block.line + offset, shlex.split(command)[1:], [])
                    runs.append(current)
            elif current is not None and line.strip():
                current.expected.append(line.rstrip())
    return runs


_COMMANDS = [(page, run) for page in PAGES for run in _commands(page)]


@pytest.mark.parametrize(
    ("page", "run"), _COMMANDS, ids=[f"{_name(page)}:{run.line}" for page, run in _COMMANDS]
)  # fmt: skip
def test_every_cli_command_runs(page: Path, run: Run, scratch: dict[str, str]) -> None:
    args = [*run.args, "--help"] if run.args[:1] in (["sandbox"], ["demo"]) else run.args
    done = subprocess.run([*INVOICE_CLIENTS, *args], env=scratch, capture_output=True, text=True, timeout=120)
    where = f"{_name(page)}:{run.line}: invoice-clients {shlex.join(args)}"
    if run.expected and run.expected[0].startswith("invoice-clients: error: "):  # an error shown on purpose
        assert done.returncode == 2, f"{where}: {done.returncode} {done.stderr}"
    else:
        assert done.returncode == 0, f"{where}: {done.stderr}"
    printed = [line.rstrip() for line in (done.stdout + done.stderr).splitlines()]
    for expected in run.expected:
        assert expected in printed, f"{where}: printed {printed}"


def test_the_pages_run_enough() -> None:
    assert len([run for run in _commands(ROOT / "README.md")]) >= 8
    assert sum(len(found) for _, found in _page_blocks("python")) >= 8
    skipped = [f"{_name(p)}:{b.line}" for p in PAGES for b in blocks(p.read_text(encoding="utf-8")) if b.not_run]
    assert len(skipped) <= MAX_NOT_RUN, skipped


def test_the_crontab_lines_run_and_say_nothing(scratch: dict[str, str], tmp_path: Path) -> None:
    (crontab,) = [b for b in blocks((ROOT / "README.md").read_text(encoding="utf-8")) if b.language == "crontab"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    launcher = bin_dir / "invoice-clients"  # the console script, as cron's PATH would find it
    launcher.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m invoice_clients "$@"\n')
    launcher.chmod(0o755)
    env = {**scratch, "HOME": str(tmp_path), "PATH": f"{bin_dir}{os.pathsep}{scratch['PATH']}"}
    jobs = 0
    for line in crontab.code.splitlines():
        if not line.strip() or line.startswith("#") or re.match(r"^\w+=", line):
            continue
        command = line.split(None, 5)[5]
        done = subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True, timeout=120)
        assert (done.returncode, done.stdout, done.stderr) == (0, "", ""), command
        jobs += 1
    assert jobs >= 2


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


def test_every_nox_session_the_pages_name_exists() -> None:
    text = "\n".join(page.read_text(encoding="utf-8") for page in PAGES)
    mentioned = set(re.findall(r"nox -s ([\w-]+)", text))
    assert {"regenerate", "check", "tests", "lint", "demo", "docs"} <= mentioned
    assert mentioned <= _sessions(), f"not in noxfile.py: {sorted(mentioned - _sessions())}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    contributing = readme[readme.index("## Contributing") :]
    for step in ("python3 -m pip install nox", "nox -s regenerate", "nox -s tests"):
        assert step in contributing  # the contributors' quickstart stays findable from the README


def test_the_exit_code_table_is_the_commands() -> None:
    from invoice_clients.cli import ExitCode

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Errors and exit codes") :]
    section = section[: section.index("\n## ", 1)]
    rows = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", section, flags=re.MULTILINE))
    assert {int(code) for code in rows} == {int(code) for code in ExitCode}


def test_the_readme_is_for_users() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 220
    for needed in ("pip install invoice-clients", "pipx install invoice-clients", "invoice-clients sandbox"):
        assert needed in readme
    for link in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (ROOT / link).is_file(), link
