"""Each guard of the listing (see docs/guarantees.md) triggered through the public client, one case each.

A scripted server answers the Gcore list endpoint from a table the test controls: one table per request (the
last one repeated), sliced at the requested offset and limit, as a server whose rows change between two
requests does.  Each case is something a user can meet: an invoice edited while it is listed, rows deleted
behind the cursor, a 429 on the first page, a server whose order is not the one asked for.  The adversarial
suite holds the guarantees against random misbehaviour; these pin down the decision each guard makes, and what
its error says (the offset, the invoice).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from invoice_clients import GcoreBilling, InconsistentListingError
from invoice_clients.testing import Fault, Sandbox
from tests.conftest import FAST, gcore_list_requests

_PATH = "/billing/org/v1/erp-invoices"
Row = tuple[int, str]
"""An invoice as the table holds it: its id and its ``amount_total``."""


def _wire(invoice_id: int, amount: str) -> dict[str, object]:
    return {
        "id": invoice_id, "name": f"INV/{invoice_id}", "move_type": "out_invoice", "currency": "EUR",
        "invoice_date": None, "invoice_date_due": None, "billing_period_from": None, "billing_period_to": None,
        "amount_untaxed": amount, "amount_tax": "0", "amount_total": amount, "payment_state": "paid",
        "client_id": 1, "payer_id": 1, "invoice_id": None, "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
    }  # fmt: skip


Page = tuple[Sequence[Row], int]
"""What the server answers: the rows of the page and the ``count`` it claims."""


class _ScriptedServer(ThreadingHTTPServer):
    """The list endpoint answering ``answer(request_number, offset, limit)``; ``offsets`` records each request's."""

    daemon_threads = True

    def __init__(self, answer: Callable[[int, int, int], Page]) -> None:
        self.offsets: list[int] = []
        lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                offset, limit = int(query["offset"][0]), int(query["limit"][0])
                with lock:
                    number = len(server.offsets)
                    server.offsets.append(offset)
                rows, count = answer(number, offset, limit)
                page = {"count": count, "next": None, "previous": None, "results": [_wire(*row) for row in rows]}
                body = json.dumps(page).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(ConnectionError):
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextlib.contextmanager
def _serving(answer: Callable[[int, int, int], Page]) -> Iterator[_ScriptedServer]:
    server = _ScriptedServer(answer)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _tables(*tables: Sequence[Row]) -> Callable[[int, int, int], Page]:
    """Request n sliced from ``tables[n]`` (the last table once past the end), claiming that table's length: a
    table whose rows change between two requests, each answer one consistent slice of it."""

    def answer(number: int, offset: int, limit: int) -> Page:
        table = tables[min(number, len(tables) - 1)]
        return table[offset : offset + limit], len(table)

    return answer


def _list(server: _ScriptedServer, **options: Any) -> tuple[list[int], InconsistentListingError | None]:
    """What the listing yielded (in order) and the error that ended it, if any."""
    yielded: list[int] = []
    with GcoreBilling("k", base_url=server.base_url, retry=FAST) as gcore:
        try:
            yielded.extend(int(invoice.id) for invoice in gcore.invoices.list(prefetch=0, **options))
        except InconsistentListingError as error:
            return yielded, error
    return yielded, None


def _ids(*ids: int) -> list[Row]:
    return [(n, "1") for n in ids]


def test_an_invoice_that_comes_back_after_the_listing_passed_it_is_an_error_not_a_duplicate() -> None:
    # Ordered by amount: invoice 1 (the cheapest) is yielded on the first page, then edited to the dearest
    # before the next request.  The rows behind it move back a place: the page at offset 2 starts past the
    # anchor (invoice 3), so the listing steps back to offset 1, where invoice 1 follows the anchor, as if new.
    before = [(1, "1"), (2, "2"), (3, "3"), (4, "4")]
    after = [(2, "2"), (3, "3"), (4, "4"), (1, "50")]
    with _serving(_tables(before, after)) as server:
        yielded, error = _list(server, page_size=3, ordering=["amount_total"])
    assert yielded == [1, 2, 3]  # yielded once each; nothing of the page that brought invoice 1 back
    assert error is not None
    assert error.message == (
        "invoice 1 came back on the page at offset 1 after the listing had passed it (its sort fields changed or"
        " the server is inconsistent): it would be yielded twice"
    )
    assert (error.method, error.url, error.status_code) == ("GET", server.base_url + _PATH, 200)
    assert server.offsets == [0, 2, 1]


def test_disorder_between_the_first_two_rows_of_a_page_is_an_error() -> None:
    with _serving(_tables(_ids(2, 1, 3, 4))) as server:
        yielded, error = _list(server, page_size=5)
    assert yielded == []
    assert error is not None
    assert error.message == "the page at offset 0 is not in the requested order: invoice 1 follows 2"


