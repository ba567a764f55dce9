"""Run Stoplight Prism on loopback, with a wire recorder in front of it.

Prism is the independent implementation: it mocks a spec and validates every
request against it (and, with ``--errors``, every response it would give).
Prism accepts a repeated query parameter where the spec says
``style: form, explode: false``, so the recorder keeps the raw request lines
for the tests that check the wire format Prism cannot see.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

__all__ = ["PrismMock", "RecordedRequest", "WireRecorder", "prism_binary", "wire_problems"]


def prism_binary() -> Path | None:
    """The Prism executable installed by ``nox -s contract`` (``PRISM_BIN``), if any."""
    value = os.environ.get("PRISM_BIN")
    return Path(value) if value else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PrismMock:
    """``prism mock --errors`` for one spec on a free loopback port."""

    def __init__(self, binary: Path, spec: Path, log: Path, *, dynamic: bool = False) -> None:
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = log
        args = [str(binary), "mock", "--errors", "-h", "127.0.0.1", "-p", str(self.port), str(spec)]
        if dynamic:
            args.insert(2, "--dynamic")
        self._log_file = log.open("w")
        self.process = subprocess.Popen(args, stdout=self._log_file, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Block until Prism accepts connections; fail with its log if it dies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prism exited with {self.process.returncode}: {self.log.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"prism did not listen on {self.base_url} within {timeout}s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log_file.close()


@dataclass(frozen=True)
class RecordedRequest:
    """One request as it crossed the wire."""

    method: str
    target: str
    headers: dict[str, str]

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> list[tuple[str, str]]:
        """Query pairs in wire order, repeated names kept."""
        return parse_qsl(urlsplit(self.target).query, keep_blank_values=True)


@dataclass
class WireRecorder:
    """A loopback reverse proxy that records each request and forwards it upstream."""

    upstream_port: int
    requests: list[RecordedRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                recorder.requests.append(RecordedRequest(self.command, self.path, dict(self.headers.items())))
                conn = http.client.HTTPConnection("127.0.0.1", recorder.upstream_port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in {"host", "connection"}}
                conn.request(self.command, self.path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in {"transfer-encoding", "connection", "content-length", "keep-alive"}:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                conn.close()

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


_INTEGER_PARAMS = {"limit", "offset", "client_id", "payer_id"}
_DATE_PARAMS = {
    "invoice_date__from",
    "invoice_date__to",
    "billing_period_from__from",
    "billing_period_to__to",
    "from",
    "to",
}


def wire_problems(request: RecordedRequest) -> list[str]:
    """What Prism lets through but the specs forbid: repeated parameters, ``42.0`` ids, odd dates."""
    problems = []
    names = [name for name, _ in request.query]
    problems += [f"{name} sent {names.count(name)} times" for name in sorted(set(names)) if names.count(name) > 1]
    for name, value in request.query:
        if name in _INTEGER_PARAMS and not value.lstrip("-").isdigit():
            problems.append(f"{name}={value} is not an integer")
        if name in _DATE_PARAMS and not (len(value) == 10 and value[4] == value[7] == "-"):
            problems.append(f"{name}={value} is not a YYYY-MM-DD date")
    return problems
