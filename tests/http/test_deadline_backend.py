"""The blocking network backend of the sync clients (``_http.deadline_backend``), against loopback servers.

It reads and writes the socket itself (plain or TLS) and sets the socket's timeout only when it changes, so
what httpcore's own blocking stream guaranteed is checked here: whole bodies both ways, keep-alive reuse, TLS
with the certificate verified, timeouts mapped to httpx's exceptions, and every operation still bounded by
the call's deadline.
"""

from __future__ import annotations

import socket
import ssl
import time

import httpcore
import httpx
import pytest

from invoice_clients._http.cancel import SLICE
from invoice_clients._http.deadline import bounded
from invoice_clients._http.deadline_backend import _Stream, deadline_http_transport
from invoice_clients._http.pools import PoolSettings

from ._keepalive import KeepAliveServer, ok


def client(ssl_context: ssl.SSLContext | None = None) -> httpx.Client:
    settings = None if ssl_context is None else PoolSettings(verify=ssl_context)  # trusting the test's certificate
    return httpx.Client(transport=deadline_http_transport(settings))


def test_bodies_both_ways_arrive_whole_on_one_kept_connection() -> None:
    big, upload = bytes(range(256)) * 8192, b"x" * (4 * 1024 * 1024)  # many reads; a write that waits for room
    with KeepAliveServer(lambda head, body: (ok(big if not body else str(len(body)).encode()), "keep")) as server:
        with client() as http:
            assert http.get(server.url).content == big
            assert http.post(server.url, content=upload).content == str(len(upload)).encode()
        assert server.connections == 1


def test_tls_is_verified_and_works(tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    served, trusting = tls
    with KeepAliveServer(lambda head, body: (ok(b"secret" * 20_000), "keep"), tls=served) as server:
        with client(trusting) as http:
            for _ in range(2):
                assert http.get(server.url).content == b"secret" * 20_000
        with client() as http, pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            http.get(server.url)  # httpx's default trust store does not know this certificate
        assert server.connections == 2


def test_a_silent_server_is_a_read_timeout_bounded_by_the_deadline_too() -> None:
    with KeepAliveServer(lambda head, body: (b"", "hang")) as server, client() as http:
        with pytest.raises(httpx.ReadTimeout):
            http.get(server.url, timeout=0.2)
        started = time.monotonic()
        with bounded(time.monotonic() + 0.3), pytest.raises(httpx.ReadTimeout):
            http.get(server.url, timeout=30)  # the deadline, not the 30 s timeout, ends the read
        assert time.monotonic() - started < 2


def test_the_socket_timeout_is_set_only_when_it_changes() -> None:
    calls: list[float | None] = []

    class Counting(socket.socket):
        def settimeout(self, value: float | None) -> None:
            calls.append(value)
            super().settimeout(value)

    left, right = socket.socketpair()
    mine = Counting(left.family, left.type, fileno=left.detach())

    class Inner(httpcore.NetworkStream):
        def get_extra_info(self, info: str) -> object:
            return mine if info == "socket" else None

    stream = _Stream(Inner())
    with mine, right:
        for n in range(3):
            right.sendall(b"%d" % n)
            assert stream.read(10, 5.0) == b"%d" % n
            stream.write(b"ping", 5.0)
        assert right.recv(100) == b"ping" * 3
        assert calls == [SLICE]  # six operations, one system call to set the timeout (waits go by slices)
        with bounded(time.monotonic() + SLICE / 2):
            stream.write(b"!", 5.0)
        assert len(calls) == 2 and calls[1] is not None and calls[1] <= SLICE / 2  # capped by the deadline
        with pytest.raises(httpcore.ReadTimeout):
            stream.read(10, 0.05)
