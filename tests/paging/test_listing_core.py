"""The listing algorithm without I/O (``_paging.listing.Listing``) and the local sort keys (Gcore's ``sort_keys``).

The adversarial suite holds the whole against a hostile server; these pin down single decisions.
"""

from __future__ import annotations

import datetime
import json
import random
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

import pytest

from invoice_clients import Invoice
from invoice_clients._paging.listing import MAX_IDLE_PAGES, Listing, kept_in_flight, wire_limit
from invoice_clients.vendors.gcore.decoder import parse_page
from invoice_clients.vendors.gcore.sort_keys import sort_key
from tests.servers.paging import _server_key


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
    assert [r.id for r in verdict.fresh] == ["6", "7", "8"] and verdict.done is False
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
    listing.claim(16)
    assert listing.schedule() == (0, 4, 8, 12)  # nor at it: a page starting at the count would be empty
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
    listing.claim(8)
    assert listing.schedule() == (0, 4)  # a page starting at the claimed count would be empty


def test_a_page_past_the_anchor_steps_back_and_is_not_used() -> None:
    listing = _listing(limit=8, window=4)
    listing.take(0, _rows(*range(1, 9)), False)
    assert listing.offset == 7
    verdict = listing.take(7, _rows(*range(11, 19)), False)  # 9 and 10 moved back over offset 7
    assert verdict.fresh == () and verdict.done is False
    assert listing.offset == 5 and listing.schedule() == (5,)  # a quarter page back; one page at a time
    verdict = listing.take(5, _rows(8, *range(11, 18)), False)  # the anchor (8) is on it: nothing skipped
    assert [r.id for r in verdict.fresh] == [str(n) for n in range(11, 18)]
    # Back to prefetching, each page now overlapping the previous by two rows (doubled, up to a quarter page).
    assert listing.schedule() == (11, 17, 23, 29)


def test_the_overlap_doubles_after_each_shift_up_to_a_quarter_page() -> None:
    listing = _listing(limit=16)
    listing.take(0, _rows(*range(1, 17)), False)
    assert listing.offset == 15
    assert listing.take(15, _rows(*range(30, 46)), False).done is False  # deletes behind: past the anchor (16)
    assert listing.offset == 11  # back a quarter page
    listing.take(11, _rows(*range(16, 32)), False)
    assert listing.offset == 11 + 16 - 2  # the overlap doubled: 2
    for offset in (25, 21):  # twice more past the anchor (31)
        assert listing.take(offset, _rows(*range(40, 56)), False).done is False
    assert listing.offset == 13  # back 4, then 8
    listing.take(13, _rows(*range(31, 47)), False)
    assert listing.offset == 13 + 16 - 4  # the overlap went 2, 4 (not 8): a quarter of 16 at most


def test_a_server_capping_pages_at_two_rows_is_predicted_one_row_at_a_time() -> None:
    listing = _listing(limit=8, window=3)
    verdict = listing.take(0, _rows(1, 2), True)  # 2 rows for limit=8, and more claimed
    assert verdict.done is False
    assert listing.schedule() == (1, 2, 3)  # pages of 2 overlapping by a row advance one row each


def test_capped_pages_after_a_shift_never_predict_the_same_offset_twice() -> None:
    listing = _listing(limit=8, window=3)
    listing.take(0, _rows(*range(1, 9)), False)
    listing.take(7, _rows(*range(11, 19)), False)  # a shift: the overlap is now 2
    listing.take(5, _rows(8, 11), True)  # capped at 2 rows: an overlap of 2 would not advance
    assert listing.schedule() == (6, 7, 8)


def test_a_server_that_stops_capping_is_predicted_with_full_pages_again() -> None:
    listing = _listing(limit=8, window=3)
    listing.take(0, _rows(1, 2, 3, 4), True)  # capped at 4
    assert listing.schedule() == (3, 6, 9)
    listing.take(3, _rows(*range(4, 12)), True)  # then a full page of 8
    assert listing.schedule() == (10, 17, 24)


def test_an_empty_page_past_offset_zero_is_a_shift_not_the_end() -> None:
    listing = _listing()
    listing.take(0, _rows(1, 2, 3, 4, 5), False)
    verdict = listing.take(4, [], False)  # rows deleted before the cursor: the end moved back over offset 4
    assert verdict.fresh == () and verdict.done is False
    assert listing.offset == 3


def test_a_short_page_claiming_more_continues_after_it() -> None:
    listing = _listing(limit=10, window=3)
    verdict = listing.take(0, _rows(1, 2, 3, 4), True)  # the server caps pages at 4 rows
    assert not verdict.done
    assert listing.schedule() == (3, 6, 9)  # predicted with the size the server sends


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ((1, 3, 2), "the page at offset 0 is not in the requested order: invoice 2 follows 3"),
        ((1, 2, 2), "the page at offset 0 is not in the requested order: invoice 2 follows 2 twice"),
    ],
)
def test_rows_out_of_order_or_repeated_raise(rows: tuple[int, ...], message: str) -> None:
    with pytest.raises(_FailedError) as caught:  # ``fail`` is handed the page's offset, then the message
        _listing().take(0, _rows(*rows), False)
    assert str(caught.value) == f"0: {message}"


def test_one_id_twice_with_distinct_keys_raises_naming_the_offset_and_the_invoice() -> None:
    keys = iter(range(100))  # keys strictly increasing whatever the ids: only the id check can see the repeat
    listing = Listing(limit=5, window=1, key=lambda invoice: (next(keys),), fail=lambda o, m: _FailedError(f"{o}: {m}"))
    with pytest.raises(_FailedError) as caught:
        listing.take(0, _rows(5, 6, 6, 7), False)
    assert str(caught.value) == "0: the page at offset 0 holds invoice 6 twice"


