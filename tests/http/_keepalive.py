"""A loopback HTTP/1.1 server on raw sockets that keeps connections open (plain or TLS), for the tests of the
network backends under the clients (``test_asyncio_backend.py``, ``test_deadline_backend.py``)."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Callable

__all__ = ["Handler", "KeepAliveServer", "ok"]

# What the server does after answering a request on a connection: keep it, close it, or say more unasked.
Handler = Callable[[bytes, bytes], tuple[bytes, str]]


class KeepAliveServer:
    """A loopback HTTP/1.1 server on raw sockets that keeps connections open; counts the connections it accepts.

    ``handler(head, body)`` returns the response bytes and what to do next: ``"keep"``, ``"close"``,
    ``"extra"`` (a moment after the response, send stray bytes, then keep the connection) or ``"hang"`` (send nothing).
    """

    def __init__(self, handler: Handler, tls: ssl.SSLContext | None = None) -> None:
        self._handler = handler
        self._tls = tls
        self._stop = threading.Event()
        self._socket = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._socket.settimeout(0.02)
        self.port = self._socket.getsockname()[1]
        self.url = f"{'https' if tls else 'http'}://{'localhost' if tls else '127.0.0.1'}:{self.port}"
        self.connections = 0
        self.peers: list[str] = []
        """The address each connection came from."""
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> KeepAliveServer:
        thread = threading.Thread(target=self._accept, daemon=True)
        self._threads.append(thread)
        thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in list(self._threads):
            thread.join(2)
        self._socket.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, peer = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self.peers.append(peer[0])
            thread = threading.Thread(target=self._serve, args=(connection,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, connection: socket.socket) -> None:
        with contextlib.suppress(OSError), contextlib.ExitStack() as stack:
            stack.callback(connection.close)
            connection.settimeout(5)
            if self._tls is not None:
                connection = self._tls.wrap_socket(connection, server_side=True)
                stack.callback(connection.close)
            pending = b""
            while not self._stop.is_set():
                while b"\r\n\r\n" not in pending:
                    data = connection.recv(65536)
                    if not data:
                        return
                    pending += data
                head, pending = pending.split(b"\r\n\r\n", 1)
                lines = head.lower().split(b"\r\n")
                length = next((int(line[15:]) for line in lines if line.startswith(b"content-length:")), 0)
                while len(pending) < length:
                    data = connection.recv(65536)
                    if not data:
                        return
                    pending += data
                body, pending = pending[:length], pending[length:]
                answer, then = self._handler(head, body)
                if then == "hang":
                    self._stop.wait(5)
                    return
                connection.sendall(answer)
                if then == "close":
                    return
                if then == "extra":  # after the response has been read: not part of it
                    self._stop.wait(0.05)
                    connection.sendall(b"\r\n")


def ok(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
