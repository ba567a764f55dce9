"""What every client shares: the key, the base URL check, the sender and its lifetime.

A vendor client is a subclass that names its environment variable, auth scheme
and default URL, and attaches its resources (``client.invoices``).  Clients are
context managers; a client closes the ``httpx`` client it created, never one
the caller injected.  Closing also cancels what is in flight, and a forked
child never uses the parent's connections (see :mod:`invoice_clients._http.sender`).

Options every client takes: ``timeout`` (per socket operation, as httpx means
it), ``deadline`` (seconds for a whole call, retries and back-off included;
``None``: ``retry.max_elapsed`` alone bounds it), ``max_response_bytes`` and
``max_pdf_bytes`` (decoded body sizes; see docs/guarantees.md); and for the network around the client (see
docs/network.md) ``proxy`` (used for every request; default: the environment's ``HTTPS_PROXY`` and the others,
decided for the base URL by :func:`._http.proxies.proxy_for`), ``trust_env`` (``False``: read no proxy or CA
variable, as httpx's option of that name) and ``system_certs`` (verify against the operating system's
certificate store; default: ``INVOICE_CLIENTS_SYSTEM_CERTS``).  A variable that names something unusable is a
``ConfigurationError`` when the client is built.
"""

from __future__ import annotations

import os
from types import TracebackType
from typing import Any, ClassVar, Generic, Self, TypeVar

import httpx

from ._exceptions import InvalidArgumentError
from ._http.proxies import proxy_for
from ._http.retry import RetryPolicy
from ._http.security import check_base_url, safe_url
from ._http.sender import (
    DEFAULT_MAX_PDF_BYTES,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
    AsyncSender,
    Sender,
    SyncSender,
    TimeoutTypes,
)
from ._http.trust import system_certs_from_environment
from ._redaction import ApiKey, resolve_api_key

__all__ = ["AsyncClientBase", "SyncClientBase"]


HttpClientT = TypeVar("HttpClientT", httpx.Client, httpx.AsyncClient)


class _ClientBase(Generic[HttpClientT]):
    ENV_VAR: ClassVar[str]
    BASE_URL_ENV_VAR: ClassVar[str]
    AUTH_SCHEME: ClassVar[str]
    DEFAULT_BASE_URL: ClassVar[str]
    _sender: Sender
    _HTTP_CLIENT: ClassVar[type[httpx.Client] | type[httpx.AsyncClient]]
    _SENDER: ClassVar[type[SyncSender] | type[AsyncSender]]
    _WRONG_CLIENT: ClassVar[str]

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http_client: HttpClientT | None = None,
        allow_insecure_http: bool = False,
        deadline: float | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_pdf_bytes: int = DEFAULT_MAX_PDF_BYTES,
        proxy: str | httpx.URL | httpx.Proxy | None = None,
        trust_env: bool = True,
        system_certs: bool | None = None,
    ) -> None:
        if http_client is not None and not isinstance(http_client, self._HTTP_CLIENT):
            raise TypeError(self._WRONG_CLIENT)
        self._sender = self._SENDER(http_client, **self._sender_options(locals()))  # type: ignore[arg-type]
        self._attach_resources()

    def _checked(
        self, api_key: str | None, base_url: str | None, allow_insecure_http: bool
    ) -> tuple[ApiKey, httpx.URL]:
        """The resolved key and the checked base URL; either problem is an ``InvalidArgumentError``.

        The base URL is ``base_url``, else the ``*_BASE_URL`` environment variable (as for the
        command line), else the vendor's.
        """
        key = resolve_api_key(api_key, self.ENV_VAR)
        url = base_url or os.environ.get(self.BASE_URL_ENV_VAR, "").strip() or self.DEFAULT_BASE_URL
        return key, check_base_url(url, allow_insecure_http=allow_insecure_http)

    def _sender_options(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """The sender's options from the arguments of ``__init__`` (the same for the sync and async client)."""
        key, url = self._checked(arguments["api_key"], arguments["base_url"], arguments["allow_insecure_http"])
        return {
            "owns_client": arguments["http_client"] is None,
            "timeout": arguments["timeout"],
            "retry": arguments["retry"] or RetryPolicy(),
            "base_url": url,
            "api_key": key,
            "auth_scheme": self.AUTH_SCHEME,
            "deadline": arguments["deadline"],
            "max_response_bytes": arguments["max_response_bytes"],
            "max_pdf_bytes": arguments["max_pdf_bytes"],
            **self._network(url, arguments),
        }

    @staticmethod
    def _network(url: httpx.URL, arguments: dict[str, Any]) -> dict[str, Any]:
        """The proxy and TLS trust of the connections the client makes (none with a caller's ``http_client``)."""
        proxy, trust_env, system_certs = arguments["proxy"], arguments["trust_env"], arguments["system_certs"]
        if not isinstance(trust_env, bool) or not isinstance(system_certs, bool | None):
            raise InvalidArgumentError("trust_env and system_certs must be True or False")
        if arguments["http_client"] is not None:
            if proxy is not None or system_certs is not None:
                raise InvalidArgumentError(
                    "proxy= and system_certs= set up the connections the client makes; with http_client=, give your"
                    " httpx client its proxy and verify= instead"
                )
            return {}
        if system_certs is None:
            system_certs = trust_env and system_certs_from_environment()
        return {
            "proxy": proxy_for(url, proxy, trust_env=trust_env),
            "trust_env": trust_env,
            "system_certs": system_certs,
        }

    def _attach_resources(self) -> None:
        """Create the resource attributes (``self.invoices``) once the sender exists."""
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        """The API's base URL."""
        return str(self._sender.base_url)

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy in force."""
        return self._sender.retry

    def __repr__(self) -> str:
        url = safe_url(self._sender.base_url)
        return f"{type(self).__name__}(base_url={url!r}, api_key={self._sender.api_key!r})"


class SyncClientBase(_ClientBase[httpx.Client]):
    """Base of the blocking clients."""

    _sender: SyncSender
    _HTTP_CLIENT = httpx.Client
    _SENDER = SyncSender
    _WRONG_CLIENT = "http_client must be an httpx.Client (use the Async* client for httpx.AsyncClient)"

    def close(self) -> None:
        """Cancel the calls in flight (their reads end within 0.1 s, prefetch threads included, which this waits
        for), then close the connection pool (only if this client created it).  Every call after this raises
        :class:`~invoice_clients.ClientClosedError`, and so does a listing still open, at its next page."""
        self._sender.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncClientBase(_ClientBase[httpx.AsyncClient]):
    """Base of the asyncio clients."""

    _sender: AsyncSender
    _HTTP_CLIENT = httpx.AsyncClient
    _SENDER = AsyncSender
    _WRONG_CLIENT = "http_client must be an httpx.AsyncClient (use the sync client for httpx.Client)"

    async def aclose(self) -> None:
        """Refuse calls from now on (:class:`~invoice_clients.ClientClosedError`), end the back-offs in progress and
        close the connection pool (only if this client created it), which ends the calls in flight."""
        await self._sender.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
