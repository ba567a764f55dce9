"""A hostile Gcore list endpoint, written from the spec alone, for the listing tests.

Deliberately independent of ``invoice_clients.testing`` (and of the facade's
sort keys): it sorts with its own keys, so the two cannot share a misreading.
It serves ``GET /billing/org/v1/erp-invoices`` over stdlib HTTP on 127.0.0.1,
honours ``limit``, ``offset`` and ``ordering`` over an in-memory table kept in
the requested order (nulls last ascending, first descending, as PostgreSQL),
and answers bodies valid against ``generated/gcore-billing.effective.yaml``.
With ``keep_alive`` it speaks HTTP/1.1 and keeps connections open, so that
clients pool them.  On purpose it can misbehave, per request: insert rows (each new id the largest
so far, dates and amounts anywhere), delete rows behind the requested offset
(shifting rows back over it) or ahead of the page, cap the page size, claim
more rows than it has, alternate two pages whatever the offset, wrap offsets
round, repeat a row inside a page, swap two rows.

Every response is one consistent slice (taken under a lock).  The server
stops itself: after ``max_requests`` it answers 500 (which the client does
not retry), and leaving the ``with`` block shuts it down.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import random
import threading
import time
from bisect import bisect_left
from collections.abc import Callable
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from invoice_clients import AsyncGcoreBilling, GcoreBilling, InvoiceClientsError, RetryPolicy

__all__ = ["PATH", "Outcome", "PagingServer", "list_through_facade"]

PATH = "/billing/org/v1/erp-invoices"
_DAY0 = datetime.date(2026, 1, 1)
_T0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
_AMOUNTS = ("10.00", "10.5", "99.990000000000", "0", "1250.000000000000", "-5.25", "7", "10.50")
_FIELDS = frozenset({"id", "invoice_date", "amount_total", "created_at", "name"})

Row = dict[str, Any]


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # the default backlog of 5 drops prefetch's connections: a 1 s SYN retry each


def _descending_text(text: str) -> tuple[int, ...]:
    return (*(-ord(char) for char in text), 1)  # the trailing 1 puts a longer string before its prefix


def _value(row: Row, field: str) -> Any:
    value = row[field]
    if value is None:
        return None
    if field == "amount_total":
        return Decimal(value)
    if field == "invoice_date":
        return datetime.date.fromisoformat(value).toordinal()
    if field == "created_at":
        return datetime.datetime.fromisoformat(value).timestamp()
    return value


def _server_key(ordering: list[str]) -> Callable[[Row], tuple[Any, ...]]:
    """The table's order: each field ascending or descending, nulls last ascending / first descending."""
    parts = [(name.removeprefix("-"), name.startswith("-")) for name in ordering]

    def key(row: Row) -> tuple[Any, ...]:
        out: list[Any] = []
        for field, descending in parts:
            value = _value(row, field)
            if value is None:
                out.append((0,) if descending else (1,))
            elif descending:
                out.append((1, _descending_text(value) if isinstance(value, str) else -value))
            else:
                out.append((0, value))
        return tuple(out)

    return key


