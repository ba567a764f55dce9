"""The base URL a key may be sent to: HTTPS unless the host is this machine, and no user-info.

The key travels in a header on every request, so plain HTTP is refused except to loopback (a sandbox) unless the
caller explicitly allows it; user-info in a base URL is refused, since httpx would send it as Basic auth and log
it.  :func:`safe_url` is how every message shows a URL.
"""

from __future__ import annotations

import ipaddress

import httpx

from .._exceptions import InvalidArgumentError

__all__ = ["check_base_url", "is_loopback", "safe_url"]


def is_loopback(host: str) -> bool:
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
    if not isinstance(base_url, str):
        raise InvalidArgumentError(f"base_url must be a str, got {type(base_url).__name__}")
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        detail = "it may hold a password, so it is not shown" if "@" in base_url else str(exc)
        raise InvalidArgumentError(f"invalid base_url ({detail})") from None
    if url.userinfo:
        raise InvalidArgumentError(
            "base_url must not contain user-info (user:password@): httpx would send it as Basic auth;"
            " pass the key as api_key"
        )
    if url.scheme not in {"http", "https"} or not url.host:
        raise InvalidArgumentError(f"base_url must be an absolute http(s) URL, got {safe_url(url)!r}")
    if url.scheme == "http" and not allow_insecure_http and not is_loopback(url.host):
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
