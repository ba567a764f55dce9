"""Issue 13: a newcomer's first hour with the command line, without a stumble.

Each test drives the real command in a subprocess, as a user would.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from invoice_clients import __version__
from invoice_clients.cli import ExitCode
from invoice_clients.testing import Fault, Sandbox
from tests.cli.conftest import Run

PREFIX = "invoice-clients: error: "


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(PREFIX), done.stderr
    assert "Traceback" not in done.stderr
    return lines[0][len(PREFIX) :]


@pytest.mark.parametrize("where", ["missing-dir", "read-only-dir"])
def test_unwritable_export_is_one_line_naming_the_users_file(run: Run, tmp_path: Path, where: str) -> None:
    if where == "missing-dir":
        target = tmp_path / "nonexistent" / "q.csv"
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only directories")
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "q.csv"
    done = run("invoices", "export", "-o", str(target))
    assert done.returncode == ExitCode.OUTPUT_FILE == 8
    message = _one_line(done)
    assert message.startswith(f"cannot write {target}: ")
    assert ".part" not in message and ".q.csv." not in message


def test_unwritable_pdf_is_one_line_naming_the_users_file(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "nonexistent" / "x.pdf"
    done = run("invoices", "pdf", "1", "-o", str(target))
    assert done.returncode == ExitCode.OUTPUT_FILE
    message = _one_line(done)
    assert message.startswith(f"cannot write {target}: ")
    assert ".part" not in message


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("invoices", "list", "--payment-state", "unpaid"),
            "--payment-state: 'unpaid' is not one of not_paid, in_payment, paid, partial, reversed",
        ),
        (("invoices", "list", "--client-id", "abc"), "--client-id: 'abc' is not a whole number"),
        (("invoices", "list", "--vendor", "acme"), "--vendor: 'acme' is not one of gcore, versori"),
        (("invoices", "list", "--bogus"), "--bogus: no such option"),
        (("invoices", "list", "--from", "yesterday"), "--from: 'yesterday' is not a date (YYYY-MM-DD)"),
        (("invoices", "pdf", "1"), "ID needs -o FILE (- for standard output)"),
        (("invoices", "get", "x"), "ID: 'x' is not a whole number"),
        (("invoices", "lst"), "no such command 'lst'"),
        (
            ("invoices", "list", "--ordering", "bogus"),
            "unknown --ordering field 'bogus'; allowed: id, -id, invoice_date, -invoice_date",
        ),
        (
            ("invoices", "list", "--from", "2026-06-01", "--to", "2026-01-01"),
            "--from 2026-06-01 is after --to 2026-01-01: the range is empty",
        ),
        (("invoices", "list", "--currency", "euro"), "--currency must be an ISO 4217 code"),
    ],
)
def test_usage_errors_are_one_line_in_our_words(run: Run, args: tuple[str, ...], expected: str) -> None:
    done = run(*args)
    assert done.returncode == ExitCode.USAGE, done.stderr
    message = _one_line(done)
    assert expected in message
    for foreign in ("Usage:", "Try '", "╭", "Input should be", "Value error", "V1ErpInvoices"):
        assert foreign not in done.stderr


def test_plain_http_base_url_to_a_remote_host_is_a_usage_error(run: Run) -> None:
    done = run("invoices", "list", "--base-url", "http://billing.example.com")
    assert done.returncode == ExitCode.USAGE
    message = _one_line(done)
    assert "plain HTTP" in message and "https" in message
    assert "allow_insecure_http" not in message  # Python advice, not the command line's


def test_missing_key_gives_command_line_advice(run: Run) -> None:
    done = run("invoices", "list", env={"GCORE_API_KEY": ""})
    assert done.returncode == ExitCode.CREDENTIALS
    message = _one_line(done)
    assert "set GCORE_API_KEY" in message
    assert "api_key=" not in message
    done = run("invoices", "list", "--vendor", "versori", "--organisation", "org_acme", env={"VERSORI_API_KEY": ""})
    assert done.returncode == ExitCode.CREDENTIALS
    assert "set VERSORI_API_KEY" in _one_line(done)


@pytest.mark.usefixtures("umask_022")
def test_export_file_respects_the_umask(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "q.csv"
    done = run("invoices", "export", "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)
    target.chmod(0o640)  # an existing file keeps its mode
    assert run("invoices", "export", "-o", str(target)).returncode == 0
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)


@pytest.mark.usefixtures("umask_022")
def test_pdf_file_respects_the_umask(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "x.pdf"
    done = run("invoices", "pdf", "1", "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)


def test_long_retry_after_says_how_long_to_wait(run: Run, sandbox: Sandbox) -> None:
    sandbox.inject(Fault.rate_limit(retry_after=120), times=None)
    done = run("invoices", "list")
    assert done.returncode == ExitCode.RATE_LIMITED
    assert "retry after 120 s" in _one_line(done)


def test_currency_in_lower_case_finds_the_same_invoices(run: Run) -> None:
    upper = run("invoices", "export", "--currency", "EUR")
    lower = run("invoices", "export", "--currency", "eur")
    assert upper.returncode == lower.returncode == 0, lower.stderr
    assert len(upper.stdout.splitlines()) > 1
    assert lower.stdout == upper.stdout


def test_version_and_help_metavars(run: Run) -> None:
    done = run("--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"invoice-clients {__version__}")
    done = run("invoices", "list", "--help", env={"COLUMNS": "200"})
    assert done.returncode == 0
    assert "<bool>" not in done.stdout and "<str>" not in done.stdout
    assert re.search(r"--from\s+YYYY-MM-DD", done.stdout)
    assert re.search(r"--upcoming\s+Versori", done.stdout)  # a flag: no value


def test_no_arguments_prints_help(run: Run) -> None:
    done = run()
    assert done.returncode == ExitCode.USAGE
    assert "invoices" in done.stdout and not done.stderr.strip()


def test_sandbox_command_serves_until_interrupted(tmp_path: Path) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "invoice_clients", "sandbox"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        env: dict[str, str] = {}
        for line in server.stdout:
            found = re.match(r"\s*export (\w+)=(\S+)", line)
            if found:
                env[found[1]] = found[2]
            if line.startswith("Serving until Ctrl-C"):
                break
        assert set(env) == {"GCORE_API_KEY", "GCORE_BASE_URL", "VERSORI_API_KEY", "VERSORI_BASE_URL"}
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("GCORE_", "VERSORI_"))}
        done = subprocess.run(
            [sys.executable, "-m", "invoice_clients", "invoices", "list", "--vendor", "versori",
             "--organisation", "org_acme", "--from", "2026-01-01", "-f", "csv"],
            env={**clean, **env}, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "GBP" in done.stdout
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    assert "sandbox: stopped" in out
    assert "Traceback" not in err


def test_demo_keeps_the_directory_it_prints() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "invoice_clients", "demo"], capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr
    found = re.search(r"# files written in (\S+)", done.stdout)
    assert found, done.stdout
    kept = Path(found[1])
    try:
        assert (kept / "invoice-1.pdf").is_file()
    finally:
        shutil.rmtree(kept)
