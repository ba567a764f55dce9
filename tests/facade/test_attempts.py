"""The request loop's decisions without I/O (``transport.Attempts``): what both transports' thin loops obey.

Each case builds the decisions of one call and feeds them what an attempt would have met; nothing is sent.
"""

from __future__ import annotations

import httpx
import pytest

from invoice_clients import APIConnectionError, APITimeoutError, ClientClosedError, NotFoundError, ServerError
from invoice_clients._http.cancel import Cancellation
from invoice_clients._http.retry import RetryPolicy
from invoice_clients._http.security import ApiKey
from invoice_clients._http.transport import Attempts, RequestSpec, SyncTransport

SPEC = RequestSpec("GET", "/invoices")


@pytest.fixture
def transport() -> SyncTransport:
    return SyncTransport(
        httpx.Client(), owns_client=False, base_url=httpx.URL("https://api.example.test"), api_key=ApiKey("k" * 32),
        auth_scheme="APIKey", timeout=5.0, retry=RetryPolicy(max_attempts=3, initial_delay=0.1, jitter=0.0),
    )  # fmt: skip


def _status(status: int) -> httpx.Response:
    return httpx.Response(status, request=httpx.Request("GET", "https://api.example.test/invoices"))


def test_a_server_error_is_retried_with_the_policys_delay_until_the_attempts_run_out(transport: SyncTransport) -> None:
    call = Attempts(transport, SPEC, deadline=None, cancellation=Cancellation())
    delays = []
    for _ in range(2):
        call.next_attempt()
        delays.append(call.back_off(call.status_failure(_status(503), b"busy"), True, False))
    assert delays == [pytest.approx(0.1), pytest.approx(0.2)]
    call.next_attempt()
    with pytest.raises(ServerError, match="HTTP 503"):
        call.back_off(call.status_failure(_status(503), b"busy"), True, False)


def test_a_client_error_is_raised_at_once(transport: SyncTransport) -> None:
    call = Attempts(transport, SPEC, deadline=None, cancellation=Cancellation())
    call.next_attempt()
    with pytest.raises(NotFoundError):
        call.back_off(call.status_failure(_status(404), b""), True, False)


def test_a_connection_failure_after_the_deadline_is_the_deadline_error(transport: SyncTransport) -> None:
    call = Attempts(transport, SPEC, deadline=0.05, cancellation=Cancellation())
    call.next_attempt()
    call.ends_at -= 1  # the attempt took the time left
    failure, retryable = call.failed(httpx.ConnectError("refused"), False)
    assert isinstance(failure, APIConnectionError) and retryable
    with pytest.raises(APITimeoutError, match=r"deadline of 0\.05s"):
        call.back_off(failure, retryable, False)
    with pytest.raises(APITimeoutError):
        call.next_attempt()


def test_a_cancelled_call_is_refused_and_its_failures_become_the_closed_error(transport: SyncTransport) -> None:
    cancellation = Cancellation()
    call = Attempts(transport, SPEC, deadline=None, cancellation=cancellation)
    call.next_attempt()
    cancellation.cancel()
    with pytest.raises(ClientClosedError):
        call.back_off(call.failed(httpx.ReadError("cut"), False)[0], True, False)
    closed = RuntimeError("Cannot send a request, as the client has been closed.")
    with pytest.raises(ClientClosedError) as raised:
        call.failed(closed, False)
    assert raised.value.__suppress_context__  # the original's text was not redacted
    with pytest.raises(ClientClosedError):
        Attempts(transport, SPEC, deadline=None, cancellation=cancellation)


def test_an_exception_the_package_does_not_map_is_left_alone(transport: SyncTransport) -> None:
    call = Attempts(transport, SPEC, deadline=None, cancellation=Cancellation())
    with pytest.raises(KeyError):
        call.failed(KeyError("a bug of ours"), False)
