"""A call's decisions without I/O (``_http.retry``: what is retried, how long to wait, when to stop), and what
the senders raise on each (``_http.sender.Call``): what both senders' thin loops obey.

Each case feeds one call what an attempt would have met; nothing is sent.
"""

from __future__ import annotations

import time

import httpx
import pytest

from invoice_clients import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    CertificateVerificationError,
    ClientClosedError,
    NotFoundError,
    ProxyError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    ServerError,
)
from invoice_clients._exceptions import error_for_status
from invoice_clients._http.cancel import Cancellation
from invoice_clients._http.retry import DEADLINE_EPSILON, Attempts, RetryPolicy, Stop, should_retry
from invoice_clients._http.sender import RequestSpec, SyncSender
from invoice_clients._redaction import ApiKey

SPEC = RequestSpec("GET", "/invoices")
WHERE = {"method": "GET", "url": "https://api.example.test/invoices"}


@pytest.fixture
def sender() -> SyncSender:
    return SyncSender(
        httpx.Client(), owns_client=False, base_url=httpx.URL("https://api.example.test"), api_key=ApiKey("k" * 32),
        auth_scheme="APIKey", timeout=5.0, retry=RetryPolicy(max_attempts=3, initial_delay=0.1, jitter=0.0),
    )  # fmt: skip


def _status(status: int) -> httpx.Response:
    return httpx.Response(status, request=httpx.Request("GET", "https://api.example.test/invoices"))


def test_a_server_error_is_retried_with_the_policys_delay_until_the_attempts_run_out(sender: SyncSender) -> None:
    call = sender.call(SPEC, None, Cancellation())
    delays = []
    for _ in range(2):
        call.next_attempt()
        delays.append(call.wait_before_retry(call.status_failure(_status(503), b"busy"), None, False))
    assert delays == [pytest.approx(0.1), pytest.approx(0.2)]
    call.next_attempt()
    with pytest.raises(ServerError, match="HTTP 503"):
        call.wait_before_retry(call.status_failure(_status(503), b"busy"), None, False)


def test_a_client_error_is_raised_at_once(sender: SyncSender) -> None:
    call = sender.call(SPEC, None, Cancellation())
    call.next_attempt()
    with pytest.raises(NotFoundError):
        call.wait_before_retry(call.status_failure(_status(404), b""), None, False)


def test_a_connection_failure_after_the_deadline_is_the_deadline_error(sender: SyncSender) -> None:
    call = sender.call(SPEC, 0.05, Cancellation())
    call.next_attempt()
    call.attempts.ends_at -= 1  # the attempt took the time left
    failure, cause = call.failure(httpx.ConnectError("refused"), False)
    assert isinstance(failure, APIConnectionError) and should_retry(failure, cause)
    with pytest.raises(APITimeoutError, match=r"deadline of 0\.05s"):
        call.wait_before_retry(failure, cause, False)
    with pytest.raises(APITimeoutError):
        call.next_attempt()


def test_a_cancelled_call_is_refused_and_its_failures_become_the_closed_error(sender: SyncSender) -> None:
    cancellation = Cancellation()
    call = sender.call(SPEC, None, cancellation)
    call.next_attempt()
    cancellation.cancel()
    with pytest.raises(ClientClosedError):
        call.wait_before_retry(*call.failure(httpx.ReadError("cut"), False), False)
    closed = RuntimeError("Cannot send a request, as the client has been closed.")
    with pytest.raises(ClientClosedError) as raised:
        call.failure(closed, False)
    assert raised.value.__suppress_context__  # the original's text was not redacted
    with pytest.raises(ClientClosedError):
        sender.call(SPEC, None, cancellation)


def test_an_exception_the_package_does_not_map_is_left_alone(sender: SyncSender) -> None:
    call = sender.call(SPEC, None, Cancellation())
    with pytest.raises(KeyError):
        call.failure(KeyError("a bug of ours"), False)


def _connection(cause: BaseException) -> tuple[APIError, BaseException]:
    return APIConnectionError(str(cause), **WHERE), cause


@pytest.mark.parametrize(
    ("failure", "cause", "retried"),
    [
        *[(error_for_status("x", status_code=status, **WHERE), None, True) for status in (408, 429, 502, 503, 504)],
        *[(error_for_status("x", status_code=status, **WHERE), None, False) for status in (400, 401, 403, 404, 500)],
        (*_connection(httpx.ConnectError("refused")), True),
        (*_connection(httpx.ReadTimeout("slow")), True),
        (*_connection(httpx.RemoteProtocolError("cut")), True),
        (*_connection(httpx.LocalProtocolError("ours")), False),
        (*_connection(httpx.InvalidURL("bad")), False),
        (*_connection(OSError("disk")), False),
        (APIConnectionError("a PDF cut short", **WHERE), None, True),
        (CertificateVerificationError("untrusted", **WHERE), httpx.ConnectError("verify"), False),
        (ProxyError("407", **WHERE), httpx.ProxyError("407"), False),
        (ResponseValidationError("misfit", **WHERE), None, False),
        (ResponseTooLargeError("huge", **WHERE), None, False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_what_is_retried(failure: APIError, cause: BaseException | None, retried: bool) -> None:
    assert should_retry(failure, cause) is retried
    attempts = Attempts(RetryPolicy(initial_delay=0.0, jitter=0.0), None)
    attempts.next_attempt()
    assert (attempts.after_failure(failure, cause=cause) is Stop.FAILED) is not retried


def test_a_wait_that_would_end_after_the_deadline_is_not_started() -> None:
    attempts = Attempts(RetryPolicy(initial_delay=1.0, jitter=0.0), deadline=0.5)
    attempts.next_attempt()
    assert attempts.after_failure(ServerError("HTTP 503", status_code=503, **WHERE)) is Stop.FAILED
    roomy = Attempts(RetryPolicy(initial_delay=1.0, jitter=0.0), deadline=5.0)
    roomy.next_attempt()
    assert roomy.after_failure(ServerError("HTTP 503", status_code=503, **WHERE)) == 1.0


def test_a_connection_failure_in_the_calls_last_hundredth_of_a_second_is_the_deadlines() -> None:
    attempts = Attempts(RetryPolicy(initial_delay=0.0, jitter=0.0), None)
    attempts.next_attempt()
    attempts.ends_at = time.monotonic() + DEADLINE_EPSILON * 0.9  # later, the clock only brings the end closer
    assert attempts.after_failure(APIConnectionError("refused", **WHERE)) is Stop.DEADLINE
    assert attempts.after_failure(ServerError("HTTP 503", status_code=503, **WHERE)) is Stop.FAILED  # no time to wait


def test_retry_after_replaces_the_computed_wait_and_the_closed_call_stops_first() -> None:
    attempts = Attempts(RetryPolicy(initial_delay=4.0, jitter=0.0), None)
    attempts.next_attempt()
    throttled = RateLimitError("HTTP 429", status_code=429, retry_after=0.25, **WHERE)
    assert attempts.after_failure(throttled) == 0.25
    assert attempts.after_failure(throttled, closed=True) is Stop.CLOSED
