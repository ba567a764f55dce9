"""Class 6 and 9, read as a user reads them: what a body the client will not take is called, and what it says.

Each error of body reading (an encoding not asked for, a body too large, one that does not decode, a PDF that is
not one or was cut) is checked for its type, its whole message and the fields a handler reads (method, URL,
status); and the edges: a body exactly at the limit, a signature or a zlib header split across reads.
"""

from __future__ import annotations

import itertools
import json
import zlib
from collections.abc import Callable, Iterable

import pytest

from invoice_clients import (
    APIConnectionError,
    GcoreBilling,
    ResponseTooLargeError,
    ResponseValidationError,
    RetryPolicy,
)
from tests.servers.hostile import HostileServer, Request, Script, gcore_invoice, response

pytestmark = pytest.mark.adversarial

KEY = "sk-test-bodies-0123456789"
ONCE = RetryPolicy(max_attempts=1)
PAGE = json.dumps({"count": 1, "next": None, "previous": None, "results": [gcore_invoice()]}).encode()
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"  # under a KiB
PDF_TYPE = ("Content-Type", "application/pdf")


def _serving(*steps: bytes | float) -> Callable[[Request], Script]:
    def handler(request: Request) -> Script:
        return list(steps)

    return handler


def _head(headers: Iterable[tuple[str, str]], framing: str = "close") -> bytes:
    """A response head alone (the body follows as separate writes): with ``framing="close"`` no length."""
    return response(b"", headers=tuple(headers), framing=framing).removesuffix(b"0\r\n\r\n")


def _packed(data: bytes, wbits: int) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


def _page_error(handler: Callable[[Request], Script], **options: int) -> tuple[str, ResponseValidationError]:
    with (
        HostileServer(handler) as server,
        GcoreBilling(KEY, base_url=server.url, retry=ONCE, **options) as gcore,
        pytest.raises(ResponseValidationError) as caught,
    ):
        gcore.invoices.list().fetch_page()
    return server.url, caught.value


@pytest.mark.parametrize(
    ("coding", "message"),
    [
        ("br", "unsupported Content-Encoding 'br'"),
        ("gzip, br", "unsupported Content-Encoding 'gzip, br'"),
        ("gzip, gzip", "unsupported Content-Encoding 'gzip, gzip'"),
        ("x" * 300, ("unsupported Content-Encoding '" + "x" * 300)[:120]),
    ],
    ids=["unknown", "two-codings", "gzip-twice", "long-header-cut"],
)
def test_an_encoding_not_asked_for_is_refused_naming_it(coding: str, message: str) -> None:
    handler = _serving(response(PAGE, headers=(("Content-Type", "application/json"), ("Content-Encoding", coding))))
    url, error = _page_error(handler)
    assert error.message == message
    assert (error.method, error.url, error.status_code) == ("GET", url + "/billing/org/v1/erp-invoices", 200)


def test_identity_listed_beside_gzip_is_no_coding_at_all() -> None:
    headers = (("Content-Type", "application/json"), ("Content-Encoding", "identity,gzip"))
    with (
        HostileServer(_serving(response(_packed(PAGE, 31), headers=headers))) as server,
        GcoreBilling(KEY, base_url=server.url, retry=ONCE) as gcore,
    ):
        assert [invoice.id for invoice in gcore.invoices.list().fetch_page()] == ["1"]


def test_zlib_data_labelled_gzip_does_not_decode() -> None:
    headers = (("Content-Type", "application/json"), ("Content-Encoding", "gzip"))
    _, error = _page_error(_serving(response(_packed(PAGE, 15), headers=headers)))
    assert error.message == "the body cannot be decoded: Error -3 while decompressing data: incorrect header check"


def test_a_gzip_body_cut_before_its_end_marker_says_so() -> None:
    headers = (("Content-Type", "application/json"), ("Content-Encoding", "gzip"))
    _, error = _page_error(_serving(response(_packed(PAGE, 31)[:-12], headers=headers)))
    assert error.message == "the body cannot be decoded: the compressed body ends before its end marker"


