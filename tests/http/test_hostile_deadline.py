"""Class 5: a call never outlives its deadline, however slowly the server dribbles, sync and async."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

import httpx
import pytest

from invoice_clients import (
    APITimeoutError,
    AsyncGcoreBilling,
    GcoreBilling,
    InvalidArgumentError,
    InvoiceClientsError,
    RetryPolicy,
)
from tests.servers.hostile import HostileServer, Request, Script, dribble, gcore_invoice, response

pytestmark = pytest.mark.adversarial

KEY = "sk-test-deadline-0123456789"
DEADLINE = 1.0
SLACK = 1.0
BODY = json.dumps(gcore_invoice()).encode()


def _whole(request: Request) -> bytes:
    if request.target.endswith("/download"):
        return response(b"%PDF-1.4\n" + b"0" * 100 + b"\n%%EOF\n", headers=(("Content-Type", "application/pdf"),))
    return response(BODY)


def slow_headers(request: Request) -> Script:
    return dribble(_whole(request), 0.25)  # one byte every 0.25 s: each read is quick, the whole is minutes


def slow_body(request: Request) -> Script:
    whole = _whole(request)
    head, body = whole[: whole.index(b"\r\n\r\n") + 4], whole[whole.index(b"\r\n\r\n") + 4 :]
    return [head, *dribble(body, 0.25)]


def always_503(request: Request) -> Script:
    return [response(b"{}", status="503 Service Unavailable", headers=(("Retry-After", "0.4"),))]


CASES: dict[str, Callable[[Request], Script]] = {"slow headers": slow_headers, "slow body": slow_body}


@pytest.mark.parametrize("name", list(CASES))
def test_sync_call_ends_by_its_deadline(name: str) -> None:
    with HostileServer(CASES[name]) as server, GcoreBilling(KEY, base_url=server.url, timeout=1.0) as gcore:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            gcore.invoices.get(1, deadline=DEADLINE)
        assert time.monotonic() - started < DEADLINE + SLACK


def test_client_deadline_bounds_every_call() -> None:
    with (
        HostileServer(slow_body) as server,
        GcoreBilling(KEY, base_url=server.url, timeout=1.0, deadline=DEADLINE) as gcore,
    ):
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            gcore.invoices.download_pdf(1)
        assert time.monotonic() - started < DEADLINE + SLACK


def test_max_elapsed_is_a_hard_bound_too() -> None:
    retry = RetryPolicy(max_attempts=3, initial_delay=0.01, jitter=0.0, max_elapsed=DEADLINE)
    with HostileServer(slow_headers) as server, GcoreBilling(KEY, base_url=server.url, timeout=1.0, retry=retry) as gc:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            list(gc.invoices.list())
        assert time.monotonic() - started < DEADLINE + SLACK


@pytest.mark.parametrize("name", list(CASES))
def test_async_call_ends_by_its_deadline(name: str) -> None:
    async def scenario(url: str) -> None:
        async with AsyncGcoreBilling(KEY, base_url=url, timeout=1.0) as gcore:
            with pytest.raises(APITimeoutError):
                await gcore.invoices.get(1, deadline=DEADLINE)

    with HostileServer(CASES[name]) as server:
        started = time.monotonic()
        asyncio.run(scenario(server.url))
        assert time.monotonic() - started < DEADLINE + SLACK


def test_back_off_never_sleeps_past_the_deadline() -> None:
    retry = RetryPolicy(max_attempts=10, max_retry_after=5.0)
    with HostileServer(always_503) as server, GcoreBilling(KEY, base_url=server.url, retry=retry) as gcore:
        started = time.monotonic()
        with pytest.raises(InvoiceClientsError):
            gcore.invoices.get(1, deadline=DEADLINE)
        assert time.monotonic() - started < DEADLINE + SLACK
        assert len(server.requests) >= 2  # it did retry within the budget


@pytest.mark.parametrize("deadline", [0, -1.0, float("nan"), float("inf"), True, "5"])
def test_a_deadline_must_be_a_positive_number(deadline: object) -> None:
    with pytest.raises(InvalidArgumentError):
        GcoreBilling(KEY, base_url="http://127.0.0.1:9", deadline=deadline)  # type: ignore[arg-type]
    with GcoreBilling(KEY, base_url="http://127.0.0.1:9") as gcore, pytest.raises(InvalidArgumentError):
        gcore.invoices.get(1, deadline=deadline)  # type: ignore[arg-type]


def test_with_your_own_client_the_body_is_checked_between_chunks() -> None:
    with (
        HostileServer(slow_body) as server,
        httpx.Client(timeout=0.5) as own,
        GcoreBilling(KEY, base_url=server.url, http_client=own) as gcore,
    ):
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            gcore.invoices.get(1, deadline=DEADLINE)
        assert time.monotonic() - started < DEADLINE + 0.5 + SLACK  # one read may overrun, by its own timeout
