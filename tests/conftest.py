"""Suite-wide setup, and the fixtures the package's tests share across folders.

The process a test starts gets the signals a user's terminal gives it.  The fixtures give a fresh sandbox per
test and clients with tiny retry delays: everything runs over real HTTP on 127.0.0.1, nothing is mocked, and
retry delays are milliseconds with jitter off, so the suite is fast and deterministic.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from invoice_clients import GcoreBilling, RetryPolicy, Versori
from invoice_clients.testing import Sandbox

FAST = RetryPolicy(max_attempts=4, initial_delay=0.001, max_delay=0.005, jitter=0.0, max_elapsed=5.0)


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C reaches the processes the interrupt tests start, however the suite itself was started.

    A shell starts a background job (``nox -s tests &``, ``nohup``, some schedulers) with SIGINT ignored, and an
    ignored signal stays ignored across ``exec``: the CLI or script under test would never see the SIGINT its test
    sends.  A handler, unlike an ignored signal, is reset to the default by ``exec``, so each child starts as it
    would from a terminal.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


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
