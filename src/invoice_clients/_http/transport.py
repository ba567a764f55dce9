"""The one place requests are sent: authentication, deadlines, size limits, retries and error mapping.

Both vendor clients, sync and async, send every request through a
:class:`SyncTransport` or :class:`AsyncTransport`.  The two loops are the same
algorithm (see :class:`~invoice_clients.RetryPolicy`); everything that is not
I/O (URLs, headers, turning a failure into a typed exception, logging) is shared
by :class:`TransportCore`.  Bodies are always streamed, and consumed inside the
retry loop, so a connection dropped mid-body (a truncated response) is retried
like any other connection failure.  Redirects are never followed: the key must
not travel to another origin.

A call is bounded three ways against a hostile server: in time (a total
deadline over every attempt and back-off, see :mod:`.deadline`), in size
(decoded bytes, see :mod:`.body`) and in what can escape it: every failure is
an :class:`~invoice_clients.InvoiceClientsError` built from redacted text only,
raised without the original exception attached (its text was not redacted).

A call is also bound to a :class:`~.cancel.Cancellation`: the client's own,
cancelled by ``close()``, or in a prefetch thread its listing's, below it.
Once cancelled, a call is neither started nor retried, its back-off ends, and
its blocking reads end within a slice (see :mod:`.deadline_backend`); it
raises :class:`~invoice_clients.ClientClosedError`.  A forked child never
uses the parent's connections: each transport that made its own ``httpx``
client makes a new one before its next request (the inherited sockets are
closed by the backend), and its locks are made anew.
"""

from __future__ import annotations

import logging
import math
import os
import re
import ssl
import threading
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from .._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    CertificateVerificationError,
    ClientClosedError,
    InvalidArgumentError,
    InvoiceClientsError,
    ProxyError,
    RateLimitError,
    error_for_status,
)
from .._version import __version__
from .body import ACCEPT_ENCODING, BodyReader
from .cancel import Cancellation, current
from .deadline import bounded
from .proxies import ProxyRoute
from .retry import RETRYABLE_STATUSES, RetryPolicy, parse_retry_after
from .security import ApiKey, redact_text, safe_url
from .trust import SYSTEM_CERTS_VARIABLE

if TYPE_CHECKING:
    import asyncio

    from .pools import PoolSettings

__all__ = [
    "DEFAULT_MAX_PDF_BYTES",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "AsyncTransport",
    "Attempts",
    "RequestSpec",
    "SyncTransport",
    "TimeoutTypes",
    "TransportCore",
    "check_deadline",
]

logger = logging.getLogger("invoice_clients")

T = TypeVar("T")
TimeoutTypes = float | httpx.Timeout | None
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024
"""A full page of 100 invoices is about 50 KB (49,282 bytes from the sandbox): room for 170 times that."""
DEFAULT_MAX_PDF_BYTES = 64 * 1024 * 1024
_EXCERPT = 500
_ERROR_BODY = 16 * 1024  # an error body is read this far, for its excerpt
_PARSED_URLS = 64  # distinct request URLs kept parsed per transport (one per invoice id for get/download)
_DEADLINE_EPSILON = 0.01
_RETRYABLE_EXCEPTIONS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
# Every failure of an attempt that becomes a typed error: the retryable ones above (httpx.HTTPError subclasses)
# and odd protocol or codec failures.
_MAPPED_EXCEPTIONS = (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError)
_FINAL_CONNECTION_ERRORS = (CertificateVerificationError, ProxyError)
"""Connection failures that a retry would meet again."""
_CLOSE_WAIT = 2.0
"""Seconds ``close()`` waits at most for the prefetch threads of its listings to end (each ends within a slice,
unless it is connecting: a connection attempt ends by its connect timeout)."""
_transports: weakref.WeakSet[TransportCore] = weakref.WeakSet()
"""Every live transport, for the fork handler."""


def _after_fork_in_child() -> None:
    for transport in list(_transports):
        transport.after_fork()


