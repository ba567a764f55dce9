"""Class 3 of issue 11: repeating, cycling or disordered pages never yield a duplicate and always end.

Before the fix the stall guard compared a page only with the previous one: pages alternating A, B, A, B never
ended; offsets wrapping round to page 0 yielded a page of duplicates before the error; an id repeated inside a
page, or two rows out of order, passed through.  Now the last yielded key only moves forward, and these raise
:class:`InconsistentListingError` within a bounded number of requests, having yielded no invoice twice.
"""

from __future__ import annotations

from typing import Any

import pytest

from invoice_clients import InconsistentListingError
from tests.servers.paging import PagingServer, list_through_facade

pytestmark = pytest.mark.adversarial

MISBEHAVIOURS: dict[str, dict[str, Any]] = {
    "pages-alternate-A-B": {"alternate": True},
    "offsets-wrap-at-500": {"wrap_at": 500},
    "id-repeated-in-a-page": {"repeat_at": 250},
    "rows-out-of-order": {"swap_at": 250},
}


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("prefetch", [0, 8, None])  # None: the default
@pytest.mark.parametrize("ordering", [["id"], ["-invoice_date"]], ids=lambda o: ",".join(o))
@pytest.mark.parametrize("misbehaviour", list(MISBEHAVIOURS))
def test_a_misbehaving_server_raises_without_duplicates(
    misbehaviour: str, ordering: list[str], prefetch: int | None, use_async: bool
) -> None:
    with PagingServer(rows=1000, ordering=tuple(ordering), max_requests=400, **MISBEHAVIOURS[misbehaviour]) as server:
        outcome = list_through_facade(server, ordering=ordering, prefetch=prefetch, page_size=100, use_async=use_async)
    assert isinstance(outcome.error, InconsistentListingError), outcome.figures()
    assert outcome.duplicated == 0 and not outcome.foreign, outcome.figures()
    assert server.requests < 150  # ended by the client's own bound, not the server's budget
