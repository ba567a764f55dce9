"""A Gcore server that answers the first pages of a listing and then stalls, watching its connections close.

What Ctrl-C, ``close()`` and a dropped listing are tested against: every request
it does not answer is held open without a byte for ``stall`` seconds (a minute:
far longer than any bound the tests allow), and the server notices the moment
the client closes such a connection (a read on it returns end of stream), so a
test asks the server, not the client, whether the connections are gone.
Written on raw sockets, like ``hostile``: no part of it is the facade's.
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable

from .hostile import gcore_invoice, response

__all__ = ["PDF", "StalledServer", "wait_until"]

PDF = b"%PDF-1.4\n" + b"1 0 obj << >> endobj\n" * 50 + b"%%EOF\n"


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    """Whether ``condition()`` became true within ``timeout`` seconds (polled; a bound, not a measurement)."""
    ends_at = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= ends_at:
            return False
        time.sleep(0.02)
    return True


class StalledServer:
    """``with StalledServer(answered=(0,)) as server``: pages at the ``answered`` offsets (``rows`` claimed in all,
    100 per page) and ``/download`` get answers; every other request stalls.

    ``server.stalled`` counts the stalled requests received; ``server.open`` those whose connection the client has
    not closed yet.
    """

    def __init__(self, *, answered: tuple[int, ...] = (0,), rows: int = 1000, stall: float = 60.0) -> None:
        self.answered = answered
        self.rows = rows
        self.stall = stall
        self.stalled = 0
        self.open = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._socket = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._socket.settimeout(0.02)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> StalledServer:
        self._accepting.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._accepting.join(2)
        for thread in self._threads:
            thread.join(2)
        self._socket.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(connection,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _page(self, offset: int) -> bytes:
        ids = range(offset + 1, min(offset + 100, self.rows) + 1)
        page = {
            "count": self.rows,
            "next": None,
            "previous": None,
            "results": [gcore_invoice(id=i, name=f"INV/2026/{i:05d}") for i in ids],
        }
        return response(json.dumps(page).encode())

    def _serve(self, connection: socket.socket) -> None:
        with contextlib.closing(connection):
            connection.settimeout(5)
            head = b""
            with contextlib.suppress(OSError):
                while b"\r\n\r\n" not in head:
                    data = connection.recv(4096)
                    if not data:
                        return
                    head += data
            target = head.split(b" ", 2)[1].decode("latin-1") if head.count(b" ") >= 2 else "/"
            url = urllib.parse.urlsplit(target)
            offset = int(urllib.parse.parse_qs(url.query).get("offset", ["0"])[0])
            with contextlib.suppress(OSError):
                if url.path.endswith("/download"):
                    connection.sendall(response(PDF, headers=(("Content-Type", "application/pdf"),)))
                    return
                if url.path.endswith("/erp-invoices") and offset in self.answered:
                    connection.sendall(self._page(offset))
                    return
            self._hold(connection)

    def _hold(self, connection: socket.socket) -> None:
        """Say nothing for ``stall`` seconds, or until the client closes the connection (or the server stops)."""
        with self._lock:
            self.stalled += 1
            self.open += 1
        try:
            ends_at = time.monotonic() + self.stall
            while not self._stop.is_set() and time.monotonic() < ends_at:
                readable, _, _ = select.select([connection], [], [], 0.02)
                if readable:
                    try:
                        if not connection.recv(4096):
                            return  # end of stream: the client closed it
                    except OSError:
                        return  # reset: closed too
        finally:
            with self._lock:
                self.open -= 1
