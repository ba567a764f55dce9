"""Cursor paging (``CursorPager``, ``AsyncCursorPager``): what a vendor plugin whose pages link by cursor gets.

The pages come from a fetch function over an in-memory list, as a vendor's client would hand one over; the
registry test (``tests/vendors/test_third_vendor.py``) runs the same pager through a generated client and the
sandbox.  Each guard is triggered here, with the message a user reads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from decimal import Decimal

import pytest

from invoice_clients import Invoice, InvoiceKind, Money
from invoice_clients._paging.cursor import AsyncCursorPager, CursorListing, CursorPage, CursorPager


class _InconsistentError(Exception):
    pass


def _invoice(invoice_id: str) -> Invoice:
    return Invoice(
        vendor="test", id=invoice_id, number=None, kind=InvoiceKind.INVOICE, currency="EUR", issue_date=None,
        due_date=None, period_start=None, period_end=None, subtotal=None, tax=None, total=Money(Decimal(1), "EUR"),
        payment_state=None, document_url=None, line_items=(), raw=None,
    )  # fmt: skip


Script = dict[str | None, tuple[Sequence[str], str | None]]
"""For each cursor asked for (``None``: the first page), the ids of the page and its ``next_cursor``."""


def _fetch(script: Script, asked: list[str | None]) -> Callable[[str | None], CursorPage]:
    def fetch(cursor: str | None) -> CursorPage:
        asked.append(cursor)
        ids, following = script[cursor]
        return CursorPage(tuple(map(_invoice, ids)), following, raw={"cursor": cursor})

    return fetch


def _pager(script: Script, asked: list[str | None]) -> CursorPager:
    return CursorPager(_fetch(script, asked), inconsistent=_InconsistentError)


def test_a_listing_follows_the_cursors_until_there_is_none() -> None:
    asked: list[str | None] = []
    script: Script = {None: (["a", "b"], "c1"), "c1": (["c", "d"], "c2"), "c2": (["e"], None)}
    pager = _pager(script, asked)
    assert [invoice.id for invoice in pager] == ["a", "b", "c", "d", "e"]
    assert asked == [None, "c1", "c2"]
    pages = list(pager.pages())  # each iteration lists again, from the first page
    assert [(len(page), page.next_cursor, page.raw) for page in pages] == [
        (2, "c1", {"cursor": None}),
        (2, "c2", {"cursor": "c1"}),
        (1, None, {"cursor": "c2"}),
    ]
    assert [invoice.id for invoice in pages[0]] == ["a", "b"]


def test_the_async_pager_lists_the_same() -> None:
    asked: list[str | None] = []
    script: Script = {None: (["a", "b"], "c1"), "c1": ([], "c2"), "c2": (["c"], None)}
    fetch = _fetch(script, asked)

    async def fetch_async(cursor: str | None) -> CursorPage:
        return fetch(cursor)

    async def listing() -> tuple[list[str], list[int]]:
        pager = AsyncCursorPager(fetch_async, inconsistent=_InconsistentError)
        ids = [invoice.id async for invoice in pager]
        sizes = [len(page) async for page in pager.pages()]
        return ids, sizes

    assert asyncio.run(listing()) == (["a", "b", "c"], [2, 0, 1])


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ({None: (["a"], "c1"), "c1": (["b"], "c1")}, "the cursor 'c1' came back: the pages go round in a circle"),
        (
            {None: (["a"], "c1"), "c1": (["b"], "c2"), "c2": (["c"], "c1")},
            "the cursor 'c1' came back: the pages go round in a circle",
        ),
        (
            {None: (["a"], "c1"), "c1": (["a", "b"], None)},
            "an invoice came back on the next page (or twice on one page)",
        ),
        ({None: (["a", "a"], None)}, "an invoice came back on the next page (or twice on one page)"),
    ],
    ids=["same-cursor-again", "earlier-cursor", "id-on-the-next-page", "id-twice-in-a-page"],
)
def test_pages_that_do_not_fit_together_raise(script: Script, message: str) -> None:
    asked: list[str | None] = []
    yielded: list[str] = []
    with pytest.raises(_InconsistentError) as caught:
        yielded.extend(invoice.id for invoice in _pager(script, asked))
    assert str(caught.value) == message
    assert len(yielded) == len(set(yielded))  # nothing yielded twice before the error


def test_an_id_seen_two_pages_back_is_not_a_repeat() -> None:
    # Only the previous page is remembered: a cursor is the server's own position, so an id two pages back is
    # another row (memory stays one page whatever the length of the listing).
    script: Script = {None: (["a"], "c1"), "c1": (["b"], "c2"), "c2": (["a"], None)}
    assert [invoice.id for invoice in _pager(script, [])] == ["a", "b", "a"]


def test_empty_pages_that_keep_promising_more_end_in_an_error() -> None:
    asked: list[str | None] = []
    script: Script = {None: (["a"], "c0"), **{f"c{n}": ([], f"c{n + 1}") for n in range(40)}}
    with pytest.raises(_InconsistentError, match=r"^17 pages in a row brought nothing but claimed more$"):
        list(_pager(script, asked))
    assert len(asked) == 1 + 17


def test_empty_pages_from_the_very_first_are_counted_alike() -> None:
    tolerated: Script = {None: ([], "c0"), **{f"c{n}": ([], f"c{n + 1}") for n in range(15)}, "c15": (["a"], None)}
    assert [invoice.id for invoice in _pager(tolerated, [])] == ["a"]  # 16 empty pages, then one that brings
    too_many: Script = {None: ([], "c0"), **{f"c{n}": ([], f"c{n + 1}") for n in range(40)}}
    asked: list[str | None] = []
    with pytest.raises(_InconsistentError, match=r"^17 pages in a row brought nothing but claimed more$"):
        list(_pager(too_many, asked))
    assert len(asked) == 17


def test_the_async_pager_raises_the_same_errors() -> None:
    fetch = _fetch({None: (["a"], "c1"), "c1": (["a"], None)}, [])

    async def fetch_async(cursor: str | None) -> CursorPage:
        return fetch(cursor)

    async def listing() -> list[str]:
        return [invoice.id async for invoice in AsyncCursorPager(fetch_async, inconsistent=_InconsistentError)]

    with pytest.raises(_InconsistentError, match=r"^an invoice came back on the next page \(or twice on one page\)$"):
        asyncio.run(listing())


def test_sixteen_empty_pages_in_a_row_are_tolerated() -> None:
    script: Script = {None: (["a"], "c0"), **{f"c{n}": ([], f"c{n + 1}") for n in range(16)}, "c16": (["b"], None)}
    assert [invoice.id for invoice in _pager(script, [])] == ["a", "b"]


def test_a_listing_state_starts_at_the_first_page_and_ends_with_the_last() -> None:
    listing = CursorListing(_InconsistentError)
    assert (listing.cursor, listing.done) == (None, False)
    page = CursorPage((_invoice("a"),), "c1", raw=None)
    assert listing.take(page) == page.invoices
    assert (listing.cursor, listing.done) == ("c1", False)
    listing.take(CursorPage((), None, raw=None))
    assert listing.done
