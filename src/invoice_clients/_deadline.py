"""A total deadline per call, for blocking I/O too.

httpx's timeouts bound each socket operation, not a request: a server that
sends one byte every couple of seconds never trips a read timeout, and holds a
call for as long as it likes, headers included (httpcore reads the read timeout
once per phase).  The async transport simply cancels the call at its deadline
(``asyncio.timeout``).  Blocking code cannot be cancelled, so the clients this
package creates talk through :class:`DeadlineBackend`: an httpcore network
backend whose every connect, read and write is given the smaller of its own
timeout and the time left before the deadline of the call running on this
thread (:func:`bounded`).  A dribbling server therefore gets a read that times
out exactly at the deadline; nothing needs to be closed from another thread.
"""

from __future__ import annotations

import contextlib
import ssl
import threading
import time
import typing
from collections.abc import Iterable, Iterator

import httpcore
import httpx

__all__ = ["DeadlineBackend", "bounded", "deadline_http_transport", "time_left"]

_state = threading.local()
_MIN_WAIT = 0.001  # a socket timeout of 0 would mean non-blocking, not "now"


@contextlib.contextmanager
def bounded(ends_at: float) -> Iterator[None]:
    """Bound the blocking network I/O of this thread (through :class:`DeadlineBackend`) by ``ends_at``."""
    previous = getattr(_state, "ends_at", None)
    _state.ends_at = ends_at
    try:
        yield
    finally:
        _state.ends_at = previous


def time_left() -> float | None:
    """Seconds before this thread's deadline (``None`` outside :func:`bounded`)."""
    ends_at: float | None = getattr(_state, "ends_at", None)
    return None if ends_at is None else ends_at - time.monotonic()


def _cap(timeout: float | None) -> float | None:
    left = time_left()
    if left is None:
        return timeout
    left = max(left, _MIN_WAIT)
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    """A network stream whose every operation ends by the thread's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _cap(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _cap(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _cap(timeout)))

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
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)  # httpx's
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=DeadlineBackend(),
    )
    return transport
