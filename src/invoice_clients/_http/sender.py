"""The one place requests are sent: the key, the deadline, size limits, retries and typed errors.

Both vendor clients, sync and async, send every request through a :class:`SyncSender` or :class:`AsyncSender`:
two thin loops that send, read and wait, and act on what :class:`~.retry.Attempts` decides (what is retried, how
long to wait, when to stop: :mod:`.retry`).  What the two share without I/O (URLs, headers, timeouts, the call's
outcome raised as a typed error from :mod:`.failures`) is :class:`Sender`'s.

Bodies are streamed and consumed inside the loop, so a connection dropped mid-body is retried like any other
connection failure; redirects are never followed, so the key never travels to another origin.  A call is bounded
in time (a total deadline, see :mod:`.deadline`), in size (:mod:`.body`) and in what escapes it (redacted typed
errors only).  It is bound to a :class:`~.cancel.Cancellation` (the client's, cancelled by ``close()``, or a
prefetch thread's listing's): once cancelled, it is neither started nor retried and raises
:class:`~invoice_clients.ClientClosedError`.  A forked child makes a new ``httpx`` client before its next request.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from .._exceptions import APIError, APITimeoutError, ClientClosedError, InvalidArgumentError, InvoiceClientsError
from .._redaction import ApiKey
from .._version import __version__
from .body import ACCEPT_ENCODING, BodyReader
from .cancel import Cancellation, current
from .deadline import bounded
from .failures import ERROR_BODY, Failures
from .proxies import ProxyRoute
from .retry import Attempts, RetryPolicy, Stop
from .security import safe_url

if TYPE_CHECKING:
    import asyncio

    from .._exceptions import RequestDetails
    from .pools import PoolSettings

__all__ = [
    "DEFAULT_MAX_PDF_BYTES",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "AsyncSender",
    "Call",
    "RequestSpec",
    "Sender",
    "SyncSender",
    "TimeoutTypes",
    "aread_all",
    "check_deadline",
    "read_all",
]

logger = logging.getLogger("invoice_clients")

T = TypeVar("T")
TimeoutTypes = float | httpx.Timeout | None
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024
"""About 170 full pages of 100 invoices."""
DEFAULT_MAX_PDF_BYTES = 64 * 1024 * 1024
_PARSED_URLS = 64  # distinct request URLs kept parsed per sender (one per invoice id for get/download)
_MAPPED_EXCEPTIONS = (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError)
"""What an attempt may raise that becomes a typed error (:meth:`.failures.Failures.from_exception`)."""
_CLOSE_WAIT = 2.0
"""Seconds ``close()`` waits at most for the prefetch threads of its listings to end."""
_senders: weakref.WeakSet[Sender] = weakref.WeakSet()
"""Every live sender, for the fork handler."""


def _after_fork_in_child() -> None:
    for sender in list(_senders):
        sender.after_fork()


if hasattr(os, "register_at_fork"):  # not on Windows, which cannot fork
    os.register_at_fork(after_in_child=_after_fork_in_child)


def check_deadline(deadline: float | None, name: str = "deadline") -> float | None:
    """``deadline`` if it is ``None`` or a positive, finite number of seconds; else an :class:`InvalidArgumentError`."""
    if deadline is None:
        return None
    if isinstance(deadline, bool) or not isinstance(deadline, int | float) or not 0 < deadline < math.inf:
        raise InvalidArgumentError(f"{name} must be a positive number of seconds, got {type(deadline).__name__}")
    return float(deadline)


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


class Sender:
    """What both senders share: the client's settings, URLs and headers, and a call's outcome as a typed error."""

    client: Any
    """The ``httpx`` client: an ``httpx.Client`` or ``httpx.AsyncClient``, as the subclass says."""

    def __init__(
        self,
        client: Any = None,
        *,
        owns_client: bool = False,
        base_url: httpx.URL,
        api_key: ApiKey,
        auth_scheme: str,
        timeout: TimeoutTypes,
        retry: RetryPolicy,
        deadline: float | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_pdf_bytes: int = DEFAULT_MAX_PDF_BYTES,
        proxy: ProxyRoute | None = None,
        trust_env: bool = True,
        system_certs: bool = False,
    ) -> None:
        self.base_url = base_url
        self.api_key = api_key
        self.auth_scheme = auth_scheme
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.retry = retry
        self.deadline = check_deadline(deadline)
        for name, value in (("max_response_bytes", max_response_bytes), ("max_pdf_bytes", max_pdf_bytes)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidArgumentError(f"{name} must be a positive int, got {type(value).__name__}")
        self.max_response_bytes = max_response_bytes
        self.max_pdf_bytes = max_pdf_bytes
        self.proxy = proxy
        """The proxy the ``httpx`` client made here goes through (``None``: direct, or a caller's client)."""
        self.failures = Failures(api_key, proxy)
        self.trust_env = trust_env
        self.system_certs = system_certs
        self._rate_limited = 0
        self._lock = threading.Lock()
        self._parsed: dict[str, httpx.URL] = {}
        self.lifetime = Cancellation()
        """Cancelled by ``close()``; the listings' cancellations hang below it."""
        self.pool_transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None
        """The transport of the ``httpx`` client made here (``None`` with a caller's client)."""
        self._renew = False
        self.owns_client = owns_client or client is None
        self.client = self._new_client() if client is None else client
        _senders.add(self)

    def _new_client(self) -> Any:
        """An ``httpx`` client of our own (each subclass makes its kind)."""
        raise NotImplementedError

    def pool_settings(self) -> PoolSettings:
        """The settings of the connection pool of an ``httpx`` client made here: the proxy, and the TLS trust."""
        from .pools import PoolSettings  # here: importing the package imports no httpcore

        return PoolSettings(trust_env=self.trust_env, system_certs=self.system_certs, proxy=self.proxy)

    def after_fork(self) -> None:
        """In a forked child: new locks, and a new ``httpx`` client before the next request if this one made its own
        (the inherited one is dropped, not closed: closing it could wait on a lock a parent thread held)."""
        self._lock = threading.Lock()
        self.lifetime.after_fork()
        self._renew = self.owns_client

    @property
    def closed(self) -> bool:
        """Whether ``close()``/``aclose()`` was called."""
        return self.lifetime.cancelled

    def closed_error(self, http_client_closed: bool = False) -> ClientClosedError:
        """What a call raises once its client is closed (or, in a prefetch thread, once its listing is)."""
        where = safe_url(self.base_url)
        if self.lifetime.cancelled:
            return ClientClosedError(f"{where}: the client is closed (create a new one)")
        if http_client_closed:
            return ClientClosedError(f"{where}: the http_client given to this client is closed")
        return ClientClosedError(f"{where}: the listing this request was for was closed")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={safe_url(self.base_url)!r}, api_key={self.api_key!r})"

    @property
    def rate_limited(self) -> int:
        """How many 429 answers this sender has seen (prefetching backs off when it grows)."""
        return self._rate_limited

    def url(self, spec: RequestSpec) -> str:
        return str(self.base_url).rstrip("/") + spec.path

    def request_details(self, spec: RequestSpec, status_code: int = 200) -> RequestDetails:
        """Where a body came from (method, URL without credentials, status): what a misfit found in it names."""
        return {"method": spec.method, "url": safe_url(self.url(spec)), "status_code": status_code}

    def parse(self, body: bytes, parse: Callable[[bytes], T], request: RequestDetails) -> T:
        """``parse(body)``, a body that does not fit raised as a ``ResponseValidationError`` naming ``request``."""
        return self.failures.parse(body, parse, request)

    def target(self, url: str) -> httpx.URL:
        """``url`` parsed once per distinct URL (every page of a listing has the same): httpx would parse the
        string again on each request, much of the cost of building one."""
        parsed = self._parsed.get(url)
        if parsed is None:
            if len(self._parsed) >= _PARSED_URLS:
                self._parsed.clear()
            parsed = self._parsed[url] = httpx.URL(url)
        return parsed

    def headers(self, spec: RequestSpec) -> dict[str, str]:
        return {
            "Authorization": f"{self.auth_scheme} {self.api_key.reveal()}",
            "Accept": spec.accept,
            "Accept-Encoding": ACCEPT_ENCODING,  # the codings .body decodes with bounded memory
            "User-Agent": f"invoice-clients/{__version__}",
        }

    def request_timeout(self, timeout: TimeoutTypes | None, left: float | None = None) -> httpx.Timeout:
        """The per-operation timeouts of one attempt, none longer than the ``left`` seconds of the budget."""
        if timeout is None:
            chosen = self.timeout
        else:
            chosen = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        if left is None:
            return chosen
        left = max(left, 0.001)

        def cap(value: float | None) -> float:
            return left if value is None else min(value, left)

        return httpx.Timeout(
            connect=cap(chosen.connect), read=cap(chosen.read), write=cap(chosen.write), pool=cap(chosen.pool)
        )

    def body_reader(self, response: httpx.Response, spec: RequestSpec, url: str) -> BodyReader:
        pdf = spec.accept == "application/pdf"
        limit = self.max_pdf_bytes if pdf else self.max_response_bytes
        return BodyReader(response, limit=limit, method=spec.method, url=url, pdf=pdf)

    def error_body_reader(self, response: httpx.Response, spec: RequestSpec, url: str) -> BodyReader:
        """A reader of an error's body, read :data:`.failures.ERROR_BODY` bytes far for its excerpt."""
        return BodyReader(response, limit=ERROR_BODY * 2, method=spec.method, url=url, pdf=False)

    def call(self, spec: RequestSpec, deadline: float | None, cancellation: Cancellation) -> Call:
        """A new call of ``spec``, refused (the closed error) when ``cancellation`` is already cancelled."""
        if cancellation.cancelled:
            raise self.closed_error()
        chosen = check_deadline(deadline)
        return Call(self, spec, Attempts(self.retry, self.deadline if chosen is None else chosen), cancellation)

    def count_rate_limited(self) -> None:
        with self._lock:
            self._rate_limited += 1