if hasattr(os, "register_at_fork"):  # not on Windows, which cannot fork
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _verification_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate verification failure behind ``exc``, if that is what it is (httpx and httpcore raise it as
    a ``ConnectError`` caused by the ``ssl`` module's error, with our transports and with a caller's alike)."""
    seen: set[int] = set()
    current_: BaseException | None = exc
    while current_ is not None and id(current_) not in seen:
        if isinstance(current_, ssl.SSLCertVerificationError):
            return current_
        seen.add(id(current_))
        current_ = current_.__cause__ or current_.__context__
    return None


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


class TransportCore:
    """What both transports share: URL and header construction, failure mapping, logging."""

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
        _transports.add(self)

    def _new_client(self) -> Any:
        """An ``httpx`` client of our own (each subclass makes its kind)."""
        raise NotImplementedError

    def pool_settings(self) -> PoolSettings:
        """The settings of the connection pool of an ``httpx`` client made here: the proxy, and the TLS trust."""
        from .pools import PoolSettings  # here: importing the package imports no httpcore

        return PoolSettings(trust_env=self.trust_env, system_certs=self.system_certs, proxy=self.proxy)

    def redact(self, text: str) -> str:
        """Text built from what a server or proxy sent, made safe to show: see :func:`.security.redact_text`; the
        proxy's password is scrubbed too."""
        text = redact_text(text, self.api_key)
        return text if self.proxy is None else self.proxy.scrub(text)

    def after_fork(self) -> None:
        """In a forked child: new locks, and a new ``httpx`` client before the next request if this one made its own
        (the inherited one may share connections with the parent; it is dropped, not closed, since closing it
        could wait on a lock a parent thread held at the fork)."""
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
        """How many 429 answers this transport has seen (prefetching backs off when it grows)."""
        return self._rate_limited

    def url(self, spec: RequestSpec) -> str:
        return str(self.base_url).rstrip("/") + spec.path

    def target(self, url: str) -> httpx.URL:
        """``url`` parsed once per distinct URL (every page of a listing has the same): given the string, httpx
        would parse it again on each request, a fifth of the time it takes to build one."""
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
            "Accept-Encoding": ACCEPT_ENCODING,  # the codings _body decodes with bounded memory
            "User-Agent": f"invoice-clients/{__version__}",
        }

    def budget(self, deadline: float | None) -> float:
        """Seconds this call may take in all: the call's (or client's) deadline, capped by ``retry.max_elapsed``."""
        chosen = check_deadline(deadline)
        chosen = self.deadline if chosen is None else chosen
        return self.retry.max_elapsed if chosen is None else min(chosen, self.retry.max_elapsed)

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

    def excerpt(self, body: bytes) -> str:
        """A short, one-line, redacted excerpt of a body: redacted first, then collapsed, then cut.

        Only the first 16 KiB are considered; when the body is longer, the end
        of that window is dropped too, as it could hold the start of the key.
        """
        window = body[:_ERROR_BODY].decode("utf-8", errors="replace")
        if len(body) >= _ERROR_BODY:
            window = window[: -10 * len(self.api_key.reveal())]
        text = self.redact(window)
        return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "..."

    def _text(self, exc: BaseException) -> str:
        try:
            text = str(exc)
        except Exception:
            text = ""
        return self.redact(text or type(exc).__name__)[:300]

    def _through(self) -> str:
        return "" if self.proxy is None else f" (through the proxy {self.proxy})"

    def connection_error(self, exc: BaseException, spec: RequestSpec, url: str) -> APIError:
        kind = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        message = f"{type(exc).__name__}: {self._text(exc)}{self._through()}"
        return kind(message, method=spec.method, url=safe_url(url))

    def certificate_error(
        self, failure: ssl.SSLCertVerificationError, spec: RequestSpec, url: str
    ) -> CertificateVerificationError:
        """A certificate that failed verification, said with what to try (one line)."""
        reason = self.redact(failure.verify_message or failure.reason or str(failure))[:200].rstrip(".")
        return CertificateVerificationError(
            f"the server's TLS certificate failed verification ({reason}){self._through()}; not retried."
            f" Behind a company network that inspects HTTPS, trust its CA: SSL_CERT_FILE (a PEM file) or"
            f" SSL_CERT_DIR, or {SYSTEM_CERTS_VARIABLE}=1 for the operating system's store; and name its proxy in"
            " HTTPS_PROXY",
            method=spec.method, url=safe_url(url),
        )  # fmt: skip

    def proxy_error(self, exc: httpx.ProxyError, spec: RequestSpec, url: str) -> ProxyError:
        """A proxy's refusal (a CONNECT answered 407, 403, ...), naming the proxy without its credentials."""
        text = self._text(exc)
        status = re.match(r"\d{3}\b", text)
        code = int(status.group()) if status else None
        where = "the proxy" if self.proxy is None else f"the proxy {self.proxy}"
        source = "the proxy URL" if self.proxy is None else self.proxy.source
        hint = {
            407: f": it wants a user name and password, or another one (user:password@ in {source})",
            403: ": its policy does not let this client reach this host",
        }.get(code or 0, "")
        return ProxyError(f"{where} refused: {text}{hint}", proxy_status=code, method=spec.method, url=safe_url(url))

    def deadline_error(self, spec: RequestSpec, url: str, budget: float) -> APITimeoutError:
        return APITimeoutError(
            f"no complete answer within the call's deadline of {budget:g}s (retries and back-off included)",
            method=spec.method,
            url=safe_url(url),
        )

    def failure_for(self, exc: BaseException, spec: RequestSpec, url: str) -> tuple[APIError, bool]:
        """The typed error for an exception raised during an attempt, and whether it may be retried."""
        if isinstance(exc, APIError):
            return exc, isinstance(exc, APIConnectionError) and not isinstance(exc, _FINAL_CONNECTION_ERRORS)
        verification = _verification_failure(exc)
        if verification is not None:  # the same certificate would fail again
            return self.certificate_error(verification, spec, url), False
        if isinstance(exc, httpx.ProxyError):  # the same proxy would refuse again
            return self.proxy_error(exc, spec, url), False
        return self.connection_error(exc, spec, url), isinstance(exc, _RETRYABLE_EXCEPTIONS)

    def status_error(self, response: httpx.Response, body: bytes, spec: RequestSpec, url: str) -> APIStatusError:
        status = response.status_code
        if status == 429:
            with self._lock:
                self._rate_limited += 1
        reason = self.redact(response.reason_phrase)[:120]
        return error_for_status(
            f"HTTP {status} {reason}".rstrip(), method=spec.method, url=safe_url(url), status_code=status,
            body=self.excerpt(body), retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )  # fmt: skip

    def decide(
        self, failure: APIError, *, retryable: bool = True, attempt: int, started: float, ends_at: float
    ) -> float | None:
        """Seconds to wait before retrying ``failure``, or ``None`` to raise it (also when the wait would end late)."""
        if not retryable:
            return None
        retry_after: float | None = None
        if isinstance(failure, APIStatusError):
            if failure.status_code not in RETRYABLE_STATUSES:
                return None
            retry_after = failure.retry_after if isinstance(failure, RateLimitError) else None
        elif not isinstance(failure, APIConnectionError):
            return None
        now = time.monotonic()
        delay = self.retry.next_delay(attempt=attempt, elapsed=now - started, retry_after=retry_after)
        if delay is not None and now + delay >= ends_at - _DEADLINE_EPSILON:
            delay = None
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
        if not logger.isEnabledFor(logging.DEBUG):  # the URL and params are not formatted for nothing
            return
        logger.debug(
            "%s %s params=%s -> %d in %.3fs (attempt %d)",
            spec.method,
            safe_url(url),
            dict(spec.params),
            response.status_code,
            time.monotonic() - started,
            attempt,
        )


