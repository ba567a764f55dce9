"""The one exception hierarchy every client raises.

Callers catch these, never ``httpx`` exceptions or the generated packages'
``UnexpectedStatus``: the engine is an implementation detail.  Every API error
carries the method, the URL (without credentials), the status when there was one
and a short excerpt of the body, so a log line is enough to debug it.  None of
them ever contains the API key: messages are built from redacted parts only.

    >>> try:
    ...     client.invoices.get(42)
    ... except NotFoundError as exc:
    ...     print(exc.status_code, exc.url)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NotRequired, TypedDict, Unpack

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "CertificateVerificationError",
    "ClientClosedError",
    "ConfigurationError",
    "CredentialsError",
    "CurrencyMismatchError",
    "InconsistentListingError",
    "InvalidArgumentError",
    "InvoiceClientsError",
    "LocalFileError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProxyError",
    "RateLimitError",
    "RequestDetails",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "ServerError",
    "error_for_status",
]


class InvoiceClientsError(Exception):
    """Base class of every error this package raises."""


class InvalidArgumentError(InvoiceClientsError, ValueError):
    """A bad argument or configuration, detected before any request is sent.

    Examples: no API key, a plain-HTTP base URL to a remote host, an unknown
    ordering field, ``start`` after ``end``.
    """


class CredentialsError(InvalidArgumentError):
    """No API key, or one that cannot be sent (not visible ASCII, a line break, not a ``str``).

    A separate type so that callers (and the CLI's exit codes) tell "fix your key"
    from "fix your arguments" without reading the message.  Its message never
    contains the key, not even a part of it.
    """


class ConfigurationError(InvalidArgumentError):
    """The environment names something that cannot be used: a CA file that is missing or unreadable
    (``SSL_CERT_FILE``, ``SSL_CERT_DIR``), a proxy URL that is malformed or of a kind not supported
    (``HTTPS_PROXY`` and the other proxy variables), a switch with a value that is not one.

    Raised when a client is built, before anything is sent.  Its message is one line that names the variable and
    its value (a proxy's without credentials).  A separate type, and its own exit code in the command line (9),
    because the fix is in the machine's set-up, not in the arguments of the command: "ask whoever set up this
    machine" rather than "read --help".
    """


class CurrencyMismatchError(InvoiceClientsError, ValueError):
    """Two :class:`~invoice_clients.Money` amounts of different currencies were added or subtracted.

    There is no exchange rate in an invoice, so ``EUR + GBP`` has no answer: group amounts by currency first
    (``Money.currency``).  A :class:`ValueError` too, as any refused value is, and an
    :class:`InvoiceClientsError`, so one handler catches everything this package raises.
    """


class ClientClosedError(InvoiceClientsError, RuntimeError):
    """The client was closed: every call after ``close()``/``aclose()`` raises it, and so does a listing still open
    then (at its next page), sync or async.

    Nothing was sent (or what was in flight was abandoned).  A :class:`RuntimeError` too, which is what the
    ``httpx`` client underneath raised before, so existing handlers keep working.  Also raised when the
    ``http_client`` you passed was closed.
    """


class LocalFileError(InvoiceClientsError, OSError):
    """A local file could not be written (no such directory, no permission, disk full).

    An :class:`OSError` too, with ``errno``, ``strerror`` and ``filename``, so
    code that already handles file errors keeps working; ``str()`` is one line
    naming the path.
    """


class RequestDetails(TypedDict):
    """Where an :class:`APIError` happened: ``method``, ``url`` (without credentials), and if known the
    ``status_code`` and an excerpt of the ``body`` (every API error's keyword arguments)."""

    method: str
    url: str
    status_code: NotRequired[int | None]
    body: NotRequired[str]


class APIError(InvoiceClientsError):
    """A request was sent and did not produce a usable result."""

    def __init__(self, message: str, **request: Unpack[RequestDetails]) -> None:
        self.message = message
        self.method = request["method"]
        self.url = request["url"]
        self.status_code = request.get("status_code")
        self.body = request.get("body", "")
        super().__init__(self._render())

    def _render(self) -> str:
        status = f" -> {self.status_code}" if self.status_code is not None else ""
        text = f"{self.method} {self.url}{status}: {self.message}"
        if self.body:
            text += f" (body: {self.body})"
        return text


class APIConnectionError(APIError):
    """The server could not be reached, or dropped the connection mid-response."""


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read, write or pool)."""


class ProxyError(APIConnectionError):
    """The proxy refused to carry the request (``407 Proxy Authentication Required``, ``403 Forbidden``, ...).

    Not retried: the same request through the same proxy is refused again.  The message names the proxy without
    its credentials, and where it came from (``HTTPS_PROXY``, ``proxy=``); ``proxy_status`` is the status the
    proxy answered, when it gave one.  An :class:`APIConnectionError`, so existing handlers of "cannot reach the
    API" catch it (exit code 5 in the command line).
    """

    def __init__(self, message: str, *, proxy_status: int | None = None, **request: Unpack[RequestDetails]) -> None:
        self.proxy_status = proxy_status
        super().__init__(message, **request)


class CertificateVerificationError(APIConnectionError):
    """The server's TLS certificate failed verification: an issuer not trusted here, another host's name, expired.

    Not retried (a certificate does not change between attempts).  The message says why, and what to try when a
    company network is in the way: the company's CA in ``SSL_CERT_FILE``/``SSL_CERT_DIR``, the operating
    system's store (``INVOICE_CLIENTS_SYSTEM_CERTS=1``, ``system_certs=True``), the proxy in ``HTTPS_PROXY``.
    An :class:`APIConnectionError` (exit code 5 in the command line).
    """


class APIStatusError(APIError):
    """The server answered with an error status (4xx or 5xx)."""

    status_code: int


class BadRequestError(APIStatusError):
    """400: the server rejected the request's parameters."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing, malformed or revoked."""


class PermissionDeniedError(APIStatusError):
    """403: the key is valid but may not do this."""


class NotFoundError(APIStatusError):
    """404: no such invoice or organisation."""


class RateLimitError(APIStatusError):
    """429 after every allowed retry; ``retry_after`` is the server's last hint in seconds, if any."""

    def __init__(self, message: str, *, retry_after: float | None = None, **request: Unpack[RequestDetails]) -> None:
        self.retry_after = retry_after
        super().__init__(message, **request)


class ServerError(APIStatusError):
    """5xx after every allowed retry (502/503/504 are retried; 500 is not)."""


class ResponseValidationError(APIError):
    """A successful response whose body does not fit the spec (bad JSON, missing field, bad amount...)."""


class InconsistentListingError(ResponseValidationError):
    """A listing's pages do not fit together, so completing it could lose or repeat an invoice.

    Raised instead of yielding a duplicate or ending early: a page out of the requested order or holding an
    id twice, pages that cycle or stop advancing, a server that claims more rows (``count``, ``next``) than it
    sends.  A subclass of :class:`ResponseValidationError` (each response may be valid on its own; together
    they are not), so existing handlers of malformed responses catch it.  Listing again may succeed.
    """


class ResponseTooLargeError(APIError):
    """The body grew past ``max_response_bytes`` (or ``max_pdf_bytes``), counted after decompression.

    Reading stops at the limit, so memory stays bounded whatever the server
    sends (a gzip bomb included); it is not retried.
    """


_STATUS_ERRORS: Mapping[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}


def error_for_status(
    message: str, *, method: str, url: str, status_code: int, body: str = "", retry_after: float | None = None
) -> APIStatusError:
    """The error for an error status: its own class for 400, 401, 403, 404 and 429, :class:`ServerError` for
    any 5xx, :class:`APIStatusError` for any other (``retry_after`` is kept by a 429's only)."""
    kind = _STATUS_ERRORS.get(status_code, ServerError if status_code >= 500 else APIStatusError)
    if kind is RateLimitError:
        return RateLimitError(
            message, retry_after=retry_after, method=method, url=url, status_code=status_code, body=body
        )
    return kind(message, method=method, url=url, status_code=status_code, body=body)