def test_a_deflate_body_in_several_reads_is_decoded_as_one_stream() -> None:
    # The zlib-or-raw decision is taken on the first bytes only: a later read starting with any byte must not
    # restart the stream as raw deflate.
    body = _packed(json.dumps({"count": 1, "results": [gcore_invoice(name="N" * 4000)]}).encode(), 15)
    headers = (("Content-Type", "application/json"), ("Content-Encoding", "deflate"))
    cuts = [0, *range(1, len(body), max(len(body) // 6, 1)), len(body)]
    steps: list[bytes | float] = [_head(headers)]
    for start, end in itertools.pairwise(cuts):
        steps += [body[start:end], 0.02]
    with HostileServer(_serving(*steps)) as server, GcoreBilling(KEY, base_url=server.url, retry=ONCE) as gcore:
        assert [invoice.number for invoice in gcore.invoices.list().fetch_page()] == ["N" * 4000]


def test_a_body_at_the_limit_is_taken_one_byte_over_is_not() -> None:
    handler = _serving(response(PAGE))
    with HostileServer(handler) as server:
        with GcoreBilling(KEY, base_url=server.url, retry=ONCE, max_response_bytes=len(PAGE)) as gcore:
            assert len(gcore.invoices.list().fetch_page()) == 1
        with (
            GcoreBilling(KEY, base_url=server.url, retry=ONCE, max_response_bytes=len(PAGE) - 1) as gcore,
            pytest.raises(ResponseTooLargeError) as caught,
        ):
            gcore.invoices.list().fetch_page()
    assert (
        caught.value.message
        == f"response body larger than the limit of {len(PAGE) - 1} bytes (Content-Length {len(PAGE)})"
    )
    assert (caught.value.method, caught.value.url) == ("GET", server.url + "/billing/org/v1/erp-invoices")


def test_a_body_over_the_limit_without_a_length_is_stopped_saying_more_was_coming() -> None:
    with (
        HostileServer(_serving(response(PAGE, framing="chunked"))) as server,
        GcoreBilling(KEY, base_url=server.url, retry=ONCE, max_response_bytes=100) as gcore,
        pytest.raises(ResponseTooLargeError) as caught,
    ):
        gcore.invoices.list().fetch_page()
    assert caught.value.message == "response body larger than the limit of 100 bytes (more was still coming)"
    assert (caught.value.method, caught.value.url) == ("GET", server.url + "/billing/org/v1/erp-invoices")


def _pdf_error(*steps: bytes | float) -> tuple[str, Exception]:
    with (
        HostileServer(_serving(*steps)) as server,
        GcoreBilling(KEY, base_url=server.url, retry=ONCE) as gcore,
        pytest.raises((ResponseValidationError, APIConnectionError)) as caught,
    ):
        gcore.invoices.download_pdf(1)
    return server.url, caught.value


@pytest.mark.parametrize(
    "body", [b"<!doctype html>", b"%PD", b"", b"%PDX-1.4 %%EOF"], ids=["html", "short", "empty", "near-miss"]
)
def test_a_body_that_is_not_a_pdf_says_so(body: bytes) -> None:
    url, error = _pdf_error(response(body, headers=(PDF_TYPE,)))
    assert isinstance(error, ResponseValidationError)
    assert error.message == "expected a PDF, but the body does not start with %PDF-"
    assert (error.method, error.url, error.status_code) == ("GET", url + "/billing/org/v1/erp-invoices/1/download", 200)


def test_a_pdf_whose_signature_comes_in_pieces_is_a_pdf() -> None:
    steps = [_head([PDF_TYPE], framing="length").replace(b"Content-Length: 0", f"Content-Length: {len(PDF)}".encode())]
    steps += [PDF[:2], 0.02, PDF[2:4], 0.02, PDF[4:]]
    with HostileServer(_serving(*steps)) as server, GcoreBilling(KEY, base_url=server.url, retry=ONCE) as gcore:
        assert gcore.invoices.download_pdf(1) == PDF


def test_a_small_pdf_without_framing_is_complete_when_it_ends_with_its_marker() -> None:
    with (
        HostileServer(_serving(response(PDF, headers=(PDF_TYPE,), framing="close"))) as server,
        GcoreBilling(KEY, base_url=server.url, retry=ONCE) as gcore,
    ):
        assert gcore.invoices.download_pdf(1) == PDF


def test_a_pdf_cut_on_a_connection_without_framing_is_a_dropped_connection() -> None:
    url, error = _pdf_error(response(PDF[:-8], headers=(PDF_TYPE,), framing="close"))
    assert type(error) is APIConnectionError
    assert error.message == (
        "the PDF ended without its %%EOF marker on a connection with no length or chunked framing: the body was cut"
    )
    assert (error.method, error.url, error.status_code) == (
        "GET",
        url + "/billing/org/v1/erp-invoices/1/download",
        None,
    )


def test_a_content_type_that_is_not_a_pdf_is_named() -> None:
    _, error = _pdf_error(response(PDF, headers=(("Content-Type", "Text/HTML; charset=utf-8"),)))
    assert isinstance(error, ResponseValidationError)
    assert error.message == "expected a PDF, got Content-Type 'text/html'"
    _, error = _pdf_error(response(PDF, headers=()))
    assert isinstance(error, ResponseValidationError) and error.message == "expected a PDF, got Content-Type 'none'"


@pytest.mark.parametrize("digits", [18, 19, 20])
def test_a_declared_length_over_the_limit_fails_before_the_body_is_read_however_many_digits(digits: int) -> None:
    declared = "9" * digits
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {declared}\r\n\r\n".encode()
    with (
        HostileServer(_serving(head, b"{}")) as server,
        GcoreBilling(KEY, base_url=server.url, retry=RetryPolicy(max_attempts=3, initial_delay=0.001)) as gcore,
        pytest.raises(ResponseTooLargeError) as caught,
    ):
        gcore.invoices.list().fetch_page()
    assert caught.value.message == f"response body larger than the limit of 8388608 bytes (Content-Length {declared})"
    assert len(server.requests) == 1  # not read, so not cut, so not retried


def test_a_body_exactly_at_a_declared_limit_is_taken() -> None:
    with (
        HostileServer(_serving(response(PAGE))) as server,
        GcoreBilling(KEY, base_url=server.url, retry=ONCE, max_response_bytes=len(PAGE)) as gcore,
    ):
        assert len(gcore.invoices.list().fetch_page()) == 1


def _held_back(page: bytes, body: bytes, cut: int) -> bool:
    """Whether reading raw-deflate ``body`` as two reads split at ``cut`` leaves output only flush() returns."""
    inflater, produced = zlib.decompressobj(-15), 0
    for data in (body[:cut], body[cut:]):
        while data and not inflater.eof:
            produced += len(inflater.decompress(data, 64 * 1024))
            data = inflater.unconsumed_tail
    return produced < len(page)


def test_a_raw_deflate_body_whose_last_bytes_come_out_only_at_its_end_is_whole() -> None:
    # zlib can hold back output it has decoded when a read ends just so, the input used up: those bytes come out
    # only when the stream is finished.  Find such a page (an empty one, padded) and split, send it in two reads.
    empty = json.dumps({"count": 0, "next": None, "previous": None, "results": []}).encode()
    found = None
    for size in range(65_830, 65_880):  # 65_854 with the zlib of 2026: a band, should a later zlib differ
        page = empty[:-1] + b" " * (size - len(empty)) + b"}"
        body = _packed(page, -15)
        found = next(((body, cut) for cut in range(1, len(body)) if _held_back(page, body, cut)), None)
        if found:
            break
    assert found is not None, "no body in the band makes zlib hold output back: widen the band"
    body, cut = found
    headers = (("Content-Type", "application/json"), ("Content-Encoding", "deflate"))
    with (
        HostileServer(_serving(_head(headers), body[:cut], 0.05, body[cut:])) as server,
        GcoreBilling(KEY, base_url=server.url, retry=ONCE) as gcore,
    ):
        page_read = gcore.invoices.list().fetch_page()
    assert (len(page_read), page_read.count) == (0, 0)


@pytest.mark.parametrize("framing", ["length", "chunked"])
def test_a_framed_pdf_is_complete_whatever_its_last_kib_holds(framing: str) -> None:
    # An incremental update or a signature can follow the first %%EOF by more than a KiB: framing alone says
    # the body is whole.  Only a body with no framing is held to the marker.
    pdf = PDF + b"%" + b" " * 2048 + b"\n"
    with (
        HostileServer(_serving(response(pdf, headers=(PDF_TYPE,), framing=framing))) as server,
        GcoreBilling(KEY, base_url=server.url, retry=ONCE) as gcore,
    ):
        assert gcore.invoices.download_pdf(1) == pdf


def test_a_pdf_media_type_with_parameters_is_a_pdf() -> None:
    headers = (("Content-Type", "Application/PDF; name=invoice-1.pdf; charset=binary"),)
    with (
        HostileServer(_serving(response(PDF, headers=headers))) as server,
        GcoreBilling(KEY, base_url=server.url, retry=ONCE) as gcore,
    ):
        assert gcore.invoices.download_pdf(1) == PDF


def test_a_long_content_type_is_cut_in_the_message() -> None:
    _, error = _pdf_error(response(PDF, headers=(("Content-Type", "text/" + "x" * 300),)))
    assert isinstance(error, ResponseValidationError)
    assert error.message == ("expected a PDF, got Content-Type 'text/" + "x" * 300)[:120]
