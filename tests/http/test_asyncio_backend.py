"""The asyncio network backend of the async clients, against real loopback servers (plain and TLS).

It replaces httpcore's anyio backend under the ``httpx.AsyncClient`` the
package creates, so what httpcore relies on is checked here directly: whole
bodies larger than its read size and its buffer, keep-alive reuse, noticing a
connection the server closed or spoke on while idle, timeouts, refused
connections, cancellation, and TLS with the certificate verified.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading

import httpx
import pytest

from invoice_clients._http.asyncio_backend import AsyncioBackend, asyncio_http_transport
from invoice_clients._http.pools import AsyncPoolTransport, PoolSettings
from invoice_clients.testing import Sandbox

from ._keepalive import KeepAliveServer, ok


def client(verify: ssl.SSLContext | None = None) -> httpx.AsyncClient:
    settings = None if verify is None else PoolSettings(verify=verify)
    return httpx.AsyncClient(transport=asyncio_http_transport(settings))


def test_the_clients_own_async_client_uses_the_backend_and_a_callers_is_left_alone() -> None:
    with Sandbox(seed=False) as sandbox:

        async def main() -> None:
            async with sandbox.async_gcore_client() as gcore:
                made = gcore._sender.pool_transport  # type: ignore[attr-defined]
                assert isinstance(made, AsyncPoolTransport)
                assert isinstance(made.network_backend, AsyncioBackend)
                assert [invoice async for invoice in gcore.invoices.list()] == []
            async with httpx.AsyncClient() as mine:
                async with sandbox.async_gcore_client(http_client=mine) as gcore:
                    assert gcore._sender.client is mine
                    assert gcore._sender.pool_transport is None
                    assert [invoice async for invoice in gcore.invoices.list()] == []
                assert not mine.is_closed

        asyncio.run(main())


def test_bodies_larger_than_a_read_and_than_the_buffer_arrive_whole() -> None:
    big = bytes(range(256)) * 8192  # 2 MiB: many reads, and reading is paused and resumed on the way

    with KeepAliveServer(lambda head, body: (ok(big), "keep")) as server:

        async def main() -> None:
            async with client() as http:
                async with http.stream("GET", server.url) as response:
                    chunks = [chunk async for chunk in response.aiter_raw()]
                    assert b"".join(chunks) == big
                    assert len(chunks) > 1
                assert (await http.get(server.url)).content == big

        asyncio.run(main())
        assert server.connections == 1  # the connection was kept and reused


def test_a_large_request_body_is_written_whole() -> None:
    upload = b"x" * (4 * 1024 * 1024)  # more than the kernel buffers: the write waits for room
    with KeepAliveServer(lambda head, body: (ok(str(len(body)).encode()), "keep")) as server:

        async def main() -> None:
            async with client() as http:
                assert (await http.post(server.url, content=upload)).content == str(len(upload)).encode()

        asyncio.run(main())


@pytest.mark.parametrize("then", ["close", "extra"])
def test_a_connection_the_server_closed_or_spoke_on_while_idle_is_not_reused(then: str) -> None:
    with KeepAliveServer(lambda head, body: (ok(b"hello"), then)) as server:

        async def main() -> None:
            async with client() as http:
                assert (await http.get(server.url)).content == b"hello"
                await asyncio.sleep(0.3)  # the server's close (or stray bytes) arrive meanwhile
                assert (await http.get(server.url)).content == b"hello"

        asyncio.run(main())
        assert server.connections == 2


def test_a_silent_server_is_a_read_timeout_and_a_closed_port_a_connect_error() -> None:
    with KeepAliveServer(lambda head, body: (b"", "hang")) as server:

        async def main() -> None:
            async with client() as http:
                with pytest.raises(httpx.ReadTimeout):
                    await http.get(server.url, timeout=0.2)

        asyncio.run(main())
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # bound, not listening: connections are refused

        async def refused() -> None:
            async with client() as http:
                with pytest.raises(httpx.ConnectError):
                    await http.get(f"http://127.0.0.1:{port}/")

        asyncio.run(refused())


def test_a_cancelled_request_closes_its_connection_and_the_client_still_works() -> None:
    hang = threading.Event()

    def handler(head: bytes, body: bytes) -> tuple[bytes, str]:
        return (b"", "hang") if not hang.is_set() else (ok(b"later"), "keep")

    with KeepAliveServer(handler) as server:

        async def main() -> None:
            async with client() as http:
                task = asyncio.ensure_future(http.get(server.url))
                await asyncio.sleep(0.1)
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                hang.set()
                assert (await http.get(server.url)).content == b"later"

        asyncio.run(main())
        assert server.connections == 2


def test_tls_is_verified_and_works(tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    served, trusting = tls

    with KeepAliveServer(lambda head, body: (ok(b"secret" * 20_000), "keep"), tls=served) as server:

        async def main() -> None:
            async with client(verify=trusting) as http:
                for _ in range(2):
                    response = await http.get(server.url)
                    assert response.content == b"secret" * 20_000
            async with client() as http:  # httpx's default trust store does not know this certificate
                with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                    await http.get(server.url)

        asyncio.run(main())
        assert server.connections == 2  # one kept for both requests, one refused by the client


def test_a_flood_is_buffered_only_up_to_a_bound_until_it_is_read() -> None:
    flood = b"f" * (8 * 1024 * 1024)

    with KeepAliveServer(lambda head, body: (ok(flood), "keep")) as server:

        async def main() -> None:
            stream = await AsyncioBackend().connect_tcp("127.0.0.1", server.port, timeout=5)
            await stream.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", timeout=5)
            await asyncio.sleep(0.3)  # the server sends as fast as it can; nobody reads
            assert len(stream._protocol.buffer) < 1024 * 1024  # type: ignore[attr-defined]  # of 8 MiB sent
            received = b""
            while len(received) < len(ok(flood)):
                chunk = await stream.read(65536, timeout=5)  # each read bounded; the end of the stream ends it
                assert chunk, f"the stream ended after {len(received)} bytes"
                received += chunk
            assert received == ok(flood)
            await stream.aclose()

        asyncio.run(main())