def test_an_invoice_back_after_the_anchor_raises_naming_the_offset_and_the_invoice() -> None:
    keys = {"1": 1, "2": 2, "3": 3, "4": 4}
    listing = Listing(
        limit=3, window=1, key=lambda invoice: (keys[invoice.id],), fail=lambda o, m: _FailedError(f"{o}: {m}")
    )
    listing.take(0, _rows(1, 2, 3), False)
    keys["2"] = 9  # invoice 2's sort field changed: it now sorts after the anchor
    with pytest.raises(_FailedError, match=r"^2: invoice 2 came back on the page at offset 2 after the listing had"):
        listing.take(2, _rows(3, 4, 2), False)


def test_a_page_taken_out_of_turn_or_after_the_end_is_a_programming_error() -> None:
    listing = _listing()
    with pytest.raises(ValueError, match=r"^page at offset 4 taken out of turn \(expected 0\)$"):
        listing.take(4, _rows(1), False)
    assert listing.take(0, _rows(1, 2), False).done is True
    with pytest.raises(ValueError, match=r"^page at offset 0 taken out of turn \(expected 0\)$"):
        listing.take(0, _rows(1, 2), False)


def test_a_listing_needs_pages_that_can_overlap() -> None:
    with pytest.raises(ValueError, match=r"^a listing needs pages of at least 2 rows to overlap them$"):
        _listing(limit=1)
    assert wire_limit(1) == 2 and wire_limit(2) == 2 and wire_limit(100) == 100


def test_a_window_below_one_is_one_page_at_a_time() -> None:
    assert _listing(window=0).schedule() == (0,)
    listing = _listing(window=3)
    assert listing.widen(0) == 1 and listing.schedule() == (0,)
    assert listing.widen(3) == 3 and listing.schedule() == (0, 4, 8)


def test_by_default_pages_ahead_are_requested_even_where_no_row_is_claimed() -> None:
    listing = Listing(limit=5, window=3, key=lambda invoice: (int(invoice.id),), fail=lambda o, m: _FailedError(m))
    assert listing.schedule() == (0, 4, 8)  # what prefetch=n asks for; the adaptive default passes False


def test_pages_that_bring_nothing_new_end_in_an_error() -> None:
    listing = _listing()
    listing.take(0, _rows(1, 2, 3, 4, 5), False)
    for _ in range(MAX_IDLE_PAGES):  # offsets ignored: the same page every time
        assert listing.take(listing.offset, _rows(1, 2, 3, 4, 5), False).fresh == ()
    offset = listing.offset
    with pytest.raises(_FailedError, match=f"^{offset}: {MAX_IDLE_PAGES + 1} pages in a row brought nothing new"):
        listing.take(offset, _rows(1, 2, 3, 4, 5), False)


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
    body = json.dumps({"count": len(wire), "next": None, "previous": None, "results": wire}).encode()
    invoices = parse_page(body, {"method": "GET", "url": "http://x/", "status_code": 200}, 0, len(wire)).invoices
    key = sort_key(ordering)
    assert [int(invoice.id) for invoice in sorted(invoices, key=key)] == expected
    keys = [key(invoice) for invoice in invoices]
    assert len(set(map(repr, keys))) == len(keys)  # total: no two invoices tie


def test_a_sort_key_needs_a_total_ordering_of_known_fields() -> None:
    with pytest.raises(ValueError, match=r"^ordering \['-invoice_date'\] is not total: it must contain id or -id$"):
        sort_key(["-invoice_date"])
    with pytest.raises(ValueError, match=r"^no local sort key for ordering field '-payer_id'$"):
        sort_key(["-payer_id", "id"])
    assert sort_key(["id", "name"]) is not None  # fields after the id never decide anything


def _stamped(invoice_id: int, created_at: datetime.datetime, name: str = "INV/1") -> Invoice:
    """An invoice as the sort keys read it: its id and number, and the generated model's ``created_at``."""
    return cast(Invoice, SimpleNamespace(id=str(invoice_id), number=name, raw=SimpleNamespace(created_at=created_at)))


def test_a_created_at_without_a_time_zone_is_read_as_utc() -> None:
    key = sort_key(["created_at", "id"])
    naive = datetime.datetime(2026, 1, 1, 10, 0)
    assert key(_stamped(1, naive)) == key(_stamped(1, naive.replace(tzinfo=datetime.UTC)))
    two_hours_east = datetime.timezone(datetime.timedelta(hours=2))
    assert key(_stamped(1, datetime.datetime(2026, 1, 1, 11, 0, tzinfo=two_hours_east))) < key(_stamped(1, naive))


def test_created_at_keys_are_exact_to_the_microsecond_in_any_year() -> None:
    key = sort_key(["created_at", "id"])
    last = datetime.datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=datetime.UTC)
    # A float count of microseconds would tie these two (doubles are 32 us apart there), and the ids would decide.
    assert key(_stamped(2, last - datetime.timedelta(microseconds=1))) < key(_stamped(1, last))


def test_descending_names_hash_by_their_name() -> None:
    key = sort_key(["-name", "id"])
    day = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    assert hash(key(_stamped(1, day, "INV/7"))) == hash(key(_stamped(1, day, "INV/7")))
    assert len({hash(key(_stamped(1, day, f"INV/{n}"))) for n in range(50)}) > 1  # not one bucket for all
