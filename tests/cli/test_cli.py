"""The command line, driven as a user drives it: a subprocess against the real sandbox."""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from invoice_clients.cli import ExitCode
from invoice_clients.testing import Fault, Sandbox
from tests.cli.conftest import Run


def test_csv_export_has_every_invoice_with_exact_amounts(run: Run, sandbox: Sandbox) -> None:
    done = run("invoices", "export", "--vendor", "gcore")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    with sandbox.gcore_client() as gcore:
        expected = list(gcore.invoices.list())
    assert [row["id"] for row in rows] == [invoice.id for invoice in expected]
    for row, invoice in zip(rows, expected, strict=True):
        assert Decimal(row["total"]) == invoice.total.amount
        assert row["currency"] == invoice.total.currency
        assert "E" not in row["total"]  # exact decimals, never exponent notation


def test_filters_reach_the_wire(run: Run, sandbox: Sandbox) -> None:
    done = run(
        "invoices", "list", "--vendor", "gcore", "--format", "jsonl",
        "--from", "2026-01-01", "--to", "2026-06-30", "--currency", "EUR", "--move-type", "out_invoice",
        "--payment-state", "paid", "--client-id", "42", "--payer-id", "7", "--ordering", "-invoice_date",
        "--billing-period-from", "2026-01-01", "--billing-period-to", "2026-06-30",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (request,) = [r for r in sandbox.requests if r.path.endswith("/erp-invoices")]
    assert dict(request.query) | {"offset": "0"} == {
        "invoice_date__from": "2026-01-01",
        "invoice_date__to": "2026-06-30",
        "billing_period_from__from": "2026-01-01",
        "billing_period_to__to": "2026-06-30",
        "currency": "EUR",
        "move_type": "out_invoice",
        "payment_state": "paid",
        "client_id": "42",
        "payer_id": "7",
        "ordering": "-invoice_date,id",
        "limit": "100",
        "offset": "0",
    }


def test_versori_jsonl_converts_minor_units(run: Run) -> None:
    done = run(
        "invoices", "list", "--vendor", "versori", "--organisation", "org_kuwait", "--from", "2026-01-01", "-f", "jsonl"
    )
    assert done.returncode == 0, done.stderr
    (record,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert (record["total"], record["currency"]) == ("12.005", "KWD")


def test_export_to_file_and_pdf_download(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "credit-notes.csv"
    done = run("invoices", "export", "--move-type", "out_refund", "-o", str(target))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(target.read_text().splitlines()))
    assert rows and all(row["kind"] == "credit_note" and Decimal(row["total"]) < 0 for row in rows)
    assert f"wrote {len(rows)} invoices" in done.stderr
    pdf = tmp_path / "invoice.pdf"
    done = run("invoices", "pdf", "1", "-o", str(pdf))
    assert done.returncode == 0, done.stderr
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_failed_export_leaves_the_previous_file_untouched(run: Run, sandbox: Sandbox, tmp_path: Path) -> None:
    target = tmp_path / "invoices.csv"
    target.write_text("previous export\n")
    sandbox.inject(Fault.status(503), times=None)
    done = run("invoices", "export", "-o", str(target))
    assert done.returncode == ExitCode.API_FAILURE
    assert target.read_text() == "previous export\n"
    assert list(tmp_path.iterdir()) == [target]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize(
    ("setup", "args", "code", "message"),
    [
        ({"GCORE_API_KEY": "wrong"}, ("invoices", "list"), ExitCode.CREDENTIALS, "401"),
        ({"GCORE_API_KEY": None}, ("invoices", "list"), ExitCode.CREDENTIALS, "GCORE_API_KEY"),
        ({}, ("invoices", "get", "999999"), ExitCode.NOT_FOUND, "404"),
        ("rate-limit", ("invoices", "list"), ExitCode.RATE_LIMITED, "429"),
        ("closed-port", ("invoices", "list"), ExitCode.NETWORK, "127.0.0.1"),
        ({}, ("invoices", "list", "--from", "yesterday"), ExitCode.USAGE, "not a date"),
        ({}, ("invoices", "list", "--vendor", "versori"), ExitCode.USAGE, "--organisation"),
        (
            {},
            ("invoices", "list", "--vendor", "versori", "--organisation", "o", "--currency", "EUR"),
            ExitCode.USAGE,
            "",
        ),
        ({}, ("invoices", "list", "--payment-state", "lost"), ExitCode.USAGE, "lost"),
    ],
    ids=["bad-key", "no-key", "not-found", "rate-limited", "network", "bad-date", "no-org", "wrong-filter", "bad-enum"],
)
def test_errors_are_one_line_with_documented_exit_codes(
    run: Run, sandbox: Sandbox, setup: object, args: tuple[str, ...], code: int, message: str
) -> None:
    env: dict[str, str] = {}
    if setup == "rate-limit":
        sandbox.inject(Fault.rate_limit(retry_after=0), times=None)
    elif setup == "closed-port":
        env = {"GCORE_BASE_URL": f"http://127.0.0.1:{_closed_port()}"}
    else:
        assert isinstance(setup, dict)
        env = setup
    done = run(*args, env=env)
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert sandbox.gcore.api_key not in done.stderr + done.stdout


def test_console_script_and_demo(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("invoice-clients")
    assert script.exists(), "the console script is installed with the package"
    done = subprocess.run(
        [str(script), "demo", "--dir", str(tmp_path)], capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "$ invoice-clients invoices list --vendor gcore" in done.stdout
    assert (tmp_path / "invoice-1.pdf").read_bytes().startswith(b"%PDF-")
    assert len(list(csv.DictReader((tmp_path / "credit-notes.csv").read_text().splitlines()))) > 0


def test_a_terminal_sees_a_progress_line_and_the_file_is_whole(sandbox: Sandbox, tmp_path: Path) -> None:
    """stderr on a terminal gets rich's progress line (erased at the end); a pipe never does (the other tests)."""
    import os
    import pty
    import select

    target = tmp_path / "all.csv"
    env = {
        **os.environ, "TERM": "xterm", "GCORE_API_KEY": sandbox.gcore.api_key, "GCORE_BASE_URL": sandbox.gcore_base_url,
    }  # fmt: skip
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "invoice_clients", "invoices", "export", "-o", str(target)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=terminal, env=env, timeout=120, check=False,
        )  # fmt: skip
        os.close(terminal)
        shown = b""
        while select.select([controller], [], [], 10)[0]:  # the command has exited: what it wrote is there now
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
    assert done.returncode == 0, shown
    rows = list(csv.DictReader(target.read_text().splitlines()))
    assert len(rows) == 31
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode())  # without the terminal's escape codes
    assert re.search(r"\d+ invoices\s+\d+:\d\d:\d\d", text), text  # the progress line: count, elapsed time
    assert "wrote 31 invoices to" in text
    assert done.stdout == b""
