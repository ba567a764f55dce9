"""The one place requests are sent: authentication, timeouts, retries and error mapping.

Both vendor clients, sync and async, send every request through a
:class:`SyncTransport` or :class:`AsyncTransport`.  The two loops are the same
algorithm (see :class:`~invoice_clients.RetryPolicy`); everything that is not
I/O (URLs, headers, turning a failure into a typed exception, logging) is shared
by :class:`_TransportCore`.  Bodies are always streamed, and consumed inside the
retry loop, so a connection dropped mid-body (a truncated response) is retried
like any other connection failure.  Redirects are never followed: the key must
not travel to another origin.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

import httpx

from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from ._retry import RETRYABLE_STATUSES, RetryPolicy, parse_retry_after
from ._security import ApiKey, redact, safe_url
from ._version import __version__

__all__ = ["DEFAULT_TIMEOUT", "AsyncTransport", "RequestSpec", "SyncTransport", "TimeoutTypes"]

logger = logging.getLogger("invoice_clients")

T = TypeVar("T")
TimeoutTypes = float | httpx.Timeout | None
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
_EXCERPT = 500
_STATUS_ERRORS: Mapping[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}
_RETRYABLE_EXCEPTIONS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """One request, relative to the client's base URL (built from a generated ``_get_kwargs``)."""

    method: str
    path: str
    params: Mapping[str, str | int] = field(default_factory=dict)
    accept: str = "application/json"

    @classmethod
    def from_generated(cls, kwargs: Mapping[str, object], *, accept: str = "application/json") -> RequestSpec:
        """Adopt the ``{"method", "url", "params"}`` dict a generated api module's ``_get_kwargs`` returns."""
        params = kwargs.get("params") or {}
        assert isinstance(params, dict)
        return cls(str(kwargs["method"]).upper(), str(kwargs["url"]), dict(params), accept)


class _TransportCore:
    """What both transports share: URL and header construction, failure mapping, logging."""

    def __init__(
        self,
        *,
        base_url: httpx.URL,
        api_key: ApiKey,
        auth_scheme: str,
        timeout: TimeoutTypes,
        retry: RetryPolicy,
    ) -> None:
        self.base_url = base_url
        self.api_key = api_key
        self.auth_scheme = auth_scheme
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.retry = retry
        self._rate_limited = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={safe_url(self.base_url)!r}, api_key={self.api_key!r})"

    @property
    def rate_limited(self) -> int:
        """How many 429 answers this transport has seen (prefetching backs off when it grows)."""
        return self._rate_limited

    def url(self, spec: RequestSpec) -> str:
        return str(self.base_url).rstrip("/") + spec.path

    def headers(self, spec: RequestSpec) -> dict[str, str]:
        return {
            "Authorization": f"{self.auth_scheme} {self.api_key.reveal()}",
            "Accept": spec.accept,
            "User-Agent": f"invoice-clients/{__version__}",
        }

    def request_timeout(self, timeout: TimeoutTypes | None) -> httpx.Timeout:
        if timeout is None:
            return self.timeout
        return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)

    def excerpt(self, body: bytes) -> str:
        text = " ".join(body[: _EXCERPT * 4].decode("utf-8", errors="replace").split())
        text = redact(text, self.api_key)
        return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "..."

    def connection_error(self, exc: Exception, spec: RequestSpec, url: str) -> APIError:
        kind = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        detail = redact(str(exc) or type(exc).__name__, self.api_key)
        return kind(f"{type(exc).__name__}: {detail}", method=spec.method, url=safe_url(url))

    def status_error(self, response: httpx.Response, body: bytes, spec: RequestSpec, url: str) -> APIStatusError:
        status = response.status_code
        if status == 429:
            with self._lock:
                self._rate_limited += 1
        kind = _STATUS_ERRORS.get(status, ServerError if status >= 500 else APIStatusError)
        message = f"HTTP {status} {response.reason_phrase}".rstrip()
        common = {"method": spec.method, "url": safe_url(url), "status_code": status, "body": self.excerpt(body)}
        if kind is RateLimitError:
            return RateLimitError(message, retry_after=parse_retry_after(response.headers.get("Retry-After")), **common)  # type: ignore[arg-type]
        return kind(message, **common)  # type: ignore[arg-type]

    def decide(self, failure: APIError, *, attempt: int, started: float) -> float | None:
        """Seconds to wait before retrying ``failure``, or ``None`` to raise it."""
        retry_after: float | None = None
        if isinstance(failure, APIStatusError):
            if failure.status_code not in RETRYABLE_STATUSES:
                return None
            retry_after = failure.retry_after if isinstance(failure, RateLimitError) else None
        elif not isinstance(failure, APIConnectionError):
            return None
        delay = self.retry.next_delay(attempt=attempt, elapsed=time.monotonic() - started, retry_after=retry_after)
        if delay is not None:
            logger.info(
                "retrying %s %s in %.3fs after attempt %d/%d failed: %s",
                failure.method,
                failure.url,
                delay,
                attempt,
                self.retry.max_attempts,
                failure.message,
            )
        return delay

    def log_success(self, spec: RequestSpec, url: str, response: httpx.Response, attempt: int, started: float) -> None:
        logger.debug(
            "%s %s params=%s -> %d in %.3fs (attempt %d)",
            spec.method,
            safe_url(url),
            dict(spec.params),
            response.status_code,
            time.monotonic() - started,
            attempt,
        )


