"""Our own httpx transports over httpcore's connection pools: how a network backend of ours gets under httpx.

``httpx.HTTPTransport`` takes no network backend, and the clients need theirs (:mod:`.deadline_backend` bounds
every blocking read by the call's deadline and cancellation; :mod:`.asyncio_backend` spares asyncio users
anyio's cost per read).  So, as httpx's own transport does, :class:`PoolTransport` and
:class:`AsyncPoolTransport` hand each request to an ``httpcore.ConnectionPool`` / ``AsyncConnectionPool``, here
built with ``network_backend=``; both use httpx's and httpcore's public API only (``httpx.BaseTransport``,
``httpx.SyncByteStream``, ``httpcore.Request``, their exception classes), so an httpx release that reworks its
transport's insides changes nothing here.

Every setting of those pools is stated once, in :class:`PoolSettings`, and passed through whole: a proxy too
(httpcore's own ``proxy=``: ``CONNECT`` tunnels and forwarded requests over the same network backend, so
deadlines and cancellation hold through a proxy as they do without one).
"""

from __future__ import annotations

import contextlib
import ssl
import typing
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpcore
import httpx

from .proxies import ProxyRoute
from .trust import tls_context

__all__ = ["AsyncPoolTransport", "PoolSettings", "PoolTransport"]

_ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.ProtocolError: httpx.ProtocolError,
}
"""httpcore's exceptions as httpx names them (what callers of an ``httpx.Client`` catch): the most derived wins."""


@dataclass(frozen=True, slots=True)
class PoolSettings:
    """Every setting of a connection pool this package makes, each stated once and passed to httpcore as it is.

    The defaults are httpx's own for a client built without arguments (``httpx.Limits(max_connections=100,
    max_keepalive_connections=20)``, 5 s keep-alive, HTTP/1.1 only, no connection retries, any local address,
    TLS verified against the default trust store, ``SSL_CERT_FILE``/``SSL_CERT_DIR`` honoured).  The proxy is
    decided by the client for its base URL (:func:`.proxies.proxy_for`: the environment's, as httpx's own
    transports would read it, or ``proxy=``); ``None`` is a direct connection.
    """

    max_connections: int = 100
    max_keepalive_connections: int = 20
    keepalive_expiry: float = 5.0
    http2: bool = False
    retries: int = 0
    local_address: str | None = None
    verify: ssl.SSLContext | bool = True
    """``True``: the default trust store; an ``ssl.SSLContext``: that one (tests trust their own CA with it)."""
    trust_env: bool = True
    """Read ``SSL_CERT_FILE``/``SSL_CERT_DIR`` (and ``INVOICE_CLIENTS_SYSTEM_CERTS``, which the client reads)."""
    system_certs: bool = False
    """Verify against the operating system's certificate store (:mod:`.trust`)."""
    proxy: ProxyRoute | None = None

    def ssl_context(self) -> ssl.SSLContext:
        """The TLS context of a pool (a new one unless :attr:`verify` is a context: one per pool, each is costly).

        A CA variable naming a file that cannot be used is a :class:`~invoice_clients.ConfigurationError`."""
        if isinstance(self.verify, ssl.SSLContext):
            return self.verify
        if self.verify is False:
            return httpx.create_ssl_context(verify=False)
        return tls_context(trust_env=self.trust_env, system_certs=self.system_certs)

    def pool_options(self) -> dict[str, typing.Any]:
        """The keyword arguments ``httpcore.ConnectionPool`` and ``AsyncConnectionPool`` take, all of them set."""
        context = self.ssl_context()
        return {
            "ssl_context": context,
            "proxy": None if self.proxy is None else self.proxy.core(context),
            "max_connections": self.max_connections,
            "max_keepalive_connections": self.max_keepalive_connections,
            "keepalive_expiry": self.keepalive_expiry,
            "http1": True,
            "http2": self.http2,
            "retries": self.retries,
            "local_address": self.local_address,
        }


@contextlib.contextmanager
def _mapped(request: httpx.Request) -> Iterator[None]:
    """Re-raise httpcore's exceptions as httpx's, for ``request``."""
    try:
        yield
    except Exception as exc:
        kind = next((_ERRORS[cls] for cls in type(exc).__mro__ if cls in _ERRORS), None)
        if kind is None:
            raise
        raise kind(str(exc), request=request) from exc


def _core_request(request: httpx.Request) -> httpcore.Request:
    url = request.url
    return httpcore.Request(
        method=request.method,
        url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path),
        headers=request.headers.raw,
        content=request.stream,
        extensions=request.extensions,
    )


def _response(answer: httpcore.Response, stream: httpx.SyncByteStream | httpx.AsyncByteStream) -> httpx.Response:
    return httpx.Response(answer.status, headers=answer.headers, stream=stream, extensions=answer.extensions)


class _Body(httpx.SyncByteStream):
    def __init__(self, answer: httpcore.Response, request: httpx.Request) -> None:
        self._answer, self._request = answer, request

    def __iter__(self) -> Iterator[bytes]:
        with _mapped(self._request):
            yield from self._answer.iter_stream()

    def close(self) -> None:
        with _mapped(self._request):
            self._answer.close()


class _AsyncBody(httpx.AsyncByteStream):
    def __init__(self, answer: httpcore.Response, request: httpx.Request) -> None:
        self._answer, self._request = answer, request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _mapped(self._request):
            async for part in self._answer.aiter_stream():
                yield part

    async def aclose(self) -> None:
        with _mapped(self._request):
            await self._answer.aclose()


class PoolTransport(httpx.BaseTransport):
    """An ``httpx.Client`` transport that sends through an ``httpcore.ConnectionPool`` with ``settings`` (httpx's
    defaults unless given) over ``network_backend``."""

    def __init__(self, network_backend: httpcore.NetworkBackend, settings: PoolSettings | None = None) -> None:
        self.settings = settings or PoolSettings()
        self.network_backend = network_backend
        self.pool = httpcore.ConnectionPool(**self.settings.pool_options(), network_backend=network_backend)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with _mapped(request):
            answer = self.pool.handle_request(_core_request(request))
        return _response(answer, _Body(answer, request))

    def close(self) -> None:
        self.pool.close()


class AsyncPoolTransport(httpx.AsyncBaseTransport):
    """An ``httpx.AsyncClient`` transport that sends through an ``httpcore.AsyncConnectionPool`` with ``settings``
    (httpx's defaults unless given) over ``network_backend``."""

    def __init__(self, network_backend: httpcore.AsyncNetworkBackend, settings: PoolSettings | None = None) -> None:
        self.settings = settings or PoolSettings()
        self.network_backend = network_backend
        self.pool = httpcore.AsyncConnectionPool(**self.settings.pool_options(), network_backend=network_backend)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        with _mapped(request):
            answer = await self.pool.handle_async_request(_core_request(request))
        return _response(answer, _AsyncBody(answer, request))

    async def aclose(self) -> None:
        await self.pool.aclose()