class Call:
    """One call in flight: its request, its :class:`~.retry.Attempts`, and the error each way of stopping raises."""

    __slots__ = ("attempts", "cancellation", "sender", "spec", "url")

    def __init__(self, sender: Sender, spec: RequestSpec, attempts: Attempts, cancellation: Cancellation) -> None:
        self.sender, self.spec, self.attempts, self.cancellation = sender, spec, attempts, cancellation
        self.url = sender.url(spec)

    def next_attempt(self) -> float:
        """Count a new attempt: the seconds left for it; the deadline error if none are."""
        left = self.attempts.next_attempt()
        if isinstance(left, Stop):
            raise self.deadline_error()
        return left

    def request(
        self, client: httpx.Client | httpx.AsyncClient, timeout: TimeoutTypes | None, left: float
    ) -> httpx.Request:
        """The attempt's request: no timeout longer than the ``left`` seconds."""
        sender, spec = self.sender, self.spec
        return client.build_request(
            spec.method, sender.target(self.url), params=dict(spec.params), headers=sender.headers(spec),
            timeout=sender.request_timeout(timeout, left),
        )  # fmt: skip

    def deadline_error(self) -> APITimeoutError:
        return self.sender.failures.deadline(self.spec.method, self.url, self.attempts.budget)

    def succeeded(self, response: httpx.Response) -> None:
        if logger.isEnabledFor(logging.DEBUG):  # the URL and params are not formatted for nothing
            logger.debug(
                "%s %s params=%s -> %d in %.3fs (attempt %d)", self.spec.method, safe_url(self.url),
                dict(self.spec.params), response.status_code, time.monotonic() - self.attempts.started,
                self.attempts.attempt,
            )  # fmt: skip

    def status_failure(self, response: httpx.Response, body: bytes) -> APIError:
        """The typed error for a response that is not a success (``body``: the start of its body)."""
        if response.status_code == 429:
            self.sender.count_rate_limited()
        return self.sender.failures.from_status(response, body, self.spec.method, self.url)

    def failure(self, exc: Exception, client_closed: bool) -> tuple[APIError, BaseException | None]:
        """What an exception from an attempt becomes: the typed failure, and the exception it was made from.

        Called inside the ``except`` that caught ``exc``.  Raises at once the closed error when a ``RuntimeError``
        says the ``httpx`` client was closed under the call (without the original, whose text was not redacted),
        and as it is any other exception: an :class:`InvoiceClientsError` that is not an ``APIError``, or one this
        package does not map.
        """
        if isinstance(exc, APIError):
            return exc, None
        if isinstance(exc, _MAPPED_EXCEPTIONS) and not isinstance(exc, InvoiceClientsError):
            return self.sender.failures.from_exception(exc, self.spec.method, self.url), exc
        if isinstance(exc, RuntimeError) and (self.cancellation.cancelled or client_closed):
            raise self.sender.closed_error(client_closed) from None
        raise exc

    def wait_before_retry(self, failure: APIError, cause: BaseException | None, client_closed: bool) -> float:
        """Seconds to wait before the next attempt, or raises what :meth:`~.retry.Attempts.after_failure` says:
        the closed error, the deadline error, or ``failure`` itself."""
        attempts = self.attempts
        closed = self.cancellation.cancelled or client_closed
        outcome = attempts.after_failure(failure, cause=cause, closed=closed)
        if outcome is Stop.CLOSED:
            raise self.sender.closed_error(client_closed)
        if outcome is Stop.DEADLINE:
            raise self.deadline_error()
        if outcome is Stop.FAILED:
            raise failure
        logger.info(
            "retrying %s %s in %.3fs after attempt %d/%d failed: %s", failure.method, failure.url, outcome,
            attempts.attempt, attempts.policy.max_attempts, failure.message,
        )  # fmt: skip
        return outcome


