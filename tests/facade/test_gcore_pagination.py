"""Pagination that loses nothing: offsets computed locally, short pages end, links and counts ignored."""

from __future__ import annotations

import itertools

import pytest

from invoice_clients import GcoreBilling
from invoice_clients.testing import Fault, Sandbox

from .conftest import FAST, gcore_list_requests


@pytest.fixture
def gcore_empty(empty_sandbox: Sandbox) -> GcoreBilling:
    return empty_sandbox.gcore_client(retry=FAST)


def _add(sandbox: Sandbox, n: int) -> None:
    for _ in range(n):
        sandbox.gcore.add_invoice()


@pytest.mark.parametrize(
    ("count", "page_size", "offsets"),
    [
        (0, 5, [0]),
        (1, 5, [0]),
        (5, 5, [0, 5]),  # exactly one page: the empty next page proves the end
        (6, 5, [0, 5]),  # one page + 1
        (10, 5, [0, 5, 10]),
        (3, 1, [0, 1, 2, 3]),
    ],
)
def test_edges(
    empty_sandbox: Sandbox, gcore_empty: GcoreBilling, count: int, page_size: int, offsets: list[int]
) -> None:
    _add(empty_sandbox, count)
    ids = [int(i.id) for i in gcore_empty.invoices.list(page_size=page_size)]
    assert ids == list(range(1, count + 1))
    assert [int(q["offset"][0]) for q in gcore_list_requests(empty_sandbox)] == offsets
    assert {q["limit"][0] for q in gcore_list_requests(empty_sandbox)} == {str(page_size)}


def test_lazy(empty_sandbox: Sandbox, gcore_empty: GcoreBilling) -> None:
    _add(empty_sandbox, 12)
    iterator = iter(gcore_empty.invoices.list(page_size=5))
    assert empty_sandbox.requests == []
    assert [next(iterator).id for _ in range(5)] == ["1", "2", "3", "4", "5"]
    assert len(empty_sandbox.requests) == 1
    next(iterator)
    assert len(empty_sandbox.requests) == 2


def test_invoices_inserted_mid_listing_are_neither_skipped_nor_repeated(
    empty_sandbox: Sandbox, gcore_empty: GcoreBilling
) -> None:
    _add(empty_sandbox, 7)
    iterator = iter(gcore_empty.invoices.list(page_size=3))
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


@pytest.mark.parametrize("lie", [0, 1, 3, 10_000, -5])
def test_nonsensical_count_is_not_trusted(empty_sandbox: Sandbox, gcore_empty: GcoreBilling, lie: int) -> None:
    _add(empty_sandbox, 7)
    empty_sandbox.gcore.count_override = lie
    assert len(list(gcore_empty.invoices.list(page_size=3))) == 7
    assert len(empty_sandbox.requests) == 3


def test_page_level_access(gcore: GcoreBilling) -> None:
    pager = gcore.invoices.list(page_size=10)
    pages = list(pager.pages())
    assert [(p.offset, len(p), p.is_last) for p in pages] == [
        (0, 10, False),
        (10, 10, False),
        (20, 10, False),
        (30, 1, True),
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
    # Every page once, plus at most `prefetch` speculative pages past the end.
    assert offsets[:8] == list(range(0, 32, 4))
    assert len(offsets) <= 8 + prefetch


def test_prefetch_is_concurrent(sandbox: Sandbox, gcore: GcoreBilling) -> None:
    sandbox.inject(Fault.latency(0.05), times=None)
    assert len(list(gcore.invoices.list(page_size=10))) == 31
    assert sandbox.max_in_flight == 1  # one page at a time by default
    assert len(list(gcore.invoices.list(page_size=10, prefetch=4))) == 31
    assert sandbox.max_in_flight >= 2  # pages were in flight together


def test_a_429_backs_prefetch_off(sandbox: Sandbox, gcore: GcoreBilling) -> None:
    sandbox.inject(Fault.rate_limit(retry_after=0), times=1)
    ids = [i.id for i in gcore.invoices.list(page_size=2, prefetch=3)]
    assert ids == [str(n) for n in range(1, 32)]
    offsets = [int(q["offset"][0]) for q in gcore_list_requests(sandbox)]
    # Once throttled, pages are fetched one at a time: no more than the initial window beyond the end.
    assert len(offsets) <= 16 + 1 + 4
    assert sorted(set(offsets)) == list(range(0, 34, 2))[: len(set(offsets))]


def test_stopping_early_stops_fetching(empty_sandbox: Sandbox, gcore_empty: GcoreBilling) -> None:
    _add(empty_sandbox, 30)
    first = list(itertools.islice(gcore_empty.invoices.list(page_size=5), 7))
    assert len(first) == 7
    assert len(empty_sandbox.requests) == 2
