"""Class 9: only a complete PDF is delivered; files are atomic, with normal permissions."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from invoice_clients import (
    GcoreBilling,
    InvoiceClientsError,
    LocalFileError,
    ResponseValidationError,
    RetryPolicy,
)
from invoice_clients.cli import ExitCode
from tests.servers.hostile import HostileServer, Request, Script, response

pytestmark = pytest.mark.adversarial

KEY = "sk-test-downloads-0123456789"
QUICK = RetryPolicy(max_attempts=2, initial_delay=0.01, max_delay=0.01, jitter=0.0)
PDF = b"%PDF-1.4\n" + b"1 0 obj << >> endobj\n" * 800 + b"trailer << >>\n%%EOF\n"
PDF_TYPE = (("Content-Type", "application/pdf"),)


def _serving(body: bytes, **options: object) -> Callable[[Request], Script]:
    def handler(request: Request) -> Script:
        return [response(body, **options)]  # type: ignore[arg-type]

    return handler


BAD = {
    "html page": _serving(b"<!doctype html><html>Log in</html>", headers=(("Content-Type", "text/html"),)),
    "html labelled pdf": _serving(b"<!doctype html><html>Log in</html>", headers=PDF_TYPE),
    "pdf labelled html": _serving(PDF, headers=(("Content-Type", "text/html; charset=utf-8"),)),
    "no content type": _serving(PDF, headers=()),
    "cut without framing": _serving(PDF[: len(PDF) // 2], headers=PDF_TYPE, framing="close"),
    "empty": _serving(b"", headers=PDF_TYPE),
}


@pytest.mark.parametrize("name", list(BAD))
def test_a_bad_or_partial_pdf_is_a_typed_error_and_writes_nothing(name: str, tmp_path: Path) -> None:
    target = tmp_path / "invoice.pdf"
    with HostileServer(BAD[name]) as server, GcoreBilling(KEY, base_url=server.url, retry=QUICK) as gcore:
        with pytest.raises(InvoiceClientsError):
            gcore.invoices.download_pdf(1, to=target)
        with pytest.raises(InvoiceClientsError):
            gcore.invoices.download_pdf(1)
        sink = io.BytesIO()
        with pytest.raises(InvoiceClientsError):
            gcore.invoices.download_pdf(1, to=sink)
        assert sink.getvalue() == b""
    assert list(tmp_path.iterdir()) == []


def test_html_is_a_response_validation_error() -> None:
    with (
        HostileServer(BAD["html page"]) as server,
        GcoreBilling(KEY, base_url=server.url, retry=QUICK) as gcore,
        pytest.raises(ResponseValidationError),
    ):
        gcore.invoices.download_pdf(1)


@pytest.mark.parametrize(
    ("framing", "headers"),
    [("close", PDF_TYPE), ("chunked", PDF_TYPE), ("length", (("Content-Type", "application/octet-stream"),))],
)
def test_a_complete_pdf_is_written_with_normal_permissions(
    framing: str, headers: tuple[tuple[str, str], ...], tmp_path: Path
) -> None:
    target = tmp_path / "invoice.pdf"
    old = os.umask(0o022)
    try:
        with (
            HostileServer(_serving(PDF, headers=headers, framing=framing)) as server,
            GcoreBilling(KEY, base_url=server.url, retry=QUICK) as gcore,
        ):
            assert gcore.invoices.download_pdf(1, to=target) == len(PDF)
    finally:
        os.umask(old)
    assert target.read_bytes() == PDF
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["invoice.pdf"]


def test_a_missing_directory_is_a_local_file_error_naming_the_path(tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "invoice.pdf"
    with (
        HostileServer(_serving(PDF, headers=PDF_TYPE)) as server,
        GcoreBilling(KEY, base_url=server.url, retry=QUICK) as gcore,
        pytest.raises(LocalFileError) as caught,
    ):
        gcore.invoices.download_pdf(1, to=target)
    assert not server.requests  # the directory is checked before anything is sent
    assert isinstance(caught.value, OSError)
    assert isinstance(caught.value, InvoiceClientsError)
    assert str(target) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_cli_reports_an_unwritable_pdf_path_in_one_line(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "invoice.pdf"
    with HostileServer(_serving(PDF, headers=PDF_TYPE)) as server:
        done = subprocess.run(
            [sys.executable, "-m", "invoice_clients", "invoices", "pdf", "1", "-o", str(target),
             "--base-url", server.url],
            env={**os.environ, "GCORE_API_KEY": KEY}, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == ExitCode.OUTPUT_FILE, done.stderr  # LocalFileError: an output file, as with -o
    assert done.stderr.count("\n") == 1 and str(target) in done.stderr.replace("\n", "")
