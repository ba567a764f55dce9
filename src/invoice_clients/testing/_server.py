"""``SandboxCore``: every registered vendor's API on a loopback ``ThreadingHTTPServer``, with faults on demand.

One server serves all APIs (their path prefixes do not collide), each at
:meth:`SandboxCore.base_url_of`.  The public ``Sandbox`` adds each built-in
vendor's typed accessors.  Every request is recorded as it crossed the wire (:attr:`requests`), so
tests can assert on exact query strings and headers.  Waits (latency, hangs)
end early when the sandbox stops, so shutting down never waits on a sleeper.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self, TypedDict, Unpack
from urllib.parse import parse_qsl, urlsplit

import httpx

from .._base import AsyncClientBase, SyncClientBase
from .._http.retry import RetryPolicy
from .._http.sender import TimeoutTypes
from .._sandbox.http import Reply, SandboxRequest, json_reply
from ..vendors import SandboxAPI, VendorPlugin, all_vendors
from ._faults import Fault, FaultPlan, VendorName

__all__ = ["AsyncClientOptions", "ClientOptions", "SandboxCore"]


class _Options(TypedDict, total=False):
    timeout: TimeoutTypes
    retry: RetryPolicy | None
    deadline: float | None
    max_response_bytes: int
    max_pdf_bytes: int
    proxy: str | httpx.URL | httpx.Proxy | None
    trust_env: bool
    system_certs: bool | None


class ClientOptions(_Options, total=False):
    """The options of a client the sandbox makes (:meth:`SandboxCore.client`), as the client takes them (its key
    and base URL are the sandbox's)."""

    http_client: httpx.Client | None


class AsyncClientOptions(_Options, total=False):
    """As :class:`ClientOptions`, for an asyncio client (``http_client`` is an ``httpx.AsyncClient``)."""

    http_client: httpx.AsyncClient | None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default listen backlog is 5: a client opening more connections at once (an async listing
    # with prefetch opens 9 in one go) has the rest dropped by the kernel, and each such connection stalls
    # for the 1 s SYN retransmission.  Real servers accept hundreds; so does the sandbox.
    request_queue_size = 128
    sandbox: SandboxCore

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

    def __getattr__(self, name: str) -> Any:
        # The standard library looks up ``do_<METHOD>`` and answers a method without one with its own 501 HTML
        # page.  Every method reaches the vendor's API instead, which answers one its spec does not declare
        # with 405 and ``Allow`` in its own error shape, as a real server does.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def _serve(self) -> None:
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


class SandboxCore:
    """A stateful fake of every registered vendor's API on ``127.0.0.1`` (a free port unless ``port`` is given).

    ``seed=False`` starts empty.  :meth:`api` holds a vendor's state (add, remove, make links or counts lie),
    :meth:`client` / :meth:`async_client` make a client pointed here; :meth:`inject` queues faults;
    :attr:`requests` records traffic.  ``<vendor>_api_key=`` replaces a vendor's key.
    """

    def __init__(self, *, seed: bool = True, host: str = "127.0.0.1", port: int = 0, **api_keys: str) -> None:
        self._vendors: dict[str, VendorPlugin] = {plugin.name: plugin for plugin in all_vendors()}
        unknown = set(api_keys) - {f"{name}_api_key" for name in self._vendors}
        if unknown:
            raise TypeError(f"Sandbox() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
        self._apis: dict[str, SandboxAPI] = {}
        for name, plugin in self._vendors.items():
            key = api_keys.get(f"{name}_api_key", plugin.sandbox_key)
            self._apis[name] = plugin.sandbox_api(key, plugin.sandbox_forbidden_key)
            if seed:
                plugin.seed(self._apis[name])
        self.faults = FaultPlan(set(self._vendors))
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

    def api(self, vendor: str) -> SandboxAPI:
        """The state of ``vendor``'s API here."""
        return self._apis[vendor]

    def base_url_of(self, vendor: str) -> str:
        """``vendor``'s base URL here: its ``*_BASE_URL`` / ``base_url=`` for a client of your own."""
        return self.url + self._vendors[vendor].sandbox_base_path

    def _options(self, vendor: str, options: Mapping[str, Any]) -> dict[str, Any]:
        """A client's options here: ``options`` pointed at this sandbox, with short retry delays unless given."""
        short = RetryPolicy(initial_delay=0.01, max_delay=0.05, max_elapsed=10.0)
        return {**options, "base_url": self.base_url_of(vendor), "retry": options.get("retry") or short}

    def client(self, vendor: str, **options: Unpack[ClientOptions]) -> SyncClientBase:
        """``vendor``'s client pointed at this sandbox with its key (short retry delays unless ``retry``).

        ``options`` are the client's own (``timeout``, ``retry``, ``http_client``, ``deadline``...).  Closing
        it drops that vendor's faults still queued (see :meth:`inject`).
        """
        client = self._vendors[vendor].client(self._apis[vendor].api_key, **self._options(vendor, options))
        close = client.close

        def close_and_clear() -> None:
            close()
            self.faults.clear(vendor)

        client.close = close_and_clear  # type: ignore[method-assign]
        return client

    def async_client(self, vendor: str, **options: Unpack[AsyncClientOptions]) -> AsyncClientBase:
        """The asyncio twin of :meth:`client`."""
        client = self._vendors[vendor].async_client(self._apis[vendor].api_key, **self._options(vendor, options))
        aclose = client.aclose

        async def aclose_and_clear() -> None:
            await aclose()
            self.faults.clear(vendor)

        client.aclose = aclose_and_clear  # type: ignore[method-assign]
        return client

    # -- faults -------------------------------------------------------------------------------

    def inject(
        self, fault: Fault, *, times: int | None = 1, path: str | None = None, vendor: VendorName | None = None
    ) -> None:
        """Apply ``fault`` to the next ``times`` requests (every one if ``None``) whose path contains ``path``.

        ``vendor`` (a registered vendor's name) limits it to that API; a ``path`` under one API's
        prefix implies it.  Unused faults stay queued until used, :meth:`clear_faults`, or the close
        of a client this sandbox made for a vendor they could hit.
        """
        if vendor is None and path is not None:
            vendor = self._vendor_of(path)
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
        fault = self.faults.take(split.path, self._vendor_of(split.path))
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
        vendor = self._vendor_of(request.path)
        if vendor is None:
            return json_reply(404, {"detail": "Not found."})
        return self._apis[vendor].handle(request, self.url)

    def _vendor_of(self, path: str) -> VendorName | None:
        for name, plugin in self._vendors.items():
            if path.startswith(plugin.sandbox_prefix):
                return name
        return None

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, reply: Reply, *, truncate: bool = False) -> None:
        body = reply.body[: len(reply.body) // 2] if truncate else reply.body
        handler.send_response(reply.status)
        handler.send_header("Content-Type", reply.content_type)
        handler.send_header("Content-Length", str(len(reply.body)))  # a HEAD's too: the length a GET would have
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if truncate:
            handler.send_header("Connection", "close")
        handler.end_headers()
        if handler.command != "HEAD":  # HEAD is GET without the body
            handler.wfile.write(body)
        handler.wfile.flush()
        if truncate:
            handler.close_connection = True
