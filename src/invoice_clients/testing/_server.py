"""``Sandbox``: both vendor APIs on a loopback ``ThreadingHTTPServer``, with faults on demand.

One server serves both APIs (their paths do not collide): Gcore at
:attr:`Sandbox.gcore_base_url`, Versori at :attr:`Sandbox.versori_base_url`.
Every request is recorded as it crossed the wire (:attr:`Sandbox.requests`), so
tests can assert on exact query strings and headers.  Waits (latency, hangs)
end early when the sandbox stops, so shutting down never waits on a sleeper.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

import httpx

from .._retry import RetryPolicy
from .._transport import DEFAULT_TIMEOUT, TimeoutTypes
from ..gcore import AsyncGcoreBilling, GcoreBilling
from ..versori import AsyncVersori, Versori
from . import _gcore_api, _versori_api
from ._faults import Fault, FaultPlan, VendorName
from ._http import Reply, SandboxRequest, json_reply
from ._seed import seed_gcore, seed_versori

__all__ = ["Sandbox"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    sandbox: Sandbox

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client hanging up mid-response (a timeout, a cancelled prefetch) is routine here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    # Headers and body leave in one segment: without this, Nagle plus delayed ACKs cost ~40 ms a response.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        sandbox = self.server.sandbox
        with sandbox._in_flight_lock:
            sandbox._in_flight += 1
            sandbox.max_in_flight = max(sandbox.max_in_flight, sandbox._in_flight)
        try:
            sandbox._serve(self)
        finally:
            with sandbox._in_flight_lock:
                sandbox._in_flight -= 1

    def log_message(self, format: str, *args: Any) -> None:
        return


class Sandbox:
    """A stateful fake of both vendor APIs on ``127.0.0.1`` (a free port unless ``port`` is given).

    >>> with Sandbox() as sandbox:
    ...     gcore = sandbox.gcore_client()
    ...     [invoice.number for invoice in gcore.invoices.list(currency="GBP")][:2]
    ['INV/2025/00002', 'INV/2025/00005']

    ``seed=False`` starts empty.  ``sandbox.gcore`` / ``sandbox.versori`` hold
    the state (add, remove, make links or counts lie); :meth:`inject` queues
    faults; :attr:`requests` records traffic.
    """

    def __init__(
        self,
        *,
        seed: bool = True,
        gcore_api_key: str = "sandbox-gcore-key",
        versori_api_key: str = "sandbox-versori-key",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.gcore = _gcore_api.GcoreSandbox(api_key=gcore_api_key, forbidden_key="sandbox-gcore-forbidden")
        self.versori = _versori_api.VersoriSandbox(api_key=versori_api_key, forbidden_key="sandbox-versori-forbidden")
        if seed:
            seed_gcore(self.gcore)
            seed_versori(self.versori)
        self.faults = FaultPlan()
        self.requests: list[SandboxRequest] = []
        self.max_in_flight = 0
        """The most requests the sandbox was serving at once: how concurrent a client really is."""
        self._in_flight = 0
        self._in_flight_lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _Server((host, port), _Handler)
        self._server.sandbox = self
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> Self:
        """Serve in a background thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="invoice-sandbox", daemon=True
            )
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and release the port."""
        self._stopping.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- addresses and ready-made clients ----------------------------------------------------

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def gcore_base_url(self) -> str:
        """Gcore's base URL here (the server root): ``GCORE_BASE_URL`` / ``base_url=`` for your own client."""
        return self.url

    @property
    def versori_base_url(self) -> str:
        """Versori's base URL here (``<url>/api/organisations/v1``): ``VERSORI_BASE_URL`` / ``base_url=``."""
        return self.url + _versori_api.PREFIX

    @property
    def organisation_ids(self) -> list[str]:
        """The Versori organisations the sandbox knows (seeded: ``org_acme``, ``org_tokyo``, ``org_kuwait``)."""
        return sorted(self.versori.invoices)

    def _retry(self, retry: RetryPolicy | None) -> RetryPolicy:
        return retry or RetryPolicy(initial_delay=0.01, max_delay=0.05, max_elapsed=10.0)

    def gcore_client(
        self,
        *,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http_client: httpx.Client | None = None,
    ) -> GcoreBilling:
        """A :class:`GcoreBilling` pointed at this sandbox with its key (short retry delays unless ``retry``).

        Closing it drops the Gcore faults still queued (see :meth:`inject`).
        """
        client = _SandboxGcore(
            self.gcore.api_key, base_url=self.gcore_base_url, timeout=timeout, retry=self._retry(retry),
            http_client=http_client,
        )  # fmt: skip
        client._on_close = lambda: self.faults.clear("gcore")
        return client

    def versori_client(
        self,
        *,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http_client: httpx.Client | None = None,
    ) -> Versori:
        """A :class:`Versori` pointed at this sandbox with its key (short retry delays unless ``retry``).

        Closing it drops the Versori faults still queued (see :meth:`inject`).
        """
        client = _SandboxVersori(
            self.versori.api_key, base_url=self.versori_base_url, timeout=timeout, retry=self._retry(retry),
            http_client=http_client,
        )  # fmt: skip
        client._on_close = lambda: self.faults.clear("versori")
        return client

    def async_gcore_client(
        self,
        *,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> AsyncGcoreBilling:
        """The asyncio twin of :meth:`gcore_client`."""
        client = _SandboxAsyncGcore(
            self.gcore.api_key, base_url=self.gcore_base_url, timeout=timeout, retry=self._retry(retry),
            http_client=http_client,
        )  # fmt: skip
        client._on_close = lambda: self.faults.clear("gcore")
        return client

    def async_versori_client(
        self,
        *,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> AsyncVersori:
        """The asyncio twin of :meth:`versori_client`."""
        client = _SandboxAsyncVersori(
            self.versori.api_key, base_url=self.versori_base_url, timeout=timeout, retry=self._retry(retry),
            http_client=http_client,
        )  # fmt: skip
        client._on_close = lambda: self.faults.clear("versori")
        return client

    # -- faults -------------------------------------------------------------------------------

    def inject(
        self, fault: Fault, *, times: int | None = 1, path: str | None = None, vendor: VendorName | None = None
    ) -> None:
        """Apply ``fault`` to the next ``times`` requests (every one if ``None``) whose path contains ``path``.

        ``vendor`` (``"gcore"``/``"versori"``) limits it to that API; a ``path`` under one API's
        prefix implies it.  Unused faults stay queued until used, :meth:`clear_faults`, or the close
        of a client this sandbox made for a vendor they could hit.
        """
        if vendor is None and path is not None:
            vendor = _vendor_of(path)
        self.faults.add(fault, times=times, path=path, vendor=vendor)

    def clear_faults(self, vendor: VendorName | None = None) -> None:
        """Drop the queued faults (only those that could hit ``vendor``'s API, if given)."""
        self.faults.clear(vendor)

    # -- serving --------------------------------------------------------------------------------

    def _serve(self, handler: _Handler) -> None:
        split = urlsplit(handler.path)
        request = SandboxRequest(
            method=handler.command,
            path=split.path,
            query=tuple(parse_qsl(split.query, keep_blank_values=True)),
            headers={name.lower(): value for name, value in handler.headers.items()},
        )
        self.requests.append(request)
        fault = self.faults.take(split.path, _vendor_of(split.path))
        if fault is not None and fault.kind in ("drop", "hang"):
            self._stopping.wait(fault.delay)
            handler.close_connection = True
            return
        if fault is not None and fault.kind == "latency":
            self._stopping.wait(fault.delay)
        if fault is not None and fault.kind == "status":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            body = {"detail": f"sandbox fault: HTTP {fault.code}", "code": "sandbox_fault", "message": "injected"}
            reply = json_reply(fault.code, body)
            if fault.body is not None:
                text = fault.body.replace("{authorization}", request.authorization)
                reply = Reply(fault.code, text.encode(), "text/plain; charset=utf-8")
            self._send(handler, Reply(reply.status, reply.body, reply.content_type, headers))
            return
        reply = self._route(request)
        self._send(handler, reply, truncate=fault is not None and fault.kind == "truncate")

    def _route(self, request: SandboxRequest) -> Reply:
        if request.path.startswith(_gcore_api.PREFIX):
            return self.gcore.handle(request, self.url)
        if request.path.startswith(_versori_api.PREFIX):
            return self.versori.handle(request)
        return json_reply(404, {"detail": "Not found."})

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, reply: Reply, *, truncate: bool = False) -> None:
        handler.send_response(reply.status)
        handler.send_header("Content-Type", reply.content_type)
        handler.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if truncate:
            handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(reply.body[: len(reply.body) // 2] if truncate else reply.body)
        handler.wfile.flush()
        if truncate:
            handler.close_connection = True


def _vendor_of(path: str) -> VendorName | None:
    if path.startswith(_gcore_api.PREFIX):
        return "gcore"
    if path.startswith(_versori_api.PREFIX):
        return "versori"
    return None


class _SandboxGcore(GcoreBilling):
    """A :class:`GcoreBilling` that tells its sandbox when it closes."""

    _on_close: Callable[[], None]

    def close(self) -> None:
        super().close()
        self._on_close()


class _SandboxVersori(Versori):
    """A :class:`Versori` that tells its sandbox when it closes."""

    _on_close: Callable[[], None]

    def close(self) -> None:
        super().close()
        self._on_close()


class _SandboxAsyncGcore(AsyncGcoreBilling):
    """An :class:`AsyncGcoreBilling` that tells its sandbox when it closes."""

    _on_close: Callable[[], None]

    async def aclose(self) -> None:
        await super().aclose()
        self._on_close()


class _SandboxAsyncVersori(AsyncVersori):
    """An :class:`AsyncVersori` that tells its sandbox when it closes."""

    _on_close: Callable[[], None]

    async def aclose(self) -> None:
        await super().aclose()
        self._on_close()


for _cls in (_SandboxGcore, _SandboxVersori, _SandboxAsyncGcore, _SandboxAsyncVersori):
    _cls.__name__ = _cls.__qualname__ = _cls.__mro__[1].__name__  # repr() names the public class
