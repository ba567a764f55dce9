"""A hostile HTTP server on raw sockets: it says whatever a test scripts, byte by byte.

Independent of ``invoice_clients.testing`` on purpose: the sandbox speaks HTTP
through ``http.server`` and cannot send a malformed status line, dribble a body,
cut one without framing or echo the key where a proper server never would.  A
handler receives the parsed request head and returns a script: ``bytes`` are
written as they are, a ``float`` pauses that many seconds; the connection is
closed when the script ends.  Every pause checks a stop event, so closing the
server ends every connection within a few milliseconds.
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

__all__ = ["HostileServer", "Request", "Script", "dribble", "encodings_of", "gcore_invoice", "response"]

Script = Iterable[bytes | float]
_HEAD_LIMIT = 64 * 1024


@dataclass
class Request:
    """The request head as received: method, target and headers (lower-cased names)."""

    method: str
    target: str
    headers: dict[str, str] = field(default_factory=dict)


def response(
    body: bytes = b"",
    *,
    status: str = "200 OK",
    headers: Iterable[tuple[str, str]] = (("Content-Type", "application/json"),),
    framing: str = "length",
) -> bytes:
    """A whole response: ``framing`` is ``length`` (Content-Length), ``chunked`` or ``close`` (none)."""
    lines = [f"HTTP/1.1 {status}", *(f"{name}: {value}" for name, value in headers)]
    if framing == "length":
        lines.append(f"Content-Length: {len(body)}")
    elif framing == "chunked":
        lines.append("Transfer-Encoding: chunked")
        body = (f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n") if body else b"0\r\n\r\n"
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def dribble(data: bytes, every: float) -> Iterator[bytes | float]:
    """``data`` one byte at a time, ``every`` seconds apart."""
    for index in range(len(data)):
        yield data[index : index + 1]
        yield every


def encodings_of(key: str) -> dict[str, str]:
    """The forms in which a careless or hostile server might echo ``key``."""
    return {
        "raw": key,
        "url": urllib.parse.quote(key, safe=""),
        "json": json.dumps(key)[1:-1].replace("/", "\\/"),
        "unicode": "".join(f"\\u{ord(ch):04x}" for ch in key),
        "base64": base64.b64encode(key.encode()).decode(),
    }


class HostileServer:
    """``with HostileServer(handler) as server: server.url``; ``server.requests`` records every head."""

    def __init__(self, handler: Callable[[Request], Script]) -> None:
        self._handler = handler
        self._stop = threading.Event()
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.02)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self.requests: list[Request] = []
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> HostileServer:
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

    def _serve(self, connection: socket.socket) -> None:
        with contextlib.closing(connection):
            connection.settimeout(5)
            head = b""
            with contextlib.suppress(OSError):
                while b"\r\n\r\n" not in head and len(head) < _HEAD_LIMIT:
                    data = connection.recv(4096)
                    if not data:
                        return
                    head += data
            if b"\r\n\r\n" not in head:
                return
            lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
            method, target, _ = [*lines[0].split(" "), "", ""][:3]
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            request = Request(method, target, headers)
            self.requests.append(request)
            with contextlib.suppress(OSError):
                for step in self._handler(request):
                    if self._stop.is_set():
                        return
                    if isinstance(step, float):
                        if self._stop.wait(step):
                            return
                    else:
                        connection.sendall(step)
                connection.shutdown(socket.SHUT_WR)


def gcore_invoice(**overrides: object) -> dict[str, object]:
    """One valid ``ErpInvoiceExternal`` (fields replaced by ``overrides``)."""
    invoice: dict[str, object] = {
        "id": 1, "name": "INV/2026/00001", "move_type": "out_invoice", "currency": "EUR",
        "invoice_date": "2026-01-31", "invoice_date_due": "2026-02-28", "billing_period_from": "2026-01-01",
        "billing_period_to": "2026-01-31", "amount_untaxed": "100.00", "amount_tax": "20.00",
        "amount_total": "120.00", "payment_state": "not_paid", "client_id": 7, "payer_id": 8, "invoice_id": None,
        "created_at": "2026-01-31T10:00:00Z", "updated_at": "2026-01-31T10:00:00Z",
    }  # fmt: skip
    invoice.update(overrides)
    return invoice
