"""Every error mapping, and the retry policy: what is retried, how long it waits, when it gives up."""

from __future__ import annotations

import datetime
import email.utils
import logging
import re
import socket
from pathlib import Path

import pytest

from invoice_clients import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    GcoreBilling,
    InvalidArgumentError,
    InvoiceClientsError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    Versori,
)
from invoice_clients._http.retry import parse_retry_after
from invoice_clients.testing import Fault, Sandbox
from tests.conftest import FAST


@pytest.mark.parametrize(
    ("status", "kind", "attempts"),
    [
        (400, BadRequestError, 1),
        (401, AuthenticationError, 1),
        (403, PermissionDeniedError, 1),
        (404, NotFoundError, 1),
        (409, APIStatusError, 1),
        (422, APIStatusError, 1),
        (408, APIStatusError, 4),
        (429, RateLimitError, 4),
        (500, ServerError, 1),
        (501, ServerError, 1),
        (502, ServerError, 4),
        (503, ServerError, 4),
        (504, ServerError, 4),
    ],
)
def test_status_mapping_and_retryability(
    sandbox: Sandbox, gcore: GcoreBilling, status: int, kind: type[APIStatusError], attempts: int
) -> None:
    sandbox.inject(Fault.status(status), times=None)
    with pytest.raises(kind) as caught:
        gcore.invoices.get(1)
    error = caught.value
    assert type(error) is kind
    assert isinstance(error, APIError) and isinstance(error, InvoiceClientsError)
    assert (error.status_code, error.method) == (status, "GET")
    assert error.url == f"{sandbox.url}/billing/org/v1/erp-invoices/1"
    assert "sandbox fault" in error.body and str(status) in str(error)
    assert len(sandbox.requests) == attempts


def test_real_auth_and_not_found(sandbox: Sandbox) -> None:
    with GcoreBilling("wrong", base_url=sandbox.url) as bad, pytest.raises(AuthenticationError, match="401"):
        bad.invoices.get(1)
    with GcoreBilling("sandbox-gcore-forbidden", base_url=sandbox.url) as limited, pytest.raises(PermissionDeniedError):
        list(limited.invoices.list())
    with sandbox.gcore_client() as gcore, pytest.raises(NotFoundError, match="No ErpInvoice"):
        gcore.invoices.get(999)
    with Versori("wrong", base_url=sandbox.versori_base_url) as bad_v, pytest.raises(AuthenticationError):
        bad_v.invoices.upcoming("org_acme")
    with (
        Versori("sandbox-versori-forbidden", base_url=sandbox.versori_base_url) as limited_v,
        pytest.raises(PermissionDeniedError),
    ):
        limited_v.invoices.upcoming("org_acme")
    with sandbox.versori_client() as versori, pytest.raises(NotFoundError, match="not_found"):
        versori.invoices.list("org_nope")


def test_downloading_an_unknown_invoice_is_not_found_and_writes_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    # The patched spec now declares this 404 (overlays/gcore-billing.yaml); the facade maps it as before.
    target = tmp_path / "missing.pdf"
    with sandbox.gcore_client() as gcore, pytest.raises(NotFoundError, match="No ErpInvoice") as caught:
        gcore.invoices.download_pdf(999, to=target)
    assert caught.value.status_code == 404
    assert len(sandbox.requests) == 1  # not retried
    assert not target.exists()


@pytest.mark.parametrize("fault", [Fault.drop(), Fault.truncate(), Fault.status(503), Fault.status(408)])
def test_transient_failures_are_retried(sandbox: Sandbox, gcore: GcoreBilling, fault: Fault) -> None:
    sandbox.inject(fault, times=2)
    assert len(list(gcore.invoices.list())) == 31
    assert len(sandbox.requests) == 3


def test_dropped_connections_exhaust_to_connection_error(sandbox: Sandbox, gcore: GcoreBilling) -> None:
    sandbox.inject(Fault.drop(), times=None)
    with pytest.raises(APIConnectionError) as caught:
        gcore.invoices.get(1)
    assert caught.value.status_code is None and "RemoteProtocolError" in caught.value.message
    assert caught.value.__cause__ is None  # the httpx exception's text is not redacted: it is named, not attached
    assert len(sandbox.requests) == 4


