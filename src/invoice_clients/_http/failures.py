"""What a failed request becomes: the typed error a caller catches, built from redacted text only.

Every message quotes only what was made safe first (the key and the proxy's password scrubbed, see
:mod:`invoice_clients._redaction`), and is raised without the original exception attached, whose text was not.
A certificate that fails verification and a proxy's refusal say what to try; a status maps to its class
(:func:`~invoice_clients._exceptions.error_for_status`) with a one-line excerpt of the body; a body that does not
fit the spec is a :class:`~invoice_clients.ResponseValidationError` naming the request.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import httpx

from .._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    CertificateVerificationError,
    ProxyError,
    RequestDetails,
    ResponseValidationError,
    error_for_status,
)
from .._redaction import ApiKey, redact_text, scrubbing
from .retry import parse_retry_after
from .security import safe_url
from .trust import SYSTEM_CERTS_VARIABLE

if TYPE_CHECKING:
    from .proxies import ProxyRoute

__all__ = ["ERROR_BODY", "Failures"]

T = TypeVar("T")
ERROR_BODY = 16 * 1024
"""How far an error body is read, for its excerpt."""
_EXCERPT = 500
_MISFITS = (ValueError, RecursionError)  # RecursionError: a body nested 100,000 deep


class Failures:
    """The typed errors of one client's requests (its key and proxy are what is scrubbed)."""

    __slots__ = ("api_key", "proxy")

    def __init__(self, api_key: ApiKey, proxy: ProxyRoute | None) -> None:
        self.api_key = api_key
        self.proxy = proxy

    def redact(self, text: str) -> str:
        """Text a server or proxy sent, made safe to show (:func:`~invoice_clients._redaction.redact_text`), the
        proxy's password scrubbed too."""
        text = redact_text(text, self.api_key)
        return text if self.proxy is None else self.proxy.scrub(text)

    def excerpt(self, body: bytes) -> str:
        """A short, one-line, redacted excerpt of a body: redacted first, then collapsed, then cut.

        Only the first :data:`ERROR_BODY` bytes are read; when the body is longer, the end of that window is
        dropped too, as it could hold the start of the key.
        """
        window = body[:ERROR_BODY].decode("utf-8", errors="replace")
        if len(body) >= ERROR_BODY:
            window = window[: -10 * len(self.api_key.reveal())]
        text = self.redact(window)
        return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "..."

    def from_exception(self, exc: BaseException, method: str, url: str) -> APIError:
        """The typed error for an exception an attempt raised (an httpx error, an ``OSError``...)."""
        verification = _verification_failure(exc)
        if verification is not None:
            return self._certificate(verification, method, url)
        if isinstance(exc, httpx.ProxyError):
            return self._proxy(exc, method, url)
        kind = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        return kind(f"{type(exc).__name__}: {self._text(exc)}{self._through()}", method=method, url=safe_url(url))

    def from_status(self, response: httpx.Response, body: bytes, method: str, url: str) -> APIStatusError:
        """The typed error for a response that is not a success (``body``: the start of its body)."""
        status = response.status_code
        reason = self.redact(response.reason_phrase)[:120]
        return error_for_status(
            f"HTTP {status} {reason}".rstrip(), method=method, url=safe_url(url), status_code=status,
            body=self.excerpt(body), retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )  # fmt: skip

    def deadline(self, method: str, url: str, budget: float) -> APITimeoutError:
        return APITimeoutError(
            f"no complete answer within the call's deadline of {budget:g}s (retries and back-off included)",
            method=method,
            url=safe_url(url),
        )

    def parse(self, body: bytes, parse: Callable[[bytes], T], request: RequestDetails) -> T:
        """``parse(body)``, a body that does not fit (a ``ValueError`` or ``RecursionError``) raised as a
        :class:`ResponseValidationError` naming ``request``.

        The message quotes body values, which may be the key echoed back: ``parse`` runs in a
        :func:`~invoice_clients._redaction.scrubbing` block, and the message is built from scrubbed parts only.
        """
        try:
            with scrubbing(self.api_key):
                return parse(body)
        except _MISFITS as exc:
            try:
                text = str(exc)
            except (ValueError, RecursionError):
                text = ""
            detail = self.redact(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)
            error = ResponseValidationError(
                f"response does not fit the spec: {detail[:300]}", method=request["method"], url=request["url"],
                status_code=request.get("status_code"), body=self.excerpt(body),
            )  # fmt: skip
        raise error from None

    def _certificate(
        self, failure: ssl.SSLCertVerificationError, method: str, url: str
    ) -> CertificateVerificationError:
        reason = self.redact(failure.verify_message or failure.reason or str(failure))[:200].rstrip(".")
        return CertificateVerificationError(
            f"the server's TLS certificate failed verification ({reason}){self._through()}; not retried."
            f" Behind a company network that inspects HTTPS, trust its CA: SSL_CERT_FILE (a PEM file) or"
            f" SSL_CERT_DIR, or {SYSTEM_CERTS_VARIABLE}=1 for the operating system's store; and name its proxy in"
            " HTTPS_PROXY",
            method=method, url=safe_url(url),
        )  # fmt: skip

    def _proxy(self, exc: httpx.ProxyError, method: str, url: str) -> ProxyError:
        """A proxy's refusal (a CONNECT answered 407, 403, ...), naming the proxy without its credentials."""
        text = self._text(exc)
        status = re.match(r"\d{3}\b", text)
        code = int(status.group()) if status else None
        where = "the proxy" if self.proxy is None else f"the proxy {self.proxy}"
        source = "the proxy URL" if self.proxy is None else self.proxy.source
        hint = {
            407: f": it wants a user name and password, or another one (user:password@ in {source})",
            403: ": its policy does not let this client reach this host",
        }.get(code or 0, "")
        return ProxyError(f"{where} refused: {text}{hint}", proxy_status=code, method=method, url=safe_url(url))

    def _text(self, exc: BaseException) -> str:
        try:
            text = str(exc)
        except Exception:
            text = ""
        return self.redact(text or type(exc).__name__)[:300]

    def _through(self) -> str:
        return "" if self.proxy is None else f" (through the proxy {self.proxy})"


def _verification_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate verification failure behind ``exc``, if that is what it is (httpx and httpcore raise it as
    a ``ConnectError`` caused by the ``ssl`` module's error)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