class PagingServer:
    """The table and its misbehaviours; ``with PagingServer(...) as server: server.base_url``."""

    def __init__(
        self,
        *,
        rows: int = 1000,
        ordering: tuple[str, ...] = ("id",),
        seed: int = 0,
        inserts_per_request: int = 0,
        deletes_behind: int = 0,
        deletes_ahead: int = 0,
        cap: int | None = None,
        count_bonus: int = 0,
        alternate: bool = False,
        wrap_at: int | None = None,
        repeat_at: int | None = None,
        swap_at: int | None = None,
        jitter: float = 0.0,
        max_requests: int = 3000,
        keep_alive: bool = False,
    ) -> None:
        names = list(ordering)
        if not {"id", "-id"} & set(names):
            names.append("id")
        if not {name.removeprefix("-") for name in names} <= _FIELDS:
            raise ValueError(f"unsupported ordering {names}")
        self.ordering = ",".join(names)
        self._key = _server_key(names)
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._keys: list[tuple[Any, ...]] = []
        self._rows: list[Row] = []
        self._next_id = 1
        for _ in range(rows):
            self._insert()
        self.initial_ids = frozenset(row["id"] for row in self._rows)
        self.inserted: set[int] = set()
        self.deleted: set[int] = set()
        self.requests = 0
        self.inserts_per_request = inserts_per_request
        self.deletes_behind = deletes_behind
        self.deletes_ahead = deletes_ahead
        self.cap = cap
        self.count_bonus = count_bonus
        self.alternate = alternate
        self.wrap_at = wrap_at
        self.repeat_at = repeat_at
        self.swap_at = swap_at
        self.jitter = jitter
        self.max_requests = max_requests
        handler = self._handler()
        if keep_alive:  # HTTP/1.1: connections stay open between requests, and clients pool them
            handler.protocol_version = "HTTP/1.1"
        self._http = _HTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    @property
    def expected_ids(self) -> frozenset[int]:
        """The invoices that existed throughout the listing: every one must be yielded."""
        return self.initial_ids - self.deleted

    def __enter__(self) -> PagingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(timeout=5)

    # -- the table -----------------------------------------------------------------------------------

    def _insert(self) -> int:
        rng, invoice_id = self._random, self._next_id
        self._next_id += 1
        day = None if rng.random() < 0.1 else (_DAY0 + datetime.timedelta(days=rng.randrange(30))).isoformat()
        amount = rng.choice(_AMOUNTS)
        created = (_T0 + datetime.timedelta(seconds=invoice_id)).isoformat().replace("+00:00", "Z")
        row: Row = {
            "id": invoice_id, "name": f"INV/2026/{invoice_id:05d}", "move_type": "out_invoice", "currency": "EUR",
            "invoice_date": day, "invoice_date_due": day, "billing_period_from": None, "billing_period_to": None,
            "amount_untaxed": amount, "amount_tax": "0", "amount_total": amount, "payment_state": "not_paid",
            "client_id": 4242, "payer_id": 77, "invoice_id": None, "created_at": created, "updated_at": created,
        }  # fmt: skip
        key = self._key(row)
        index = bisect_left(self._keys, key)
        self._keys.insert(index, key)
        self._rows.insert(index, row)
        return invoice_id

    def _delete(self, index: int) -> None:
        row = self._rows.pop(index)
        del self._keys[index]
        self.deleted.add(row["id"])

    def _mutate(self, offset: int, limit: int) -> None:
        for _ in range(self.inserts_per_request):
            self.inserted.add(self._insert())
        for _ in range(self.deletes_behind):  # rows before the requested offset: the rest shift back over it
            if 0 < offset <= len(self._rows):
                self._delete(self._random.randrange(min(offset, len(self._rows))))
        for _ in range(self.deletes_ahead):  # rows after the page: nothing shifts
            if offset + limit < len(self._rows):
                self._delete(self._random.randrange(offset + limit, len(self._rows)))

    def _page(self, offset: int, limit: int) -> dict[str, Any]:
        with self._lock:
            self.requests += 1
            number = self.requests
            self._mutate(offset, limit)
            size = min(limit, self.cap) if self.cap is not None else limit
            if self.alternate:
                offset = 0 if number % 2 else size
            elif self.wrap_at is not None and offset >= self.wrap_at:
                offset %= self.wrap_at
            results = [dict(row) for row in self._rows[offset : offset + size]]
            count = len(self._rows) + self.count_bonus
        if self.repeat_at is not None and offset < self.repeat_at < offset + len(results):
            results[self.repeat_at - offset] = dict(results[self.repeat_at - offset - 1])
        if self.swap_at is not None and offset <= self.swap_at < offset + len(results) - 1:
            i = self.swap_at - offset
            results[i], results[i + 1] = results[i + 1], results[i]
        more = offset + len(results) < count
        return {
            "count": count,
            "next": f"http://127.0.0.1:9/elsewhere?offset={offset + size}" if more else None,  # never to be followed
            "previous": None,
            "results": results,
        }

    # -- HTTP ----------------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # headers and body go out as two writes: no delayed-ACK stall

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {name: values[-1] for name, values in parse_qs(url.query).items()}
                if server.jitter:
                    time.sleep(random.uniform(0, server.jitter))  # concurrent requests get served out of order
                if url.path != PATH:
                    self._reply(404, {"detail": "Not found."})
                elif server.requests >= server.max_requests:
                    self._reply(500, {"detail": "request budget exhausted: the client is looping"})
                elif query.get("ordering") != server.ordering:
                    self._reply(400, {"ordering": [f"expected {server.ordering!r}, got {query.get('ordering')!r}"]})
                else:
                    limit, offset = int(query.get("limit", "100")), int(query.get("offset", "0"))
                    if not 1 <= limit <= 100 or offset < 0:
                        self._reply(400, {"limit": ["out of range"]})
                    else:
                        self._reply(200, server._page(offset, limit))

            def _reply(self, status: int, payload: object) -> None:
                body = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except ConnectionError:  # prefetch abandons speculative requests
                    pass

            def handle(self) -> None:
                with contextlib.suppress(ConnectionError):  # a kept connection dropped (a forked child's, at exit)
                    super().handle()

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler


