"""Keeping the API key secret, and refusing to send it in clear text.

The key lives in an :class:`ApiKey` whose ``repr``/``str`` are redacted, so it
cannot leak through a client's ``repr``, a debugger or a traceback's locals.
It is only ever revealed to build the ``Authorization`` header of one request
(httpx redacts that header in its own reprs and logs no headers).  Anything
echoed back by a server is scrubbed with :func:`redact` before it reaches an
exception message.  Plain HTTP is refused except to loopback, unless the caller
explicitly allows it.
"""

from __future__ import annotations

import ipaddress
import os
from typing import NoReturn

import httpx

from ._exceptions import CredentialsError, InvalidArgumentError

__all__ = ["ApiKey", "check_base_url", "redact", "resolve_api_key", "safe_url"]

_REDACTED = "***"


class ApiKey:
    """An API key that never prints itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The key itself; call only to build a request header."""
        return self._value

    def __repr__(self) -> str:
        return f"ApiKey({_REDACTED})"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("ApiKey cannot be pickled")


def resolve_api_key(api_key: str | None, env_var: str) -> ApiKey:
    """The explicit key, else the environment variable's; neither is an :class:`InvalidArgumentError`."""
    value = api_key if api_key is not None else os.environ.get(env_var)
    if value is None or not value.strip():
        raise CredentialsError(f"no API key: pass api_key=... or set {env_var}")
    if any(ch in value for ch in "\r\n"):
        raise CredentialsError("the API key contains a line break")
    return ApiKey(value.strip())


def _is_loopback(host: str) -> bool:
    if host.lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str, *, allow_insecure_http: bool) -> httpx.URL:
    """Parse ``base_url``; plain HTTP to a non-loopback host is an :class:`InvalidArgumentError`.

    The key travels in a header on every request, so HTTPS is mandatory unless
    the host is this machine (a sandbox) or ``allow_insecure_http=True``.
    """
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise InvalidArgumentError(f"invalid base_url: {exc}") from None
    if url.scheme not in {"http", "https"} or not url.host:
        raise InvalidArgumentError(f"base_url must be an absolute http(s) URL, got {safe_url(url)!r}")
    if url.scheme == "http" and not allow_insecure_http and not _is_loopback(url.host):
        raise InvalidArgumentError(
            f"refusing to send the API key over plain HTTP to {url.host}: use https, "
            "or pass allow_insecure_http=True if you really mean it"
        )
    return url.copy_with(query=None, fragment=None)


def safe_url(url: httpx.URL | str) -> str:
    """``url`` without any user-info, for messages."""
    parsed = httpx.URL(url) if isinstance(url, str) else url
    if parsed.userinfo:
        parsed = parsed.copy_with(username=None, password=None)
    return str(parsed)


def redact(text: str, key: ApiKey) -> str:
    """``text`` with every occurrence of the key replaced by ``***``."""
    secret = key.reveal()
    return text.replace(secret, _REDACTED) if secret else text
