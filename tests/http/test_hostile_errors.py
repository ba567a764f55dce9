"""Class 7: every failure is an ``InvoiceClientsError``: odd ids, hostile bodies, odd protocol errors."""

from __future__ import annotations

import json

import pytest

from invoice_clients import (
    AsyncGcoreBilling,
    GcoreBilling,
    InvalidArgumentError,
    InvoiceClientsError,
    ResponseValidationError,
    RetryPolicy,
)
from tests.servers.hostile import HostileServer, Request, Script, gcore_invoice, response

pytestmark = pytest.mark.adversarial

KEY = "sk-test-errors-0123456789"
ONCE = RetryPolicy(max_attempts=1)


def _label(value: object) -> str:
    """A test id (``repr`` of ``10**5000`` itself raises)."""
    return "huge" if isinstance(value, int) and value.bit_length() > 200 else ascii(value)[:24]


def _serve(body: bytes, **options: object) -> HostileServer:
    def handler(request: Request) -> Script:
        return [response(body, **options)]  # type: ignore[arg-type]

    return HostileServer(handler)


@pytest.mark.parametrize(
    "invoice_id",
    ["²", "١٢", "007", " 1", "1 ", "", "-1", "+1", "1e3", "9" * 30, 10**5000, -1, 0, 2**63, True, 1.0, None, b"1"],
    ids=_label,
)
def test_an_odd_invoice_id_is_refused_before_sending(invoice_id: object) -> None:
    with _serve(json.dumps(gcore_invoice()).encode()) as server, GcoreBilling(KEY, base_url=server.url) as gcore:
        for call in (gcore.invoices.get, gcore.invoices.download_pdf):
            with pytest.raises(InvalidArgumentError):
                call(invoice_id)  # type: ignore[arg-type]
        assert not server.requests


@pytest.mark.parametrize("invoice_id", [1, "42", 2**63 - 1, str(2**63 - 1)])
def test_a_valid_invoice_id_is_sent_as_digits(invoice_id: int | str) -> None:
    with _serve(json.dumps(gcore_invoice()).encode()) as server, GcoreBilling(KEY, base_url=server.url) as gcore:
        gcore.invoices.get(invoice_id)  # type: ignore[arg-type]
        assert server.requests[-1].target == f"/billing/org/v1/erp-invoices/{int(invoice_id)}"


@pytest.mark.parametrize(
    ("name", "body", "options"),
    [
        ("nested arrays", b"[" * 100_000, {}),
        ("nested objects", b'{"a":' * 100_000, {}),
        ("nested in results", b'{"count": 1, "results": [' + b"[" * 50_000 + b"]" * 50_000 + b"]}", {}),
        (
            "bad gzip",
            b"not gzip at all",
            {"headers": (("Content-Type", "application/json"), ("Content-Encoding", "gzip"))},
        ),
        ("unasked encoding", b"xx", {"headers": (("Content-Type", "application/json"), ("Content-Encoding", "br"))}),
        ("not utf-8", b'{"count": 1, "results": ["\xff\xfe"]}', {}),
        ("garbage status", b"", {"status": "ABC"}),
    ],
)
def test_a_hostile_body_is_a_typed_error(name: str, body: bytes, options: dict[str, object]) -> None:
    with _serve(body, **options) as server, GcoreBilling(KEY, base_url=server.url, retry=ONCE) as gcore:
        with pytest.raises(InvoiceClientsError):
            gcore.invoices.get(1)
        with pytest.raises(InvoiceClientsError):
            gcore.invoices.list().fetch_page()


def test_deep_nesting_is_a_response_validation_error_async_too() -> None:
    import asyncio

    async def scenario(url: str) -> None:
        async with AsyncGcoreBilling(KEY, base_url=url, retry=ONCE) as gcore:
            with pytest.raises(ResponseValidationError):
                await gcore.invoices.get(1)

    with _serve(b"[" * 100_000) as server:
        asyncio.run(scenario(server.url))


def test_not_http_at_all_is_a_typed_error() -> None:
    def handler(request: Request) -> Script:
        return [b"\x00\x01\x02 this is not HTTP\r\n\r\n"]

    with (
        HostileServer(handler) as server,
        GcoreBilling(KEY, base_url=server.url, retry=ONCE) as gcore,
        pytest.raises(InvoiceClientsError),
    ):
        gcore.invoices.get(1)


@pytest.mark.parametrize("value", [10**5000, 2**31, -(2**31) - 1, True, 1.5], ids=_label)
def test_an_odd_filter_id_is_refused_before_sending(value: object) -> None:
    with _serve(b"{}") as server, GcoreBilling(KEY, base_url=server.url) as gcore:
        with pytest.raises(InvalidArgumentError):
            gcore.invoices.list(client_id=value).fetch_page()  # type: ignore[arg-type]
        assert not server.requests
