"""Fixtures shared by the package's tests: a fresh sandbox per test, clients with tiny retry delays.

Everything runs over real HTTP on 127.0.0.1; nothing is mocked.  Retry delays
are milliseconds and jitter is off, so the suite is fast and deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from invoice_clients import GcoreBilling, RetryPolicy, Versori
from invoice_clients.testing import Sandbox

FAST = RetryPolicy(max_attempts=4, initial_delay=0.001, max_delay=0.005, jitter=0.0, max_elapsed=5.0)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as server:
        yield server


@pytest.fixture
def gcore(sandbox: Sandbox) -> Iterator[GcoreBilling]:
    with sandbox.gcore_client(retry=FAST) as client:
        yield client


@pytest.fixture
def versori(sandbox: Sandbox) -> Iterator[Versori]:
    with sandbox.versori_client(retry=FAST) as client:
        yield client


def gcore_list_requests(sandbox: Sandbox) -> list[dict[str, list[str]]]:
    """Each list request's query as name -> values (repeats kept)."""
    result = []
    for request in sandbox.requests:
        if request.path == "/billing/org/v1/erp-invoices":
            query: dict[str, list[str]] = {}
            for name, value in request.query:
                query.setdefault(name, []).append(value)
            result.append(query)
    return result