class Attempts:
    """The decisions of one call, without I/O: whether an attempt may start and with which timeouts, what a
    failure becomes, whether to retry it and after how long, and when the deadline has passed.

    :class:`SyncTransport` and :class:`AsyncTransport` drive it, as the pagers drive the listing core: they only
    send, read and wait (blocking or awaiting), so the retry algorithm is written once.
    """

    __slots__ = ("attempt", "budget", "cancellation", "core", "ends_at", "spec", "started", "url")

    def __init__(
        self, core: TransportCore, spec: RequestSpec, *, deadline: float | None, cancellation: Cancellation
    ) -> None:
        if cancellation.cancelled:
            raise core.closed_error()
        self.core, self.spec, self.cancellation = core, spec, cancellation
        self.url = core.url(spec)
        self.started = time.monotonic()
        self.budget = core.budget(deadline)
        """Seconds the whole call may take, retries and back-off included."""
        self.ends_at = self.started + self.budget
        self.attempt = 0

    def next_attempt(self) -> float:
        """Count a new attempt and return the seconds left for it; the deadline error if none are."""
        self.attempt += 1
        left = self.ends_at - time.monotonic()
        if left <= _DEADLINE_EPSILON:
            raise self.deadline_error()
        return left

    def request(
        self, client: httpx.Client | httpx.AsyncClient, timeout: TimeoutTypes | None, left: float
    ) -> httpx.Request:
        """The attempt's request: no timeout longer than the ``left`` seconds."""
        core, spec = self.core, self.spec
        return client.build_request(
            spec.method, core.target(self.url), params=dict(spec.params), headers=core.headers(spec),
            timeout=core.request_timeout(timeout, left),
        )  # fmt: skip

    def succeeded(self, response: httpx.Response) -> None:
        self.core.log_success(self.spec, self.url, response, self.attempt, self.started)

    def status_failure(self, response: httpx.Response, body: bytes) -> APIStatusError:
        """The typed error for a response that is not a success (``body``: the start of its body)."""
        return self.core.status_error(response, body, self.spec, self.url)

    def deadline_error(self) -> APITimeoutError:
        return self.core.deadline_error(self.spec, self.url, self.budget)

    def failed(self, exc: Exception, client_closed: bool) -> tuple[APIError, bool]:
        """What an exception from an attempt becomes: a typed failure and whether it may be retried.

        Called inside the ``except`` that caught ``exc``.  Raises at once what is final: an
        :class:`InvoiceClientsError` that is not an ``APIError``, the closed error when a ``RuntimeError`` says
        the ``httpx`` client was closed under the call (without the original, whose text was not redacted),
        and any exception this package does not map.
        """
        if isinstance(exc, APIError) or (
            isinstance(exc, _MAPPED_EXCEPTIONS) and not isinstance(exc, InvoiceClientsError)
        ):  # failure_for tells the retryable ones apart
            return self.core.failure_for(exc, self.spec, self.url)
        if isinstance(exc, RuntimeError) and (self.cancellation.cancelled or client_closed):
            raise self.core.closed_error(client_closed) from None
        raise exc

    def back_off(self, failure: APIError, retryable: bool, client_closed: bool) -> float:
        """Seconds to wait before the next attempt, or raises: the closed error when the failure was the
        cancellation's doing, the deadline error when a connection failure took the time left, else ``failure``
        when the policy gives up (or its wait would end after the deadline)."""
        if self.cancellation.cancelled or client_closed:
            raise self.core.closed_error(client_closed)
        if isinstance(failure, APIConnectionError) and time.monotonic() >= self.ends_at - _DEADLINE_EPSILON:
            raise self.deadline_error()
        delay = self.core.decide(
            failure, retryable=retryable, attempt=self.attempt, started=self.started, ends_at=self.ends_at
        )
        if delay is None:
            raise failure
        return delay