class SyncSender(Sender):
    """Sends requests with an ``httpx.Client``, retrying per the policy, within the call's deadline.

    A client created here talks through :func:`.deadline_backend.deadline_http_transport`, so no read outlives
    the deadline.  With an ``httpx.Client`` of the caller's, each attempt's timeouts shrink to the time left and
    the body is checked between chunks, but a single slow read can overrun by up to its timeout.
    """

    client: httpx.Client

    def _new_client(self) -> httpx.Client:
        from .deadline_backend import deadline_http_transport  # here: importing the package imports no httpcore

        self.pool_transport = deadline_http_transport(self.pool_settings())
        return httpx.Client(timeout=self.timeout, transport=self.pool_transport)

    def _renewed(self) -> httpx.Client:
        """The ``httpx`` client, made anew first if this process is a fork's child (see :meth:`after_fork`)."""
        with self._lock:
            if self._renew:
                self.client = self._new_client()
                self._renew = False
        return self.client

    def request(
        self,
        spec: RequestSpec,
        consume: Callable[[Iterator[bytes]], T],
        *,
        timeout: TimeoutTypes | None = None,
        deadline: float | None = None,
    ) -> T:
        """Send ``spec`` until it succeeds or :mod:`.retry` says to stop; ``consume`` reads the body.

        ``consume`` may be called once per attempt (a body dropped mid-way is retried), so it must start afresh
        each time.
        """
        cancellation = current() or self.lifetime  # a prefetch thread's listing, or the client itself
        call = self.call(spec, deadline, cancellation)
        client = self._renewed() if self._renew else self.client
        ends_at = call.attempts.ends_at
        # every read and write of this thread ends by then, or once cancelled (our own httpx.Client)
        with bounded(ends_at, cancellation):
            while True:
                left = call.next_attempt()
                cause: BaseException | None = None
                try:
                    response = client.send(call.request(client, timeout, left), stream=True, follow_redirects=False)
                    try:
                        if response.is_success:
                            result = consume(self._chunks(response, spec, call.url, ends_at))
                            call.succeeded(response)
                            return result
                        failure = call.status_failure(response, self._error_body(response, spec, call.url, ends_at))
                    finally:
                        response.close()
                except Exception as exc:
                    failure, cause = call.failure(exc, client.is_closed)
                if cancellation.wait(call.wait_before_retry(failure, cause, client.is_closed)):  # ends if cancelled
                    raise self.closed_error()

    def _chunks(self, response: httpx.Response, spec: RequestSpec, url: str, ends_at: float) -> Iterator[bytes]:
        reader = self.body_reader(response, spec, url)
        for raw in response.iter_raw():
            yield from reader.feed(raw)
            if time.monotonic() >= ends_at:  # a caller's client: no read is bounded, so check between chunks
                raise httpx.ReadTimeout("the call's deadline passed while reading the body")
        yield from reader.finish()

    def _error_body(self, response: httpx.Response, spec: RequestSpec, url: str, ends_at: float) -> bytes:
        parts: list[bytes] = []
        try:
            reader = self.error_body_reader(response, spec, url)
            for raw in response.iter_raw():
                parts += reader.feed(raw)
                if sum(map(len, parts)) >= ERROR_BODY or time.monotonic() >= ends_at:
                    break
        except APIError:
            pass  # an undecodable or oversized error body: what was read is excerpt enough
        return b"".join(parts)

    def close(self) -> None:
        """Cancel every call in flight, wait for the listings' prefetch threads to end (:data:`_CLOSE_WAIT` at
        most), then close the ``httpx`` client if it is ours."""
        self.lifetime.cancel()
        self.lifetime.join(_CLOSE_WAIT)
        if self.owns_client and not self._renew:  # a fork's child drops the inherited client (see after_fork)
            self.client.close()


