"""The listing algorithm without I/O (``_listing.Listing``) and the local sort keys (Gcore's ``sort_keys``).

The adversarial suite holds the whole against a hostile server; these pin down single decisions.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any, cast

import pytest

from invoice_clients import Invoice
from invoice_clients._listing import MAX_IDLE_PAGES, Listing, kept_in_flight
from invoice_clients.vendors.gcore.sort_keys import sort_key
from invoice_clients.vendors.gcore.wire import parse_page
from tests.adversarial._paging_server import _server_key


@dataclass(frozen=True)
class _Row:
    id: str


def _rows(*ids: int) -> list[Invoice]:
    return [cast(Invoice, _Row(str(n))) for n in ids]


class _FailedError(Exception):
    pass


def _listing(limit: int = 5, window: int = 1, *, ahead_unclaimed: bool = True) -> Listing:
    return Listing(
        limit=limit,
        window=window,
        key=lambda invoice: (int(invoice.id),),
        fail=lambda offset, message: _FailedError(f"{offset}: {message}"),
        ahead_unclaimed=ahead_unclaimed,
    )


def test_pages_overlap_by_a_row_and_drop_what_was_yielded() -> None:
    listing = _listing(window=3)
    assert listing.schedule() == (0, 4, 8)
    assert [r.id for r in listing.take(0, _rows(1, 2, 3, 4, 5), False).fresh] == ["1", "2", "3", "4", "5"]
    assert listing.schedule() == (4, 8, 12)
    verdict = listing.take(4, _rows(4, 5, 6, 7, 8), False)  # two inserted behind the cursor: 4, 5 again
    assert [r.id for r in verdict.fresh] == ["6", "7", "8"] and not verdict.done
    verdict = listing.take(8, _rows(8, 9), False)
    assert [r.id for r in verdict.fresh] == ["9"] and verdict.done
    assert listing.schedule() == ()


def test_pages_are_queued_behind_the_window_only_where_rows_are_claimed() -> None:
    listing = _listing(window=3)
    assert listing.schedule() == (0, 4, 8)  # no count yet: the window alone
    listing.claim(21)
    assert listing.schedule() == (0, 4, 8, 12, 16)  # as many again behind it, all below the count
    listing.claim(14)
    assert listing.schedule() == (0, 4, 8, 12)  # 16 is past the claimed end: not queued
    listing.claim(3)
    assert listing.schedule() == (0, 4, 8)  # the window itself is not cut: prefetch=n asked for it
    listing.claim(None)
    assert listing.schedule() == (0, 4, 8)
    listing.claim(21)
    listing.throttle()
    assert listing.schedule() == (0,)  # after a 429: one page at a time, nothing queued


def test_the_adaptive_window_asks_only_for_claimed_rows() -> None:
    listing = _listing(window=3, ahead_unclaimed=False)
    assert listing.schedule() == (0,)  # nothing claimed: only the page that is needed
    listing.claim(10)
    assert listing.schedule() == (0, 4, 8)
    listing.claim(30)
    assert listing.schedule() == (0, 4, 8, 12, 16)


def test_a_page_past_the_anchor_steps_back_and_is_not_used() -> None:
    listing = _listing(limit=8, window=4)
    listing.take(0, _rows(*range(1, 9)), False)
    assert listing.offset == 7
    verdict = listing.take(7, _rows(*range(11, 19)), False)  # 9 and 10 moved back over offset 7
    assert verdict.fresh == () and not verdict.done
    assert listing.offset == 5 and listing.schedule() == (5,)  # a quarter page back; one page at a time
    verdict = listing.take(5, _rows(8, *range(11, 18)), False)  # the anchor (8) is on it: nothing skipped
    assert [r.id for r in verdict.fresh] == [str(n) for n in range(11, 18)]
    assert len(listing.schedule()) == 4  # back to prefetching


def test_an_empty_page_past_offset_zero_is_a_shift_not_the_end() -> None:
    listing = _listing()
    listing.take(0, _rows(1, 2, 3, 4, 5), False)
    verdict = listing.take(4, [], False)  # rows deleted before the cursor: the end moved back over offset 4
    assert verdict.fresh == () and not verdict.done
    assert listing.offset == 3


def test_a_short_page_claiming_more_continues_after_it() -> None:
    listing = _listing(limit=10, window=3)
    verdict = listing.take(0, _rows(1, 2, 3, 4), True)  # the server caps pages at 4 rows
    assert not verdict.done
    assert listing.schedule() == (3, 6, 9)  # predicted with the size the server sends


@pytest.mark.parametrize(
    ("rows", "message"),
    [((1, 3, 2), "not in the requested order: invoice 2 follows 3"), ((1, 2, 2), "invoice 2 follows 2 twice")],
)
def test_rows_out_of_order_or_repeated_raise(rows: tuple[int, ...], message: str) -> None:
    with pytest.raises(_FailedError, match=message):
        _listing().take(0, _rows(*rows), False)


def test_pages_that_bring_nothing_new_end_in_an_error() -> None:
    listing = _listing()
    listing.take(0, _rows(1, 2, 3, 4, 5), False)
    for _ in range(MAX_IDLE_PAGES):  # offsets ignored: the same page every time
        assert listing.take(listing.offset, _rows(1, 2, 3, 4, 5), False).fresh == ()
    with pytest.raises(_FailedError, match=f"{MAX_IDLE_PAGES + 1} pages in a row brought nothing new"):
        listing.take(listing.offset, _rows(1, 2, 3, 4, 5), False)


def test_only_the_common_prefix_of_pages_in_flight_is_kept() -> None:
    assert kept_in_flight([4, 8, 12], (4, 8, 12, 16)) == 3
    assert kept_in_flight([4, 8, 12], (2,)) == 0
    assert kept_in_flight([], (0, 4)) == 0


_ORDERINGS = [
    ["id"], ["-id"], ["invoice_date", "id"], ["-invoice_date", "id"], ["amount_total", "id"],
    ["-amount_total", "-id"], ["created_at", "id"], ["-created_at", "id"], ["name", "id"], ["-name", "id"],
    ["-invoice_date", "amount_total", "id"],
]  # fmt: skip


@pytest.mark.parametrize("ordering", _ORDERINGS, ids=lambda o: ",".join(o))
def test_local_keys_order_invoices_as_an_independent_server_does(ordering: list[str]) -> None:
    rng = random.Random(7)
    wire: list[dict[str, Any]] = []
    for n in range(1, 301):
        day = None if rng.random() < 0.2 else (datetime.date(2026, 1, 1) + datetime.timedelta(rng.randrange(9)))
        amount = rng.choice(["1", "1.0", "-2.5", "10", "9.99", "0"])
        stamp = f"2026-01-0{rng.randrange(1, 4)}T10:00:00{rng.choice(['Z', '+01:00', '-02:30'])}"
        wire.append(
            {
                "id": n, "name": rng.choice(["INV/2026/0001", "INV/2026/0010", "RINV/2026/0002", "INV/2025/9999"]),
                "move_type": "out_invoice", "currency": "EUR", "invoice_date": day and day.isoformat(),
                "invoice_date_due": None, "billing_period_from": None, "billing_period_to": None,
                "amount_untaxed": amount, "amount_tax": "0", "amount_total": amount, "payment_state": "paid",
                "client_id": 1, "payer_id": 1, "invoice_id": None, "created_at": stamp, "updated_at": stamp,
            }
        )  # fmt: skip
    expected = [row["id"] for row in sorted(wire, key=_server_key(ordering))]
    _, invoices = parse_page({"count": len(wire), "next": None, "previous": None, "results": wire})
    key = sort_key(ordering)
    assert [int(invoice.id) for invoice in sorted(invoices, key=key)] == expected
    keys = [key(invoice) for invoice in invoices]
    assert len(set(map(repr, keys))) == len(keys)  # total: no two invoices tie


def test_a_sort_key_needs_a_total_ordering() -> None:
    with pytest.raises(ValueError, match="not total"):
        sort_key(["-invoice_date"])
    assert sort_key(["id", "name"]) is not None  # fields after the id never decide anything