def test_a_row_repeated_at_the_start_of_a_later_page_is_an_error() -> None:
    with _serving(_tables(_ids(1, 2, 3, 4, 4, 5, 6))) as server:
        yielded, error = _list(server, page_size=3)
    assert yielded == [1, 2, 3]
    assert error is not None
    assert error.message == "the page at offset 2 is not in the requested order: invoice 4 follows 4 twice"


def test_one_invoice_twice_in_a_page_under_another_ordering_is_an_error() -> None:
    # Ordered by amount then id, the two copies of invoice 5 (edited mid-query) have distinct keys, in order:
    # only the id check can see that one invoice is there twice.
    with _serving(_tables([(4, "1"), (5, "2"), (5, "3"), (6, "4")])) as server:
        yielded, error = _list(server, page_size=5, ordering=["amount_total"])
    assert yielded == []
    assert error is not None
    assert error.message == "the page at offset 0 holds invoice 5 twice"


def test_rows_deleted_behind_the_cursor_make_the_listing_step_back_to_offset_zero() -> None:
    # After the first page, invoices 1-4 are deleted: every later offset starts past the anchor (invoice 4).
    # The listing steps back, a quarter page and doubling, and must reach offset 0 to be anchored again.
    with _serving(_tables(_ids(*range(1, 11)), _ids(*range(5, 11)))) as server:
        yielded, error = _list(server, page_size=4)
    assert error is None
    assert yielded == list(range(1, 11))
    assert server.offsets == [0, 3, 2, 0, 3]


def test_every_invoice_deleted_after_the_first_page_ends_the_listing_at_offset_zero() -> None:
    with _serving(_tables(_ids(1, 2, 3, 4, 5), [])) as server:
        yielded, error = _list(server, page_size=5)
    assert (yielded, error) == ([1, 2, 3, 4, 5], None)
    # Empty pages past offset 0 are a shift, not the end: back a quarter page, then doubling, to offset 0,
    # where an empty page claiming nothing more is the end.
    assert server.offsets == [0, 4, 3, 1, 0]


def _first_page_then(later: Sequence[Row]) -> Callable[[int, int, int], Page]:
    """Invoices 1-5 at offset 0, ``later`` at any other offset, always claiming 100 rows."""
    return lambda number, offset, limit: (_ids(1, 2, 3, 4, 5) if offset == 0 else later, 100)


@pytest.mark.parametrize(
    ("later", "why"),
    [
        (_ids(10, 11, 12, 13, 14), "the page at offset 4 did not reach back to the last invoice yielded"),
        ([], "the page at offset 4 was empty"),
    ],
    ids=["past-the-anchor", "empty"],
)
def test_a_server_that_never_lets_the_listing_advance_ends_in_an_error_saying_where_and_why(
    later: list[Row], why: str
) -> None:
    with _serving(_first_page_then(later)) as server:
        yielded, error = _list(server, page_size=5)
    assert yielded == [1, 2, 3, 4, 5]
    assert error is not None
    assert error.message == (
        f"17 pages in a row brought nothing new ({why}): the server's pages repeat, cycle or keep shifting, so"
        " the listing stops rather than risk a lost or repeated invoice"
    )
    # Back a quarter page, doubling, to offset 0 (which brings nothing after invoice 5), then on and back.
    assert server.offsets == [0, 4, 3, 1, 0, *[4, 0] * 6, 4]


def test_claimed_rows_that_never_come_end_in_an_error_naming_the_page_that_brought_nothing() -> None:
    with _serving(lambda number, offset, limit: (_ids(1, 2, 3, 4, 5)[offset : offset + limit], 100)) as server:
        yielded, error = _list(server, page_size=5)
    assert yielded == [1, 2, 3, 4, 5]
    assert error is not None
    assert error.message.startswith(
        "17 pages in a row brought nothing new (the page at offset 0 brought no invoice after the last one yielded)"
    )


def test_a_429_on_the_first_page_keeps_the_adaptive_prefetch_at_one_page_at_a_time(sandbox: Sandbox) -> None:
    sandbox.inject(Fault.rate_limit(retry_after=0), times=1)  # the first request is throttled
    sandbox.inject(Fault.latency(0.02), times=None)  # then each answer takes a while: overlap would show
    with sandbox.gcore_client(retry=FAST) as gcore:
        ids = [invoice.id for invoice in gcore.invoices.list(page_size=4)]  # the default: adaptive prefetch
    assert ids == [str(n) for n in range(1, 32)]
    assert sandbox.max_in_flight == 1
    assert [int(q["offset"][0]) for q in gcore_list_requests(sandbox)] == [0, 0, *range(3, 31, 3)]
