"""Class 2 of issue 11: a page shorter than asked for ends a listing only if nothing says more exist.

Before the fix, a server capping its pages at 50 rows (``limit=100`` asked) ended the listing after the first
page, silently, though ``count`` said 1,000.  Now the listing continues after a short page whose ``count`` (or
``next``) claims more; and when the claimed rows never come, it raises rather than ending quietly.
"""

from __future__ import annotations

import pytest

from invoice_clients import InconsistentListingError
from tests.servers.paging import PagingServer, list_through_facade

pytestmark = pytest.mark.adversarial


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("prefetch", [0, 8, None])  # None: the default
@pytest.mark.parametrize("ordering", [["id"], ["-invoice_date"]], ids=lambda o: ",".join(o))
def test_a_server_capping_its_pages_loses_nothing(ordering: list[str], prefetch: int | None, use_async: bool) -> None:
    with PagingServer(rows=1000, ordering=tuple(ordering), cap=50) as server:
        outcome = list_through_facade(server, ordering=ordering, prefetch=prefetch, page_size=100, use_async=use_async)
    assert outcome.complete, outcome.figures()


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("prefetch", [0, 8, None])  # None: the default
@pytest.mark.parametrize("cap", [None, 50])
def test_rows_claimed_but_never_sent_raise(cap: int | None, prefetch: int | None, use_async: bool) -> None:
    with PagingServer(rows=300, cap=cap, count_bonus=200, max_requests=300) as server:
        outcome = list_through_facade(server, ordering=["id"], prefetch=prefetch, page_size=100, use_async=use_async)
    assert isinstance(outcome.error, InconsistentListingError), outcome.figures()
    assert not outcome.lost and not outcome.duplicated and not outcome.foreign, outcome.figures()
    assert server.requests < 100  # found out within a bounded number of requests, not by the server's budget