class SyncTransport(TransportCore):
    """Sends requests with an ``httpx.Client``, retrying per the policy, within the call's deadline.

    A client created here talks through :func:`.deadline_backend.deadline_http_transport`,
    so no read outlives the deadline.  With an ``httpx.Client`` of the caller's,
    each attempt's timeouts shrink to the time left and the body is checked
    between chunks, but a single slow read can overrun by up to its timeout.
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
        """Send ``spec`` until it succeeds, the policy gives up or the deadline passes; ``consume`` reads the body.

        ``consume`` may be called once per attempt (a body dropped mid-way is
        retried), so it must start afresh each time.  The decisions are :class:`Attempts`'; this loop only sends,
        reads and waits.
        """
        cancellation = current() or self.lifetime  # a prefetch thread's listing, or the client itself
        call = Attempts(self, spec, deadline=deadline, cancellation=cancellation)
        client = self._renewed() if self._renew else self.client
        # every read and write of this thread ends by then, or once cancelled (our own httpx.Client)
        with bounded(call.ends_at, cancellation):
            while True:
                left = call.next_attempt()
                failure: APIError
                try:
                    response = client.send(call.request(client, timeout, left), stream=True, follow_redirects=False)
                    try:
                        if response.is_success:
                            result = consume(self._chunks(response, spec, call.url, call.ends_at))
                            call.succeeded(response)
                            return result
                        body = self._error_body(response, spec, call.url, call.ends_at)
                        failure, retryable = call.status_failure(response, body), True
                    finally:
                        response.close()
                except Exception as exc:
                    failure, retryable = call.failed(exc, client.is_closed)
                if cancellation.wait(call.back_off(failure, retryable, client.is_closed)):  # ends early if cancelled
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
            reader = BodyReader(response, limit=_ERROR_BODY * 2, method=spec.method, url=url, pdf=False)
            for raw in response.iter_raw():
                parts += reader.feed(raw)
                if sum(map(len, parts)) >= _ERROR_BODY or time.monotonic() >= ends_at:
                    break
        except APIError:
            pass  # an undecodable or oversized error body: what was read is excerpt enough
        return b"".join(parts)

    def close(self) -> None:
        """Cancel every call in flight (see the module docstring), wait for the listings' prefetch threads to end
        (:data:`_CLOSE_WAIT` at most), then close the ``httpx`` client if it is ours."""
        self.lifetime.cancel()
        self.lifetime.join(_CLOSE_WAIT)
        if self.owns_client and not self._renew:  # a fork's child drops the inherited client (see after_fork)
            self.client.close()


class AsyncTransport(TransportCore):
    """Sends requests with an ``httpx.AsyncClient``, retrying per the policy; cancelled at the call's deadline.

    A client created here talks through :func:`.asyncio_backend.asyncio_http_transport` (asyncio's own
    transports instead of anyio's: less CPU per request); an ``httpx.AsyncClient`` of the caller's is used
    as it is.
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
        """The async shell of :meth:`SyncTransport.request` (the same :class:`Attempts`): the whole call runs under
        ``asyncio.timeout``."""
        call = Attempts(self, spec, deadline=deadline, cancellation=self.lifetime)
        if self._renew:  # a fork's child: the parent's connections are not ours to use
            self.client, self._renew = self._new_client(), False
        late: APITimeoutError | None = None
        try:
            import asyncio  # here, not at import: sync users never need it

            async with asyncio.timeout(call.budget):
                return await self._attempts(call, consume, timeout)
        except TimeoutError:
            late = call.deadline_error()
        raise late

    async def _attempts(
        self, call: Attempts, consume: Callable[[AsyncIterator[bytes]], Awaitable[T]], timeout: TimeoutTypes | None
    ) -> T:
        client = self.client
        while True:
            left = call.next_attempt()
            failure: APIError
            try:
                response = await client.send(call.request(client, timeout, left), stream=True, follow_redirects=False)
                try:
                    if response.is_success:
                        result = await consume(self._chunks(response, call.spec, call.url))
                        call.succeeded(response)
                        return result
                    body = await self._error_body(response, call.spec, call.url)
                    failure, retryable = call.status_failure(response, body), True
                finally:
                    await response.aclose()
            except Exception as exc:
                failure, retryable = call.failed(exc, client.is_closed)
            await self._back_off(call.back_off(failure, retryable, client.is_closed))

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
            reader = BodyReader(response, limit=_ERROR_BODY * 2, method=spec.method, url=url, pdf=False)
            async for raw in response.aiter_raw():
                parts += reader.feed(raw)
                if sum(map(len, parts)) >= _ERROR_BODY:
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
    """A ``consume`` for :meth:`SyncTransport.request` that returns the whole body."""
    return b"".join(chunks)


async def aread_all(chunks: AsyncIterator[bytes]) -> bytes:
    """A ``consume`` for :meth:`AsyncTransport.request` that returns the whole body."""
    return b"".join([chunk async for chunk in chunks])
