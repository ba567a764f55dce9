"""Class 1 of issue 11: rows inserted and deleted while a listing runs are never silently lost.

Before the fix, pages were fetched at fixed offsets concurrently and only overlap with the previous page was
detected: with prefetch and ``-id`` (new invoices sort first) a reordered response left a gap, and a delete
behind the cursor pulled rows back past the next offset, with or without prefetch.  Now every invoice that
exists throughout the listing is yielded exactly once, in every ordering, sync and async, prefetch or not.
"""

from __future__ import annotations

import pytest

from tests.servers.paging import PagingServer, list_through_facade

pytestmark = pytest.mark.adversarial

ORDERINGS = [["id"], ["-id"], ["-invoice_date"], ["amount_total"], ["-amount_total"], ["created_at"], ["-name"]]


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("prefetch", [0, 8, None])  # None: the default
@pytest.mark.parametrize("ordering", ORDERINGS, ids=lambda o: ",".join(o))
def test_inserts_during_the_listing_lose_nothing(ordering: list[str], prefetch: int | None, use_async: bool) -> None:
    with PagingServer(rows=1000, ordering=tuple(ordering), inserts_per_request=3, jitter=0.002, seed=1) as server:
        outcome = list_through_facade(server, ordering=ordering, prefetch=prefetch, page_size=50, use_async=use_async)
    assert outcome.complete, outcome.figures()
    assert server.inserted, "the server inserted rows during the listing"


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("prefetch", [0, 8, None])  # None: the default
@pytest.mark.parametrize("ordering", ORDERINGS[:4], ids=lambda o: ",".join(o))
def test_deletes_behind_and_ahead_of_the_cursor_lose_nothing(
    ordering: list[str], prefetch: int | None, use_async: bool
) -> None:
    with PagingServer(
        rows=1000, ordering=tuple(ordering), inserts_per_request=1, deletes_behind=2, deletes_ahead=1, jitter=0.002
    ) as server:
        outcome = list_through_facade(server, ordering=ordering, prefetch=prefetch, page_size=50, use_async=use_async)
    assert outcome.complete, outcome.figures()
    assert len(server.deleted) > 20, "the server deleted rows during the listing"
