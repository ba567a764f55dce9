"""The command line says the same thing whatever the environment says about colour, width or CI.

typer forced colour and boxes under ``GITHUB_ACTIONS=true`` and wrapped help to ``COLUMNS``; rich colours a
table under ``FORCE_COLOR`` even into a pipe, and shrinks it to 80 columns under ``TERM=dumb``.  Each command
below runs against the sandbox in a fresh process with a clean environment, and in one under each setting, and
must give the same exit status, stdout and stderr, with no escape sequence anywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from invoice_clients.testing import Sandbox
from invoice_clients.vendors import all_vendors

SETTINGS = {
    "github-actions": {"GITHUB_ACTIONS": "true"},
    "force-color": {"FORCE_COLOR": "1"},
    "no-color": {"NO_COLOR": "1"},
    "term-dumb": {"TERM": "dumb"},
    "columns-40": {"COLUMNS": "40"},
    "columns-300": {"COLUMNS": "300"},
}
"""Each setting alone, on top of the clean environment."""
_CLEARED = (
    "GITHUB_ACTIONS", "FORCE_COLOR", "NO_COLOR", "TERM", "COLUMNS", "LINES", "CLICOLOR", "CLICOLOR_FORCE",
    "PY_COLORS", "PYTHON_COLORS", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "CI",
)  # fmt: skip

COMMANDS = [
    ("--help",),
    ("--version",),
    ("invoices",),
    ("invoices", "list", "--help"),
    ("invoices", "pdf", "--help"),
    ("invoices", "list", "--payment-state", "unpaid"),
    ("invoices", "list", "--client-id", "abc"),
    ("invoices", "lst"),
    ("invoices", "pdf", "1"),
    ("invoices", "list", "--vendr", "gcore"),
    ("invoices", "get", "999999"),
    ("invoices", "export", "--currency", "EUR"),
    ("invoices", "list", "-f", "jsonl", "--move-type", "out_refund"),
    ("invoices", "list", "--ordering", "-invoice_date"),  # a table, into a pipe
    ("invoices", "list", "--vendor", "versori", "--organisation", "org_acme", "--from", "2026-01-01"),
]


def _clean(sandbox: Sandbox) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _CLEARED}
    for plugin in all_vendors():
        env[plugin.env_var] = sandbox.api(plugin.name).api_key
        env[plugin.base_url_env_var] = sandbox.base_url_of(plugin.name)
    return env


_DRIVER = """
import contextlib, io, json, sys
from invoice_clients.cli import main
results = []
for args in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(args)
        except SystemExit as done:
            status = done.code
    results.append([status, out.getvalue(), err.getvalue()])
print(json.dumps(results))
"""


def _run_all(env: dict[str, str]) -> Results:
    """Every command's (status, stdout, stderr), run by ``main`` in one fresh process under ``env``.

    One process per environment rather than per command: the environment is read when the process starts
    and when each command writes, and 15 interpreter start-ups per setting would cost more than the test.
    """
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, json.dumps(COMMANDS)],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    return {tuple(args): (status, out, err) for args, (status, out, err) in zip(COMMANDS, results, strict=True)}


Results = dict[tuple[str, ...], tuple[int, str, str]]


@pytest.fixture(scope="module")
def sandbox_env() -> Iterator[dict[str, str]]:
    with Sandbox() as sandbox:
        yield _clean(sandbox)


@pytest.fixture(scope="module")
def clean_results(sandbox_env: dict[str, str]) -> Results:
    return _run_all(sandbox_env)


def test_the_clean_run_is_plain_text(
    clean_results: Results,
) -> None:
    results = clean_results
    statuses = {args: status for args, (status, _, _) in results.items()}
    assert statuses[("invoices", "export", "--currency", "EUR")] == 0
    assert statuses[("invoices", "list", "--payment-state", "unpaid")] == 2
    for args, (_, out, err) in results.items():
        assert "\x1b" not in out + err, args
        assert "Traceback" not in err, args
        assert all(len(line) <= 100 for line in out.splitlines() if "--help" in args), args


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_every_setting_gives_the_same_output(sandbox_env: dict[str, str], clean_results: Results, setting: str) -> None:
    results = _run_all({**sandbox_env, **SETTINGS[setting]})
    for args in COMMANDS:
        assert results[args] == clean_results[args], f"{setting}: invoice-clients {' '.join(args)}"
