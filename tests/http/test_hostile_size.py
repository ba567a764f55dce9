"""Class 6: bodies are bounded in decoded bytes while streaming; a gzip bomb cannot inflate memory."""

from __future__ import annotations

import asyncio
import functools
import json
import tracemalloc
import zlib

import pytest

from invoice_clients import (
    APIError,
    AsyncGcoreBilling,
    GcoreBilling,
    ResponseTooLargeError,
    ResponseValidationError,
    RetryPolicy,
)
from tests.servers.hostile import HostileServer, Request, Script, gcore_invoice, response

pytestmark = pytest.mark.adversarial

KEY = "sk-test-size-0123456789"
ONCE = RetryPolicy(max_attempts=1)
MIB = 1024 * 1024


def _bomb(size_mib: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip
    zeros = b"0" * MIB
    return b"".join([packer.compress(zeros) for _ in range(size_mib)]) + packer.flush()


@functools.cache
def _the_bomb() -> bytes:
    return _bomb(96)  # 96 MiB of digits in about 100 KB: twelve times the default limit


def gzip_bomb(request: Request) -> Script:
    return [response(_the_bomb(), headers=(("Content-Type", "application/json"), ("Content-Encoding", "gzip")))]


def huge_chunked(request: Request) -> Script:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b" " * 65536
    return [head, *[f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" for _ in range(200)], b"0\r\n\r\n"]


def huge_declared(request: Request) -> Script:
    return [b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 209715200\r\n\r\n", b" " * 65536]


@pytest.mark.parametrize("handler", [gzip_bomb, huge_chunked, huge_declared])
def test_a_body_over_the_limit_is_refused_with_bounded_memory(handler: object) -> None:
    with HostileServer(handler) as server, GcoreBilling(KEY, base_url=server.url, retry=ONCE) as gcore:
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLargeError) as caught:
                gcore.invoices.get(1)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert isinstance(caught.value, APIError)
    assert peak < 40 * MIB, f"peak {peak / MIB:.1f} MiB"


def test_the_limit_is_an_option_and_pdfs_have_their_own() -> None:
    pdf = b"%PDF-1.4\n" + b"0" * (9 * MIB) + b"\n%%EOF\n"
    page = json.dumps({"count": 1, "results": [gcore_invoice()]}).encode()

    def handler(request: Request) -> Script:
        if request.target.startswith("/billing/org/v1/erp-invoices/1/download"):
            return [response(pdf, headers=(("Content-Type", "application/pdf"),))]
        return [response(page)]

    with HostileServer(handler) as server:
        with GcoreBilling(KEY, base_url=server.url, retry=ONCE) as gcore:
            assert len(gcore.invoices.download_pdf(1)) == len(pdf)  # 9 MiB: over the JSON default, under the PDF one
        small_pages = GcoreBilling(KEY, base_url=server.url, retry=ONCE, max_response_bytes=len(page) - 1)
        with small_pages as gcore, pytest.raises(ResponseTooLargeError):
            gcore.invoices.list().fetch_page()
        with GcoreBilling(KEY, base_url=server.url, retry=ONCE, max_pdf_bytes=MIB) as gcore:
            assert len(gcore.invoices.list().fetch_page()) == 1  # the PDF limit is not the page limit
            with pytest.raises(ResponseTooLargeError):
                gcore.invoices.download_pdf(1)


def test_the_async_client_is_bounded_too() -> None:
    async def scenario(url: str) -> None:
        async with AsyncGcoreBilling(KEY, base_url=url, retry=ONCE) as gcore:
            with pytest.raises(ResponseTooLargeError):
                await gcore.invoices.get(1)

    with HostileServer(gzip_bomb) as server:
        tracemalloc.start()
        try:
            asyncio.run(scenario(server.url))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 40 * MIB, f"peak {peak / MIB:.1f} MiB"


def _deflate(data: bytes, wbits: int) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("coding", "wbits", "framing"),
    [("gzip", 31, "length"), ("x-gzip", 31, "chunked"), ("deflate", 15, "length"), ("deflate", -15, "close"),
     ("identity", 0, "chunked")],
)  # fmt: skip
def test_the_bounded_decoder_reads_what_servers_send(coding: str, wbits: int, framing: str) -> None:
    page = json.dumps({"count": 100, "results": [gcore_invoice(id=n) for n in range(1, 101)]}).encode()
    body = page if coding == "identity" else _deflate(page, wbits)

    def handler(request: Request) -> Script:
        headers = (("Content-Type", "application/json"), ("Content-Encoding", coding))
        return [response(body, headers=headers, framing=framing)]

    with HostileServer(handler) as server, GcoreBilling(KEY, base_url=server.url, retry=ONCE) as gcore:
        assert [invoice.id for invoice in gcore.invoices.list().fetch_page()] == [str(n) for n in range(1, 101)]
        assert server.requests[-1].headers["accept-encoding"] == "gzip, deflate"


def test_a_truncated_gzip_body_is_a_typed_error() -> None:
    body = _deflate(json.dumps(gcore_invoice()).encode(), 31)[:-12]

    def handler(request: Request) -> Script:
        headers = (("Content-Type", "application/json"), ("Content-Encoding", "gzip"))
        return [response(body, headers=headers)]

    with (
        HostileServer(handler) as server,
        GcoreBilling(KEY, base_url=server.url, retry=ONCE) as gcore,
        pytest.raises(ResponseValidationError, match="decoded"),
    ):
        gcore.invoices.get(1)
