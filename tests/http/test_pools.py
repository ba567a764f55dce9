"""Our httpx transports over httpcore's pools (``_http.pools``): every pool setting stated once and passed through,
httpx's defaults kept, httpcore's failures surfacing as httpx's, through both network backends."""

from __future__ import annotations

import asyncio
import inspect
import socket

import httpcore
import httpx
import pytest

from invoice_clients._http.asyncio_backend import asyncio_http_transport
from invoice_clients._http.deadline_backend import deadline_http_transport
from invoice_clients._http.pools import PoolSettings

from ._keepalive import KeepAliveServer, ok

NOT_POOL_SETTINGS = {"self", "network_backend", "uds", "socket_options"}
"""What a pool takes that is not a setting of ours: the backend (the point of these transports), and what an
httpx client without arguments does not use (a unix socket, socket options)."""


@pytest.mark.parametrize("pool", [httpcore.ConnectionPool, httpcore.AsyncConnectionPool])
def test_every_setting_a_pool_takes_is_stated(pool: type) -> None:
    taken = set(inspect.signature(pool.__init__).parameters) - NOT_POOL_SETTINGS
    assert set(PoolSettings().pool_options()) == taken


def test_the_defaults_are_httpxs_own() -> None:
    defaults = {name: p.default for name, p in inspect.signature(httpx.HTTPTransport.__init__).parameters.items()}
    ours = PoolSettings()
    limits = defaults["limits"]
    assert (ours.max_connections, ours.max_keepalive_connections, ours.keepalive_expiry) == (
        limits.max_connections,
        limits.max_keepalive_connections,
        limits.keepalive_expiry,
    )
    assert (ours.http2, ours.retries, ours.local_address, ours.verify, ours.trust_env) == (
        defaults["http2"],
        defaults["retries"],
        defaults["local_address"],
        defaults["verify"],
        defaults["trust_env"],
    )


def _other_loopback_address() -> str:
    probe = socket.socket()
    try:
        probe.bind(("127.0.0.2", 0))
    except OSError:
        pytest.skip("this machine's loopback has no 127.0.0.2 to bind to")
    finally:
        probe.close()
    return "127.0.0.2"


def test_the_local_address_reaches_both_backends() -> None:
    address = _other_loopback_address()
    settings = PoolSettings(local_address=address)
    with KeepAliveServer(lambda head, body: (ok(b"hi"), "keep")) as server:
        with httpx.Client(transport=deadline_http_transport(settings)) as http:
            assert http.get(server.url).content == b"hi"

        async def main() -> None:
            async with httpx.AsyncClient(transport=asyncio_http_transport(settings)) as http:
                assert (await http.get(server.url)).content == b"hi"

        asyncio.run(main())
    assert server.peers == [address, address]


def test_the_connection_limit_reaches_the_pool_and_its_timeout_is_httpxs() -> None:
    settings = PoolSettings(max_connections=1)
    server = KeepAliveServer(lambda head, body: (ok(b"x"), "keep"))
    with server, httpx.Client(transport=deadline_http_transport(settings)) as http:
        with http.stream("GET", server.url) as held:  # holds the one connection until its body is read
            with pytest.raises(httpx.PoolTimeout) as raised:
                http.get(server.url, timeout=httpx.Timeout(5, pool=0.2))
            assert str(raised.value.request.url) == server.url
            assert held.read() == b"x"
        assert http.get(server.url).content == b"x"  # the connection is back in the pool
    assert server.connections == 1


def test_a_refused_connection_is_httpxs_connect_error_on_both_clients() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"  # bound, not listening: refused
        with httpx.Client(transport=deadline_http_transport()) as http, pytest.raises(httpx.ConnectError):
            http.get(url)

        async def main() -> None:
            async with httpx.AsyncClient(transport=asyncio_http_transport()) as http:
                with pytest.raises(httpx.ConnectError):
                    await http.get(url)

        asyncio.run(main())


def test_a_body_cut_short_is_httpxs_remote_protocol_error_while_streaming() -> None:
    cut = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 10
    with KeepAliveServer(lambda head, body: (cut, "close")) as server:
        with (
            httpx.Client(transport=deadline_http_transport()) as http,
            http.stream("GET", server.url) as response,
            pytest.raises(httpx.RemoteProtocolError),
        ):
            response.read()

        async def main() -> None:
            async with (
                httpx.AsyncClient(transport=asyncio_http_transport()) as http,
                http.stream("GET", server.url) as response,
            ):
                with pytest.raises(httpx.RemoteProtocolError):
                    await response.aread()

        asyncio.run(main())
