"""An httpcore network backend on plain asyncio transports, for the ``httpx.AsyncClient`` this package creates.

httpcore's default async backend goes through anyio: every read and write enters a cancel scope, and the
pool's liveness check (``get_extra_info("is_readable")``, asked of every pooled connection whenever a request is
assigned) builds anyio's typed-attribute table anew each call: CPU that this backend spares (the figures:
docs/maintainers/design.md, "Measured costs").

The async sender cancels a whole call at its deadline (``asyncio.timeout``),
so this backend adds no deadline logic; it keeps httpcore's own per-operation
timeouts and maps failures to httpcore's exceptions, as its backends do.
Reading is eager but bounded: past :data:`_HIGH_WATER` buffered bytes the
socket is no longer read until the buffer drains, so a server cannot make the
buffer outgrow what the body reader's size limit lets through.  TLS is asyncio's
(``loop.start_tls``) with the ``ssl.SSLContext`` of the pool's :class:`~.pools.PoolSettings`.
"""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
import typing
from collections.abc import Iterable

import httpcore

from .pools import AsyncPoolTransport, PoolSettings

__all__ = ["AsyncioBackend", "asyncio_http_transport"]

_HIGH_WATER = 256 * 1024
"""Bytes buffered before the socket is paused (a page of 100 invoices is about 50 KB)."""
_LOW_WATER = 64 * 1024
"""Reading resumes once the buffer is down to this."""


class _Protocol(asyncio.Protocol):
    """Receives into a bounded buffer and wakes the one reader or writer waiting (httpcore never has two)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.error: BaseException | None = None
        self._paused_reading = False
        self._paused_writing = False
        self._waiter: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > _HIGH_WATER and not self._paused_reading and self.transport is not None:
            self._paused_reading = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool | None:
        self.eof = True
        self._wake()
        return None  # close the transport: httpcore never writes after the server's end of stream

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        self._paused_writing = False
        self._wake()

    def pause_writing(self) -> None:
        self._paused_writing = True

    def resume_writing(self) -> None:
        self._paused_writing = False
        self._wake()

    def take(self, max_bytes: int) -> bytes:
        """Up to ``max_bytes`` buffered bytes (resuming the socket once the buffer has drained)."""
        if len(self.buffer) <= max_bytes:
            data = bytes(self.buffer)
            self.buffer.clear()
        else:
            data = bytes(self.buffer[:max_bytes])
            del self.buffer[:max_bytes]
        if self._paused_reading and len(self.buffer) <= _LOW_WATER and self.transport is not None:
            self._paused_reading = False
            self.transport.resume_reading()
        return data

    @property
    def write_blocked(self) -> bool:
        return self._paused_writing

    async def wait(self, timeout: float | None) -> None:
        """Until data, end of stream, a lost connection or room to write; ``TimeoutError`` after ``timeout``."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiter = waiter
        try:
            async with asyncio.timeout(timeout):
                await waiter
        finally:
            self._waiter = None

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


_EXTRA_INFO = {"ssl_object": "ssl_object", "client_addr": "sockname", "server_addr": "peername", "socket": "socket"}
"""httpcore's names for a stream's extra info, as asyncio's transports call them."""


def _readable(sock: socket.socket | None) -> bool:
    """Whether a read from idle ``sock`` would not wait (the server sent more, or closed it): a poll that does not
    block.  No socket, or a closed one, counts as readable: what its next read finds is the end."""
    fileno = -1 if sock is None else sock.fileno()
    if fileno < 0:
        return True
    if not hasattr(select, "poll"):  # Windows
        return bool(select.select([fileno], [], [], 0)[0])
    poller = select.poll()
    poller.register(fileno, select.POLLIN)
    return bool(poller.poll(0))


def _error_text(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


class _Stream(httpcore.AsyncNetworkStream):
    """One connection (plain or TLS) as httpcore wants it."""

    def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
        self._transport = transport
        self._protocol = protocol

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        protocol = self._protocol
        if not protocol.buffer and not protocol.eof:
            try:
                await protocol.wait(timeout)
            except TimeoutError:
                raise httpcore.ReadTimeout("timed out reading from the server") from None
        if protocol.buffer:
            return protocol.take(max_bytes)
        if protocol.error is not None:
            raise httpcore.ReadError(_error_text(protocol.error))
        return b""  # the server ended the stream; httpcore decides what that means

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        protocol = self._protocol
        if self._transport.is_closing():
            raise httpcore.WriteError(_error_text(protocol.error) if protocol.error else "connection closed")
        self._transport.write(buffer)
        while protocol.write_blocked and not self._transport.is_closing():  # the kernel's buffer is full
            try:
                await protocol.wait(timeout)
            except TimeoutError:
                raise httpcore.WriteTimeout("timed out writing to the server") from None
        if protocol.error is not None:
            raise httpcore.WriteError(_error_text(protocol.error))

    async def aclose(self) -> None:
        self._transport.close()  # a plain socket closes at once; TLS sends close_notify in the background

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(
                    self._transport, self._protocol, ssl_context, server_hostname=server_hostname
                )
        except TimeoutError:
            self._transport.abort()
            raise httpcore.ConnectTimeout("timed out in the TLS handshake") from None
        except OSError as exc:  # ssl.SSLError included: kept as the cause, which tells a certificate refused
            self._transport.abort()
            raise httpcore.ConnectError(_error_text(exc)) from exc
        if transport is None:  # pragma: no cover - only for a server-side transport
            raise httpcore.ConnectError("TLS could not be started")
        self._protocol.transport = transport
        return _Stream(transport, self._protocol)

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "is_readable":  # asked of idle pooled connections: has the server closed it, or said more?
            protocol = self._protocol
            sock = self._transport.get_extra_info("socket")
            return bool(protocol.buffer) or protocol.eof or (sock is not None and _readable(sock))
        name = _EXTRA_INFO.get(info)
        return None if name is None else self._transport.get_extra_info(name)


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """httpcore's async network backend over asyncio transports and protocols (no anyio in the I/O path)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        local = None if local_address is None else (local_address, 0)
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await loop.create_connection(_Protocol, host, port, local_addr=local)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"timed out connecting to {host}:{port}") from None
        except OSError as exc:
            raise httpcore.ConnectError(_error_text(exc)) from None
        return _opened(transport, protocol, socket_options)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
    ) -> httpcore.AsyncNetworkStream:  # pragma: no cover - the clients never use a unix socket
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await loop.create_unix_connection(_Protocol, path)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"timed out connecting to {path}") from None
        except OSError as exc:
            raise httpcore.ConnectError(_error_text(exc)) from None
        return _opened(transport, protocol, socket_options)

    async def sleep(self, seconds: float) -> None:  # pragma: no cover - only httpcore's own retries sleep
        await asyncio.sleep(seconds)


def _opened(
    transport: asyncio.BaseTransport, protocol: _Protocol, socket_options: Iterable[httpcore.SOCKET_OPTION] | None
) -> _Stream:
    assert isinstance(transport, asyncio.Transport)
    sock = transport.get_extra_info("socket")
    try:
        for option in socket_options or ():
            sock.setsockopt(*option)
    except OSError as exc:
        transport.abort()
        raise httpcore.ConnectError(_error_text(exc)) from None
    return _Stream(transport, protocol)


def asyncio_http_transport(settings: PoolSettings | None = None) -> AsyncPoolTransport:
    """A transport for the ``httpx.AsyncClient`` the async clients make: a connection pool with ``settings``
    (httpx's defaults unless given) over :class:`AsyncioBackend`."""
    return AsyncPoolTransport(AsyncioBackend(), settings)
