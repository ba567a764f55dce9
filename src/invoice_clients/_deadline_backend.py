"""The httpcore network backend behind :mod:`._deadline` (see there), imported with the first client."""

from __future__ import annotations

import socket
import ssl
import typing
from collections.abc import Iterable

import httpcore
import httpx

from ._deadline import _cap

__all__ = ["DeadlineBackend", "deadline_http_transport", "pool_options"]


class _Stream(httpcore.NetworkStream):
    """A network stream whose every operation ends by the thread's deadline.

    Reads and writes go to the socket itself (``get_extra_info("socket")``, plain or TLS), as httpcore's
    blocking stream does, but the socket's timeout is set only when it changes: httpcore sets it before every
    operation, and each ``settimeout`` is a system call that gives up the GIL, which the other prefetch
    threads then contend for.  Most operations of a call have the same timeout (the configured one, while the
    deadline is further away)."""

    def __init__(self, inner: httpcore.NetworkStream, *, direct: bool = True) -> None:
        self._inner = inner
        sock = inner.get_extra_info("socket") if direct else None
        self._sock: socket.socket | None = sock if isinstance(sock, socket.socket) else None

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        sock = self._sock
        if sock is None:
            return self._inner.read(max_bytes, _cap(timeout))
        try:
            timeout = _cap(timeout)
            if sock.gettimeout() != timeout:
                sock.settimeout(timeout)
            return sock.recv(max_bytes)
        except TimeoutError as exc:  # socket.timeout; as httpcore maps it
            raise httpcore.ReadTimeout(exc) from exc
        except OSError as exc:
            raise httpcore.ReadError(exc) from exc

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        sock = self._sock
        if sock is None:
            self._inner.write(buffer, _cap(timeout))
            return
        try:
            while buffer:
                cap = _cap(timeout)
                if sock.gettimeout() != cap:
                    sock.settimeout(cap)
                buffer = buffer[sock.send(buffer) :]
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(exc) from exc
        except OSError as exc:
            raise httpcore.WriteError(exc) from exc

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        tls = self._inner.start_tls(ssl_context, server_hostname, _cap(timeout))
        # TLS over TLS (never through our pool, which has no proxies) is not one socket to read: leave it to httpcore.
        return _Stream(tls, direct=not isinstance(self._inner.get_extra_info("socket"), ssl.SSLSocket))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's blocking backend, with every connect, read and write bounded by the thread's deadline."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_tcp(host, port, _cap(timeout), local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
    ) -> httpcore.NetworkStream:  # pragma: no cover - the clients never use a unix socket
        return _Stream(self._inner.connect_unix_socket(path, _cap(timeout), socket_options))

    def sleep(self, seconds: float) -> None:  # pragma: no cover - only httpcore's own retries sleep
        self._inner.sleep(seconds)


def deadline_http_transport() -> httpx.HTTPTransport:
    """httpx's default transport (same TLS verification and pool limits), over :class:`DeadlineBackend`.

    ``httpx.HTTPTransport`` takes no network backend, so its connection pool is
    replaced by an identical one that has ours.
    """
    transport = httpx.HTTPTransport()
    transport._pool = httpcore.ConnectionPool(**pool_options(transport), network_backend=DeadlineBackend())
    return transport


def pool_options(transport: httpx.HTTPTransport | httpx.AsyncHTTPTransport) -> dict[str, typing.Any]:
    """What httpx gives the connection pool it builds (its default limits, and the SSL context it just made:
    a second one costs ~25 ms per client), for a replacement pool that differs only in its network backend."""
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)  # httpx's
    return {
        "ssl_context": transport._pool._ssl_context,
        "max_connections": limits.max_connections,
        "max_keepalive_connections": limits.max_keepalive_connections,
        "keepalive_expiry": limits.keepalive_expiry,
    }