def test_truncated_bodies_exhaust_to_connection_error(sandbox: Sandbox, gcore: GcoreBilling) -> None:
    sandbox.inject(Fault.truncate(), times=None)
    with pytest.raises(APIConnectionError):
        gcore.invoices.download_pdf(1)


def test_timeouts(sandbox: Sandbox) -> None:
    with sandbox.gcore_client(timeout=0.05, retry=FAST) as gcore:
        sandbox.inject(Fault.timeout(0.5), times=1)
        assert gcore.invoices.get(1).id == "1"
        sandbox.inject(Fault.timeout(0.5), times=None)
        with pytest.raises(APITimeoutError) as caught:
            gcore.invoices.get(1)
        assert isinstance(caught.value, APIConnectionError)
        sandbox.clear_faults()
        sandbox.inject(Fault.latency(0.2))
        assert gcore.invoices.get(1, timeout=2.0).id == "1"  # per-call override


def test_nobody_listening_is_a_connection_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with (
        GcoreBilling("k", base_url=f"http://127.0.0.1:{port}", retry=FAST) as gcore,
        pytest.raises(APIConnectionError, match="ConnectError"),
    ):
        gcore.invoices.get(1)


def test_retry_after_is_honoured(sandbox: Sandbox, gcore: GcoreBilling, caplog: pytest.LogCaptureFixture) -> None:
    sandbox.inject(Fault.rate_limit(retry_after=0.2))
    with caplog.at_level(logging.INFO, logger="invoice_clients"):
        assert gcore.invoices.get(1).id == "1"
    waits = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retrying")]
    assert len(waits) == 1
    assert " in 0.200s after attempt 1/4 failed" in waits[0]  # the server's hint, not FAST's milliseconds
    assert len(sandbox.requests) == 2


