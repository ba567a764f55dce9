"""The chaos run of issue 11: 5,000 invoices, 3 created per request, newest first, prefetch 8.

The hostile run that found class 1 lost 165-207 invoices on every run; the figures are printed
(``pytest -s``) and every one must be zero.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.servers.paging import PagingServer, list_through_facade

pytestmark = pytest.mark.adversarial


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("deletes", [False, True], ids=["inserts", "inserts+deletes"])
def test_chaos(deletes: bool, use_async: bool) -> None:
    churn: dict[str, Any] = {"deletes_behind": 2, "deletes_ahead": 1} if deletes else {}
    with PagingServer(rows=5000, ordering=("-id",), inserts_per_request=3, jitter=0.002, seed=11, **churn) as server:
        outcome = list_through_facade(server, ordering=["-id"], prefetch=8, page_size=100, use_async=use_async)
    print(
        f"\nchaos {'async' if use_async else 'sync'} {'inserts+deletes' if deletes else 'inserts'}: "
        f"{outcome.figures()}, requests {server.requests}, inserted {len(server.inserted)}, "
        f"deleted {len(server.deleted)}"
    )
    assert outcome.complete, outcome.figures()
