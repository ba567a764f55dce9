"""The httpcore network backend behind :mod:`.deadline` (see there), imported with the first client.

Every wait longer than :data:`.cancel.SLICE` is cut into slices, and between two the call's cancellation is
looked at (see :mod:`.cancel`): a read from a stalled server ends within a slice of ``close()``, of the end of
the listing that wanted it, or of Ctrl-C.  A process that forks keeps no socket of ours in the child: the child's
copies are closed at once (the parent's connections are untouched), and its clients open new ones.
"""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import time
import typing
import weakref
from collections.abc import Callable, Iterable

import httpcore

from .cancel import SLICE
from .deadline import cancelled, cap_timeout
from .pools import PoolSettings, PoolTransport

__all__ = ["DeadlineBackend", "deadline_http_transport"]

T = typing.TypeVar("T")
_CANCELLED = "cancelled: the client was closed or nobody wants this answer any more"
_sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
"""Every socket a :class:`_Stream` reads, so that a forked child can close its copies."""


def _close_inherited() -> None:
    """In a forked child: close our copies of the parent's sockets (closing a copy does not touch the parent's)."""
    for sock in list(_sockets):
        with contextlib.suppress(OSError):
            sock.close()
    _sockets.clear()


if hasattr(os, "register_at_fork"):  # not on Windows, which cannot fork
    os.register_at_fork(after_in_child=_close_inherited)


def _sliced(sock: socket.socket, operation: Callable[[T], typing.Any], argument: T, wait: float | None) -> typing.Any:
    """``operation(argument)`` on ``sock`` (a recv or send), waiting ``wait`` seconds at most (``None``: no limit),
    in slices between which the call's cancellation is looked at.

    The first slice is the usual case (the answer comes within it), at no cost but one ``gettimeout``: the clock
    is read only once a slice has run out; the socket's timeout is set only when it changes (each ``settimeout``
    is a system call that gives up the GIL)."""
    ends_at = None
    step = SLICE if wait is None else min(wait, SLICE)
    while True:
        if sock.gettimeout() != step:
            sock.settimeout(step)
        try:
            return operation(argument)
        except TimeoutError:
            if cancelled():
                raise _CancelledError from None
            if wait is not None:
                now = time.monotonic()
                if ends_at is None:  # the first slice has just been waited in full
                    ends_at = now + wait - step
                step = min(ends_at - now, SLICE)
                if step <= 0:
                    raise


class _CancelledError(Exception):
    """Raised between two slices of a cancelled call (mapped to httpcore's read or write error)."""


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
        if self._sock is not None:
            _sockets.add(self._sock)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        sock = self._sock
        if sock is None:
            return self._inner.read(max_bytes, cap_timeout(timeout))
        try:
            data: bytes = _sliced(sock, sock.recv, max_bytes, cap_timeout(timeout))
        except _CancelledError:
            raise httpcore.ReadError(_CANCELLED) from None
        except TimeoutError as exc:  # socket.timeout; as httpcore maps it
            raise httpcore.ReadTimeout(exc) from exc
        except OSError as exc:
            raise httpcore.ReadError(exc) from exc
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        sock = self._sock
        if sock is None:
            self._inner.write(buffer, cap_timeout(timeout))
            return
        try:
            while buffer:
                buffer = buffer[_sliced(sock, sock.send, buffer, cap_timeout(timeout)) :]
        except _CancelledError:
            raise httpcore.WriteError(_CANCELLED) from None
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(exc) from exc
        except OSError as exc:
            raise httpcore.WriteError(exc) from exc

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        tls = self._inner.start_tls(ssl_context, server_hostname, cap_timeout(timeout))
        # TLS over TLS (a tunnel through an https:// proxy) is not one socket to read: leave it to httpcore.
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
        if cancelled():  # a connection attempt itself is not sliced: it ends by its connect timeout
            raise httpcore.ConnectError(_CANCELLED)
        return _Stream(self._inner.connect_tcp(host, port, cap_timeout(timeout), local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
    ) -> httpcore.NetworkStream:  # pragma: no cover - the clients never use a unix socket
        return _Stream(self._inner.connect_unix_socket(path, cap_timeout(timeout), socket_options))

    def sleep(self, seconds: float) -> None:  # pragma: no cover - only httpcore's own retries sleep
        self._inner.sleep(seconds)


def deadline_http_transport(settings: PoolSettings | None = None) -> PoolTransport:
    """A transport for the ``httpx.Client`` the sync clients make: a connection pool with ``settings`` (httpx's
    defaults unless given) over :class:`DeadlineBackend`."""
    return PoolTransport(DeadlineBackend(), settings)