_FAST = RetryPolicy(max_attempts=3, initial_delay=0.001, max_delay=0.005, jitter=0.0, max_elapsed=5.0)
_TIMEOUT = 2.0
"""Seconds.  A speculative request abandoned at the end of a listing can still be waiting for its answer when the
server shuts down; the interpreter joins prefetch threads at exit, so a long timeout would hold the run up."""


class Outcome:
    """What a listing yielded, judged against what the server held throughout."""

    def __init__(self, server: PagingServer, yielded: list[int], error: InvoiceClientsError | None) -> None:
        self.yielded = yielded
        self.error = error
        self.expected = server.expected_ids
        seen = set(yielded)
        self.lost = sorted(self.expected - seen)
        self.duplicated = len(yielded) - len(seen)
        self.foreign = sorted(seen - server.initial_ids - server.inserted)  # ids the server never had

    def figures(self) -> str:
        return (
            f"expected {len(self.expected)}, yielded {len(self.yielded)}, lost {len(self.lost)}, "
            f"duplicated {self.duplicated}, error {type(self.error).__name__ if self.error else None}"
        )

    @property
    def complete(self) -> bool:
        """Every invoice that existed throughout, exactly once, and nothing invented."""
        return self.error is None and not self.lost and not self.duplicated and not self.foreign


def list_through_facade(
    server: PagingServer,
    *,
    ordering: list[str],
    prefetch: int | None,
    page_size: int = 100,
    use_async: bool = False,
) -> Outcome:
    """List everything through the facade (sync or async), keeping what was yielded before any error.

    ``prefetch=None`` passes no ``prefetch``: the default (adaptive) one is what runs."""
    yielded: list[int] = []
    error: InvoiceClientsError | None = None
    options: dict[str, Any] = {"ordering": ordering, "page_size": page_size}
    if prefetch is not None:
        options["prefetch"] = prefetch
    try:
        if use_async:

            async def run() -> None:
                async with AsyncGcoreBilling(
                    "adversarial-key", base_url=server.base_url, retry=_FAST, timeout=_TIMEOUT
                ) as client:
                    async for invoice in client.invoices.list(**options):
                        yielded.append(int(invoice.id))

            asyncio.run(run())
        else:
            with GcoreBilling("adversarial-key", base_url=server.base_url, retry=_FAST, timeout=_TIMEOUT) as client:
                yielded.extend(int(invoice.id) for invoice in client.invoices.list(**options))
    except InvoiceClientsError as exc:
        error = exc
    return Outcome(server, yielded, error)