class AsyncSender(Sender):
    """Sends requests with an ``httpx.AsyncClient``, retrying per the policy; cancelled at the call's deadline.

    A client created here talks through :func:`.asyncio_backend.asyncio_http_transport` (asyncio's own
    transports rather than anyio's: less CPU per request); an ``httpx.AsyncClient`` of the caller's is used as
    it is.
    """

    client: httpx.AsyncClient

    def __init__(self, client: httpx.AsyncClient | None = None, **options: Any) -> None:
        super().__init__(client, **options)
        self._sleepers: set[asyncio.Future[None]] = set()

    def _new_client(self) -> httpx.AsyncClient:
        from .asyncio_backend import asyncio_http_transport  # here: sync users never import asyncio

        self.pool_transport = asyncio_http_transport(self.pool_settings())
        return httpx.AsyncClient(timeout=self.timeout, transport=self.pool_transport)

    async def request(
        self,
        spec: RequestSpec,
        consume: Callable[[AsyncIterator[bytes]], Awaitable[T]],
        *,
        timeout: TimeoutTypes | None = None,
        deadline: float | None = None,
    ) -> T:
        """The async twin of :meth:`SyncSender.request`: the whole call runs under ``asyncio.timeout``."""
        call = self.call(spec, deadline, self.lifetime)
        if self._renew:  # a fork's child: the parent's connections are not ours to use
            self.client, self._renew = self._new_client(), False
        late: APITimeoutError | None = None
        try:
            import asyncio  # here, not at import: sync users never need it

            async with asyncio.timeout(call.attempts.budget):
                return await self._attempts(call, consume, timeout)
        except TimeoutError:
            late = call.deadline_error()
        raise late

    async def _attempts(
        self, call: Call, consume: Callable[[AsyncIterator[bytes]], Awaitable[T]], timeout: TimeoutTypes | None
    ) -> T:
        client = self.client
        while True:
            left = call.next_attempt()
            cause: BaseException | None = None
            try:
                response = await client.send(call.request(client, timeout, left), stream=True, follow_redirects=False)
                try:
                    if response.is_success:
                        result = await consume(self._chunks(response, call.spec, call.url))
                        call.succeeded(response)
                        return result
                    failure = call.status_failure(response, await self._error_body(response, call.spec, call.url))
                finally:
                    await response.aclose()
            except Exception as exc:
                failure, cause = call.failure(exc, client.is_closed)
            await self._back_off(call.wait_before_retry(failure, cause, client.is_closed))

    async def _back_off(self, seconds: float) -> None:
        """Sleep ``seconds``, or until :meth:`aclose` (then raise :class:`ClientClosedError`)."""
        import asyncio

        loop = asyncio.get_running_loop()
        woken: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not woken.done():
                woken.set_result(None)

        alarm = loop.call_later(seconds, wake)
        self._sleepers.add(woken)
        try:
            await woken
        finally:
            alarm.cancel()
            self._sleepers.discard(woken)
        if self.lifetime.cancelled:
            raise self.closed_error()

    async def _chunks(self, response: httpx.Response, spec: RequestSpec, url: str) -> AsyncIterator[bytes]:
        reader = self.body_reader(response, spec, url)
        async for raw in response.aiter_raw():
            for chunk in reader.feed(raw):
                yield chunk
        for chunk in reader.finish():
            yield chunk

    async def _error_body(self, response: httpx.Response, spec: RequestSpec, url: str) -> bytes:
        parts: list[bytes] = []
        try:
            reader = self.error_body_reader(response, spec, url)
            async for raw in response.aiter_raw():
                parts += reader.feed(raw)
                if sum(map(len, parts)) >= ERROR_BODY:
                    break
        except APIError:
            pass
        return b"".join(parts)

    async def aclose(self) -> None:
        """Refuse every call from now on, end the back-offs in progress, and close the ``httpx`` client if it is ours
        (which closes the connections of the calls in flight: they raise :class:`ClientClosedError`)."""
        self.lifetime.cancel()
        for sleeper in list(self._sleepers):
            if not sleeper.done():
                sleeper.set_result(None)
        if self.owns_client and not self._renew:  # a fork's child drops the inherited client (see after_fork)
            await self.client.aclose()


def read_all(chunks: Iterator[bytes]) -> bytes:
    """A ``consume`` for :meth:`SyncSender.request` that returns the whole body."""
    return b"".join(chunks)


async def aread_all(chunks: AsyncIterator[bytes]) -> bytes:
    """A ``consume`` for :meth:`AsyncSender.request` that returns the whole body."""
    return b"".join([chunk async for chunk in chunks])