def test_retry_after_beyond_the_cap_gives_up_at_once(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    policy = RetryPolicy(initial_delay=0.001, jitter=0, max_retry_after=5.0)
    with sandbox.gcore_client(retry=policy) as gcore:
        sandbox.inject(Fault.rate_limit(retry_after=3600), times=None)
        with caplog.at_level(logging.INFO, logger="invoice_clients"), pytest.raises(RateLimitError) as caught:
            gcore.invoices.get(1)
        assert caught.value.retry_after == 3600
        assert not [r for r in caplog.records if r.getMessage().startswith("retrying")]
        assert len(sandbox.requests) == 1


def test_total_time_is_bounded(sandbox: Sandbox) -> None:
    # max_elapsed, not max_attempts, ends the retries: waits of 0.05 s fit at most 20 times into 1 s (fewer when
    # the machine is slow: each request takes time too), and at least one does unless a request takes 0.95 s.
    policy = RetryPolicy(max_attempts=100, initial_delay=0.05, max_delay=0.05, jitter=0, max_elapsed=1.0)
    with sandbox.gcore_client(retry=policy) as gcore:
        sandbox.inject(Fault.status(503), times=None)
        with pytest.raises(ServerError):
            gcore.invoices.get(1)
        assert 2 <= len(sandbox.requests) <= 21


def test_no_retries_when_disabled(sandbox: Sandbox) -> None:
    with sandbox.gcore_client(retry=RetryPolicy(max_attempts=1)) as gcore:
        sandbox.inject(Fault.status(503))
        with pytest.raises(ServerError):
            gcore.invoices.get(1)
        assert len(sandbox.requests) == 1


def test_backoff_is_exponential_capped_and_jittered() -> None:
    policy = RetryPolicy(initial_delay=1.0, max_delay=5.0, jitter=0.0)
    assert [policy.backoff(n) for n in (1, 2, 3, 4, 5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    jittered = RetryPolicy(initial_delay=1.0, jitter=0.5)
    assert all(0.5 <= jittered.backoff(1) <= 1.0 for _ in range(50))
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)


def _http_date(moment: datetime.datetime, zone: str) -> str:
    """``moment`` as an HTTP date in GMT (RFC 9110), or with RFC 5322's ``-0000`` (UTC, zone not stated)."""
    text = email.utils.format_datetime(moment, usegmt=True)
    return text if zone == "GMT" else text.replace("GMT", "-0000")


@pytest.mark.parametrize("zone", ["GMT", "-0000"])
def test_a_retry_after_date_is_read_against_the_real_clock(sandbox: Sandbox, zone: str) -> None:
    # An hour from now: longer than max_retry_after, so the client gives up at once and says how long to wait.
    header = _http_date(datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1), zone)
    policy = RetryPolicy(initial_delay=0.001, jitter=0, max_retry_after=60.0)
    with sandbox.gcore_client(retry=policy) as gcore:
        sandbox.inject(Fault.rate_limit(retry_after=header), times=None)
        with pytest.raises(RateLimitError) as caught:
            gcore.invoices.get(1)
    assert caught.value.retry_after is not None and 3590 < caught.value.retry_after <= 3600
    assert caught.value.status_code == 429
    assert len(sandbox.requests) == 1


@pytest.mark.parametrize("zone", ["GMT", "-0000"])
def test_a_retry_after_date_in_the_past_is_retried_at_once(
    sandbox: Sandbox, gcore: GcoreBilling, caplog: pytest.LogCaptureFixture, zone: str
) -> None:
    sandbox.inject(
        Fault.rate_limit(retry_after=_http_date(datetime.datetime(2015, 10, 21, 7, 28, tzinfo=datetime.UTC), zone))
    )
    with caplog.at_level(logging.INFO, logger="invoice_clients"):
        assert gcore.invoices.get(1).id == "1"
    waits = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retrying")]
    assert len(waits) == 1 and " in 0.000s after attempt 1/4 failed: HTTP 429" in waits[0]


def test_no_wait_is_started_that_would_end_after_max_elapsed() -> None:
    policy = RetryPolicy(
        max_attempts=10, initial_delay=1.0, max_delay=1.0, jitter=0.0, max_retry_after=5.0, max_elapsed=10.0
    )
    assert policy.next_delay(attempt=1, elapsed=8.0, retry_after=2.0) == 2.0  # ends at max_elapsed: started
    assert policy.next_delay(attempt=1, elapsed=8.5, retry_after=2.0) is None  # would end after it
    assert policy.next_delay(attempt=1, elapsed=9.0, retry_after=None) == 1.0  # the computed back-off alike
    assert policy.next_delay(attempt=1, elapsed=9.5, retry_after=None) is None
    assert policy.next_delay(attempt=1, elapsed=0.0, retry_after=5.0) == 5.0  # at max_retry_after: obeyed
    assert policy.next_delay(attempt=1, elapsed=0.0, retry_after=5.5) is None  # beyond it: give up at once
    assert policy.next_delay(attempt=9, elapsed=0.0, retry_after=0.0) == 0.0  # the tenth attempt may come
    assert policy.next_delay(attempt=10, elapsed=0.0, retry_after=0.0) is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_attempts": 0}, "max_attempts must be at least 1"),
        ({"initial_delay": -0.5}, "delays must not be negative"),
        ({"max_delay": -1.0}, "delays must not be negative"),
        ({"max_retry_after": -1.0}, "delays must not be negative"),
        ({"max_elapsed": 0.0}, "max_elapsed must be positive: it bounds the total time of every call"),
        ({"max_elapsed": float("nan")}, "max_elapsed must be positive"),
        ({"jitter": -0.1}, "jitter is a fraction between 0 and 1"),
        ({"jitter": 1.5}, "jitter is a fraction between 0 and 1"),
    ],
)
def test_a_policy_that_cannot_work_is_refused_saying_which_setting(options: dict[str, float], message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=f"^{re.escape(message)}"):
        RetryPolicy(**options)  # type: ignore[arg-type]


def test_the_edges_of_each_setting_are_accepted() -> None:
    RetryPolicy(max_attempts=1, initial_delay=0.0, max_delay=0.0, max_retry_after=0.0, jitter=0.0, max_elapsed=1e-3)
    RetryPolicy(jitter=1.0)


def test_parse_retry_after() -> None:
    now = datetime.datetime(2026, 5, 15, 12, 0, 0, tzinfo=datetime.UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("0.25") == 0.25
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("Fri, 15 May 2026 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Fri, 15 May 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("nan") is None


def test_redirects_are_not_followed(sandbox: Sandbox, gcore: GcoreBilling) -> None:
    with Sandbox(seed=False) as elsewhere:
        sandbox.inject(Fault.status(302, body=""))
        with pytest.raises(APIStatusError) as caught:
            gcore.invoices.get(1)
        assert caught.value.status_code == 302
        assert elsewhere.requests == []