class SyncTransport(_TransportCore):
    """Sends requests with an ``httpx.Client``, retrying per the policy."""

    def __init__(
        self,
        client: httpx.Client | None,
        *,
        owns_client: bool,
        base_url: httpx.URL,
        api_key: ApiKey,
        auth_scheme: str,
        timeout: TimeoutTypes,
        retry: RetryPolicy,
    ) -> None:
        super().__init__(base_url=base_url, api_key=api_key, auth_scheme=auth_scheme, timeout=timeout, retry=retry)
        self.client = client if client is not None else httpx.Client(timeout=self.timeout)
        self.owns_client = owns_client or client is None

    def request(
        self,
        spec: RequestSpec,
        consume: Callable[[Iterator[bytes]], T],
        *,
        timeout: TimeoutTypes | None = None,
    ) -> T:
        """Send ``spec`` until it succeeds or the policy gives up; ``consume`` reads a successful body.

        ``consume`` may be called once per attempt (a body dropped mid-way is
        retried), so it must start afresh each time.
        """
        url, started, attempt = self.url(spec), time.monotonic(), 0
        while True:
            attempt += 1
            failure: APIError
            try:
                request = self.client.build_request(
                    spec.method, url, params=dict(spec.params), headers=self.headers(spec),
                    timeout=self.request_timeout(timeout),
                )  # fmt: skip
                response = self.client.send(request, stream=True, follow_redirects=False)
                try:
                    if response.is_success:
                        result = consume(response.iter_bytes())
                        self.log_success(spec, url, response, attempt, started)
                        return result
                    failure = self.status_error(response, response.read(), spec, url)
                finally:
                    response.close()
            except _RETRYABLE_EXCEPTIONS as exc:
                failure = self.connection_error(exc, spec, url)
                failure.__cause__ = exc
            delay = self.decide(failure, attempt=attempt, started=started)
            if delay is None:
                raise failure
            time.sleep(delay)

    def close(self) -> None:
        if self.owns_client:
            self.client.close()


class AsyncTransport(_TransportCore):
    """Sends requests with an ``httpx.AsyncClient``, retrying per the policy."""

    def __init__(
        self,
        client: httpx.AsyncClient | None,
        *,
        owns_client: bool,
        base_url: httpx.URL,
        api_key: ApiKey,
        auth_scheme: str,
        timeout: TimeoutTypes,
        retry: RetryPolicy,
    ) -> None:
        super().__init__(base_url=base_url, api_key=api_key, auth_scheme=auth_scheme, timeout=timeout, retry=retry)
        self.client = client if client is not None else httpx.AsyncClient(timeout=self.timeout)
        self.owns_client = owns_client or client is None

    async def request(
        self,
        spec: RequestSpec,
        consume: Callable[[AsyncIterator[bytes]], Awaitable[T]],
        *,
        timeout: TimeoutTypes | None = None,
    ) -> T:
        """The async twin of :meth:`SyncTransport.request`."""
        url, started, attempt = self.url(spec), time.monotonic(), 0
        while True:
            attempt += 1
            failure: APIError
            try:
                request = self.client.build_request(
                    spec.method, url, params=dict(spec.params), headers=self.headers(spec),
                    timeout=self.request_timeout(timeout),
                )  # fmt: skip
                response = await self.client.send(request, stream=True, follow_redirects=False)
                try:
                    if response.is_success:
                        result = await consume(response.aiter_bytes())
                        self.log_success(spec, url, response, attempt, started)
                        return result
                    failure = self.status_error(response, await response.aread(), spec, url)
                finally:
                    await response.aclose()
            except _RETRYABLE_EXCEPTIONS as exc:
                failure = self.connection_error(exc, spec, url)
                failure.__cause__ = exc
            delay = self.decide(failure, attempt=attempt, started=started)
            if delay is None:
                raise failure
            await asyncio.sleep(delay)

    async def aclose(self) -> None:
        if self.owns_client:
            await self.client.aclose()


def read_all(chunks: Iterator[bytes]) -> bytes:
    """A ``consume`` for :meth:`SyncTransport.request` that returns the whole body."""
    return b"".join(chunks)


async def aread_all(chunks: AsyncIterator[bytes]) -> bytes:
    """A ``consume`` for :meth:`AsyncTransport.request` that returns the whole body."""
    return b"".join([chunk async for chunk in chunks])
