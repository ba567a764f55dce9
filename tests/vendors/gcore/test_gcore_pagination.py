"""Pagination that loses nothing: offsets computed locally, each page overlapping the previous by a row.

A short page ends the listing unless its ``count`` or ``next`` says more exist; links are never followed.
The adversarial tests (``tests/paging/test_listing_*.py``, marked ``adversarial``) hold the guarantees against a
hostile server.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from invoice_clients import GcoreBilling, InconsistentListingError, ResponseValidationError
from invoice_clients.testing import Fault, Sandbox
from tests.conftest import FAST, gcore_list_requests


@pytest.fixture
def gcore_empty(empty_sandbox: Sandbox) -> Iterator[GcoreBilling]:
    with empty_sandbox.gcore_client(retry=FAST) as client:  # closed: its pooled connections are not left to GC
        yield client


def _add(sandbox: Sandbox, n: int) -> None:
    for _ in range(n):
        sandbox.gcore.add_invoice()


@pytest.mark.parametrize(
    ("count", "page_size", "offsets"),
    [
        (0, 5, [0]),
        (1, 5, [0]),
        (5, 5, [0, 4]),  # exactly one page: the next page, holding only the last row, proves the end
        (6, 5, [0, 4]),  # one page + 1
        (10, 5, [0, 4, 8]),  # each page starts at the previous page's last row
        (3, 1, [0, 1, 2]),  # page_size 1 is sent as limit 2: a page must overlap the previous one and advance
    ],
)
def test_edges(
    empty_sandbox: Sandbox, gcore_empty: GcoreBilling, count: int, page_size: int, offsets: list[int]
) -> None:
    _add(empty_sandbox, count)
    ids = [int(i.id) for i in gcore_empty.invoices.list(page_size=page_size)]
    assert ids == list(range(1, count + 1))
    # The adaptive prefetch sends the pages after the first at once: they may reach the sandbox in any order.
    assert sorted(int(q["offset"][0]) for q in gcore_list_requests(empty_sandbox)) == offsets
    assert {q["limit"][0] for q in gcore_list_requests(empty_sandbox)} == {str(max(page_size, 2))}


def test_lazy(empty_sandbox: Sandbox, gcore_empty: GcoreBilling) -> None:
    _add(empty_sandbox, 12)
    iterator = iter(gcore_empty.invoices.list(page_size=5, prefetch=0))
    assert empty_sandbox.requests == []
    assert [next(iterator).id for _ in range(5)] == ["1", "2", "3", "4", "5"]
    assert len(empty_sandbox.requests) == 1
    next(iterator)
    assert len(empty_sandbox.requests) == 2


def test_lazy_by_default_until_the_first_page(empty_sandbox: Sandbox, gcore_empty: GcoreBilling) -> None:
    _add(empty_sandbox, 12)
    iterator = iter(gcore_empty.invoices.list(page_size=5))
    assert empty_sandbox.requests == []
    assert next(iterator).id == "1"
    # The default prefetch then asks for the pages the first page's count says remain (offsets 4 and 8).
    assert [invoice.id for invoice in iterator] == [str(n) for n in range(2, 13)]
    # (concurrent requests reach the server in any order)
    assert sorted(int(q["offset"][0]) for q in gcore_list_requests(empty_sandbox)) == [0, 4, 8]


def test_invoices_inserted_mid_listing_are_neither_skipped_nor_repeated(
    empty_sandbox: Sandbox, gcore_empty: GcoreBilling
) -> None:
    _add(empty_sandbox, 7)
    # One page at a time, so "while we list" is well defined: with the default prefetch every page below
    # the first page's count may already be fetched before the inserts (they then existed too late).
    iterator = iter(gcore_empty.invoices.list(page_size=3, prefetch=0))
    seen = [next(iterator).id for _ in range(4)]  # two pages fetched
    # New invoices land while we list: one dated earliest of all (it would sort first by date).
    empty_sandbox.gcore.add_invoice(invoice_date="2000-01-01")
    empty_sandbox.gcore.add_invoice()
    seen += [invoice.id for invoice in iterator]
    assert seen == [str(n) for n in range(1, 10)]


def test_next_links_to_another_origin_are_never_followed(empty_sandbox: Sandbox, gcore_empty: GcoreBilling) -> None:
    _add(empty_sandbox, 7)
    with Sandbox(seed=False) as elsewhere:
        empty_sandbox.gcore.next_origin = elsewhere.url
        assert len(list(gcore_empty.invoices.list(page_size=3))) == 7
        assert elsewhere.requests == []


@pytest.mark.parametrize("lie", [0, 1, 3, -5])
def test_a_count_too_small_does_not_end_the_listing(
    empty_sandbox: Sandbox, gcore_empty: GcoreBilling, lie: int
) -> None:
    _add(empty_sandbox, 7)
    empty_sandbox.gcore.count_override = lie
    assert len(list(gcore_empty.invoices.list(page_size=3))) == 7
    assert sorted(int(q["offset"][0]) for q in gcore_list_requests(empty_sandbox)) == [0, 2, 4, 6]


def test_a_count_claiming_rows_never_sent_is_an_error_not_a_silent_end(
    empty_sandbox: Sandbox, gcore_empty: GcoreBilling
) -> None:
    # Before issue 11 this listing ended quietly with 7 invoices; a short page whose count says more exist
    # may be a server capping its pages, so the listing goes on, and raises when the rows never come.
    _add(empty_sandbox, 7)
    empty_sandbox.gcore.count_override = 10_000
    seen: list[str] = []
    with pytest.raises(InconsistentListingError, match="brought nothing new"):
        seen.extend(invoice.id for invoice in gcore_empty.invoices.list(page_size=3, prefetch=0))
    assert seen == [str(n) for n in range(1, 8)]
    assert len(empty_sandbox.requests) <= 4 + 17


def test_page_level_access(gcore: GcoreBilling) -> None:
    pager = gcore.invoices.list(page_size=10)
    pages = list(pager.pages())
    assert [(p.offset, len(p), p.received, p.is_last) for p in pages] == [
        (0, 10, 10, False),
        (9, 9, 10, False),  # the first row repeats the previous page's last: dropped from `invoices`
        (18, 9, 10, False),
        (27, 3, 4, True),
    ]
    assert pages[0].count == 31 and pages[0].raw.count == 31
    third = pager.fetch_page(20)
    assert [i.id for i in third] == [str(n) for n in range(21, 31)]


def test_every_iteration_relists(gcore: GcoreBilling) -> None:
    pager = gcore.invoices.list()
    assert list(pager) == list(pager)


@pytest.mark.parametrize("prefetch", [1, 3])
def test_prefetch_returns_the_same_in_order(sandbox: Sandbox, gcore: GcoreBilling, prefetch: int) -> None:
    sequential = [i.id for i in gcore.invoices.list(page_size=4)]
    sandbox.requests.clear()
    prefetched = [i.id for i in gcore.invoices.list(page_size=4, prefetch=prefetch)]
    assert prefetched == sequential
    offsets = sorted(int(q["offset"][0]) for q in gcore_list_requests(sandbox))
    # Every page once (each overlapping the previous by a row), plus at most `prefetch` speculative ones.
    assert offsets[:11] == list(range(0, 33, 3))
    assert len(offsets) <= 11 + prefetch


def test_prefetch_is_concurrent(sandbox: Sandbox, gcore: GcoreBilling) -> None:
    sandbox.inject(Fault.latency(0.05), times=None)
    assert len(list(gcore.invoices.list(page_size=10, prefetch=0))) == 31
    assert sandbox.max_in_flight == 1  # one page at a time with prefetch=0
    assert len(list(gcore.invoices.list(page_size=10, prefetch=4))) == 31
    assert sandbox.max_in_flight >= 2  # pages were in flight together


def _settle(sandbox: Sandbox, requests: int) -> None:
    """Wait until the sandbox has seen ``requests`` requests (5 s at most), then a little longer for any more."""
    ends = time.monotonic() + 5
    while len(sandbox.requests) < requests and time.monotonic() < ends:
        time.sleep(0.01)
    time.sleep(0.2)


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_queued_pages_go_out_as_requests_end_never_more_than_the_window_at_once(
    sandbox: Sandbox, use_async: bool
) -> None:
    """prefetch=2: three requests in flight at most; behind them, pages below the claimed count are queued and
    sent as soon as a request ends, not when the consumer takes the next page."""
    sandbox.inject(Fault.latency(0.05), times=None)
    # Pages of 3 overlap by a row: offsets 0, 2, 4, ...; the sandbox claims count 31.
    if use_async:

        async def two_pages_then_wait() -> None:
            async with sandbox.async_gcore_client(retry=FAST) as client:
                pages = client.invoices.list(page_size=3, prefetch=2).pages()
                await anext(pages)
                await anext(pages)  # schedules 2, 4, 6 (the window) and 8, 10 (queued)
                await asyncio.to_thread(_settle, sandbox, 6)  # the consumer takes nothing meanwhile
                sent.extend(int(q["offset"][0]) for q in gcore_list_requests(sandbox))
                await pages.aclose()

        sent: list[int] = []
        asyncio.run(two_pages_then_wait())
    else:
        with sandbox.gcore_client(retry=FAST) as client:
            pages = client.invoices.list(page_size=3, prefetch=2).pages()
            next(pages)
            next(pages)
            _settle(sandbox, 6)
            sent = [int(q["offset"][0]) for q in gcore_list_requests(sandbox)]
            pages.close()
    assert sorted(sent) == [0, 2, 4, 6, 8, 10]  # without the queue: 0 to 6, until the consumer takes a page
    assert sandbox.max_in_flight == 3


def test_default_prefetch_is_concurrent_and_stops_at_the_claimed_count(sandbox: Sandbox, gcore: GcoreBilling) -> None:
    sandbox.inject(Fault.latency(0.05), times=None)
    assert len(list(gcore.invoices.list(page_size=10))) == 31
    assert sandbox.max_in_flight >= 2
    # count 31: pages at 0, 9, 18, 27 (the short last one) and nothing past the end.
    assert sorted(int(q["offset"][0]) for q in gcore_list_requests(sandbox)) == [0, 9, 18, 27]


def test_a_429_backs_prefetch_off(sandbox: Sandbox, gcore: GcoreBilling) -> None:
    sandbox.inject(Fault.rate_limit(retry_after=0), times=1)
    ids = [i.id for i in gcore.invoices.list(page_size=2, prefetch=3)]
    assert ids == [str(n) for n in range(1, 32)]
    offsets = [int(q["offset"][0]) for q in gcore_list_requests(sandbox)]
    # Pages of 2 overlapping by a row advance one row at a time: offsets 0 to 30, plus the retried 429.  The 429
    # is retried inside its request, so the listing throttles only when that request ends; until then the window
    # (prefetch + 1 requests) and the queue behind it (prefetch more) may have gone out at any offsets, and the
    # pages ahead of the next one are dropped then (one page at a time from there): at most 2 * 3 + 1 wasted.
    # The 429 reaches whichever request arrives first, so which pages are wasted varies from run to run.
    assert len(offsets) <= 31 + 1 + (2 * 3 + 1)
    assert sorted(set(offsets)) == list(range(0, 35))[: len(set(offsets))]


def test_stopping_early_stops_fetching(empty_sandbox: Sandbox, gcore_empty: GcoreBilling) -> None:
    _add(empty_sandbox, 30)
    first = list(itertools.islice(gcore_empty.invoices.list(page_size=5, prefetch=0), 7))
    assert len(first) == 7
    assert len(empty_sandbox.requests) == 2
    sandbox_requests = len(empty_sandbox.requests)
    first = list(itertools.islice(gcore_empty.invoices.list(page_size=5), 7))
    assert len(first) == 7  # the default prefetch: at most the first page and 8 ahead were asked for
    assert len(empty_sandbox.requests) - sandbox_requests <= 1 + 8


def test_rows_shifted_by_inserts_ahead_of_the_cursor_are_not_repeated(
    empty_sandbox: Sandbox, gcore_empty: GcoreBilling
) -> None:
    _add(empty_sandbox, 7)
    iterator = iter(gcore_empty.invoices.list(page_size=3, ordering=["-id"], prefetch=0))
    seen = [next(iterator).id for _ in range(3)]  # first page: 7, 6, 5
    _add(empty_sandbox, 2)  # 9 and 8 sort ahead of the cursor, pushing 6 and 5 onto the next page
    seen += [invoice.id for invoice in iterator]
    assert seen == ["7", "6", "5", "4", "3", "2", "1"]
    # The page at 2 (7, 6, 5) brings nothing new: the next one starts at its last row.
    assert [int(q["offset"][0]) for q in gcore_list_requests(empty_sandbox)] == [0, 2, 4, 6, 8]


class _OffsetIgnoringServer(ThreadingHTTPServer):
    """Answers every list request with the same full page, as a mock serving one example does."""

    def __init__(self, page_size: int) -> None:
        body = json.dumps(
            {"count": 1000, "next": None, "previous": None, "results": [_wire_invoice(n) for n in range(page_size)]}
        ).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(ConnectionError):  # prefetch abandons speculative requests
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


def _wire_invoice(n: int) -> dict[str, object]:
    return {
        "id": n + 1, "name": f"INV/{n}", "move_type": "out_invoice", "currency": "EUR", "invoice_date": None,
        "invoice_date_due": None, "billing_period_from": None, "billing_period_to": None, "amount_untaxed": "1",
        "amount_tax": "0", "amount_total": "1", "payment_state": "paid", "client_id": 1, "payer_id": 1,
        "invoice_id": None, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
    }  # fmt: skip


@pytest.mark.parametrize("prefetch", [0, 2])
def test_a_server_that_ignores_offset_fails_the_listing_instead_of_looping(prefetch: int) -> None:
    server = _OffsetIgnoringServer(page_size=2)
    try:
        base_url = f"http://127.0.0.1:{server.server_address[1]}"
        with GcoreBilling("k", base_url=base_url) as client:
            iterator = iter(client.invoices.list(page_size=2, prefetch=prefetch))
            assert [next(iterator).id for _ in range(2)] == ["1", "2"]
            with pytest.raises(ResponseValidationError, match="pages in a row brought nothing new") as caught:
                next(iterator)
        assert isinstance(caught.value, InconsistentListingError)
        assert caught.value.url == base_url + "/billing/org/v1/erp-invoices"
    finally:
        server.shutdown()
        server.server_close()
