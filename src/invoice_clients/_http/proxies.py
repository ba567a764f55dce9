"""Which proxy a client goes through: the one it is given (``proxy=``), else the environment's, read as httpx, curl
and pip read it.

Decided once, when a client is built, for its base URL: every request of a client goes to that origin (redirects
are never followed).

- ``proxy=`` (a URL, or an ``httpx.Proxy``) is used for every request, and the environment is not read: as httpx.
- Otherwise, unless ``trust_env=False``, the proxy variables, as the standard library reads them
  (``urllib.request.getproxies``: ``<scheme>_proxy`` in any case, lower case winning when both are set, an empty
  lower-case one unsetting the upper-case one; on macOS and Windows, when no variable is set, the system's
  proxy settings): ``https_proxy``/``HTTPS_PROXY`` for an ``https`` base URL, ``http_proxy``/``HTTP_PROXY``
  for ``http``, else ``all_proxy``/``ALL_PROXY``.
- ``NO_PROXY``/``no_proxy``: a comma-separated list of ``*`` (no proxy at all), host names (each matching itself
  and every name below it: ``corp.example``, ``.corp.example`` and ``*.corp.example`` all match
  ``corp.example`` and ``api.corp.example``, as curl reads them), IP addresses and networks (``10.0.0.0/8``, as
  curl and pip), each optionally with ``:port`` (only that port) or ``scheme://`` (only that scheme).
- Loopback (``localhost``, ``127.0.0.0/8``, ``::1``) never goes through the environment's proxy, as in Go's
  ``net/http``: the proxy's loopback is another machine's, and the sandbox must work where ``HTTP_PROXY`` is set.

A proxy URL is ``http://`` (``CONNECT host:port`` for HTTPS, so the proxy resolves the name; absolute-form
requests for plain HTTP) or ``https://`` (TLS to the proxy too, trusted as the origins are); without a scheme it
is ``http://``, as for curl and httpx.  Credentials in it (``http://user:password@proxy:3128``, percent-encoded)
are sent as Basic ``Proxy-Authorization`` and kept as secrets (:class:`.security.ApiKey`): the password, raw
or inside the header's base64, is scrubbed from every message and log record, and shown by no ``repr``.
``socks5://`` is refused (see docs/network.md: it would need another dependency, for a kind of proxy company
networks rarely run; an ``httpx.Client`` of your own with ``httpx[socks]`` reaches one).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import urllib.request
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from .._exceptions import ConfigurationError, InvalidArgumentError
from .._redaction import ApiKey, visible
from .security import is_loopback, safe_url

if TYPE_CHECKING:
    import ssl

    import httpcore

__all__ = ["PROXY_VARIABLES", "ProxyRoute", "explicit_proxy", "proxy_for"]

PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")
"""The variables, as the docs and ``--help`` name them (lower case works too)."""
_SCHEMES = ("http", "https")
_SOCKS = ("socks4", "socks4a", "socks5", "socks5h", "socks")
_SYSTEM = "the system's proxy settings"


@dataclass(frozen=True, slots=True)
class ProxyRoute:
    """A proxy to go through: where it is, where that came from, and its credentials (secrets)."""

    url: httpx.URL
    """The proxy's scheme, host and port: no credentials, no path."""
    source: str
    """Where it came from: ``HTTPS_PROXY`` (the variable's name, in the case it was set), ``proxy=``."""
    username: str = ""
    password: ApiKey | None = None
    """The password, redacted wherever it is printed."""
    userpass: ApiKey | None = None
    """``user:password``: what the header's base64 encodes, so that it is found in that form too."""
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    def __str__(self) -> str:
        return f"{safe_url(self.url)} from {self.source}"

    def scrub(self, text: str) -> str:
        """``text`` without the proxy's password, raw, escaped or inside base64."""
        for secret in (self.userpass, self.password):
            if secret is not None:
                text = secret.scrub(text)
        return text

    def core(self, ssl_context: ssl.SSLContext) -> httpcore.Proxy:
        """The ``httpcore.Proxy`` a connection pool takes (``ssl_context`` also for TLS to an https proxy)."""
        import httpcore  # here: importing the package imports no httpcore

        url = self.url
        auth = None if self.password is None and not self.username else (self.username, self._password())
        return httpcore.Proxy(
            url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=b"/"),
            auth=auth,
            headers=list(self.headers),
            ssl_context=ssl_context if url.scheme == "https" else None,
        )

    def _password(self) -> str:
        return "" if self.password is None else self.password.reveal()


def _route(value: str | httpx.URL, source: str, error: type[InvalidArgumentError], **extra: Any) -> ProxyRoute:
    """The proxy ``value`` names; anything unusable is an ``error`` naming ``source``, never the credentials."""
    text = str(value).strip()
    if "://" not in text:
        text = f"http://{text}"
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        detail = "the value is not shown: it may hold a password" if "@" in text else visible(str(exc))[:200]
        raise error(f"{source}: not a proxy URL ({detail})") from None
    shown = f"{source.removesuffix('=')}={safe_url(url.copy_with(query=None, fragment=None))}"
    if url.scheme in _SOCKS:
        raise error(
            f"{shown}: {url.scheme}:// proxies are not supported; name the company's HTTP proxy"
            " (http://host:port), or give the client an httpx client of your own (http_client=) made with httpx[socks]"
        )
    if url.scheme not in _SCHEMES or not url.host:
        raise error(f"{shown}: not an http:// or https:// proxy URL")
    plain = httpx.URL(scheme=url.scheme, host=url.host, port=url.port)
    return ProxyRoute(plain, source, **_secrets(url.username, url.password), **extra)


def _secrets(username: str, password: str) -> dict[str, Any]:
    """A route's credential fields for ``username`` and ``password`` (none when both are empty)."""
    if not (username or password):
        return {}
    return {
        "username": username,
        "password": ApiKey(password) if password else None,
        "userpass": ApiKey(f"{username}:{password}"),
    }


def explicit_proxy(proxy: str | httpx.URL | httpx.Proxy) -> ProxyRoute:
    """The route for a client's ``proxy=`` argument (an ``InvalidArgumentError`` when it cannot be used)."""
    if isinstance(proxy, httpx.Proxy):
        headers = tuple((name, value) for name, value in proxy.headers.items())
        route = _route(proxy.url, "proxy=", InvalidArgumentError, headers=headers)
        if proxy.auth is None:
            return route
        username, password = proxy.auth  # httpx.Proxy took the credentials out of its URL
        return dataclasses.replace(route, **_secrets(username, password))
    if not isinstance(proxy, str | httpx.URL):
        kind = type(proxy).__name__
        raise InvalidArgumentError(f"proxy must be a URL (str or httpx.URL) or an httpx.Proxy, got {kind}")
    return _route(proxy, "proxy=", InvalidArgumentError)


def proxy_for(url: httpx.URL, proxy: str | httpx.URL | httpx.Proxy | None, *, trust_env: bool) -> ProxyRoute | None:
    """The proxy requests to ``url`` go through (``None``: direct), by the rules of the module docstring."""
    if proxy is not None:
        return explicit_proxy(proxy)
    if not trust_env or is_loopback(url.host):
        return None
    found = urllib.request.getproxies()
    if _bypassed(url, found.get("no", "")):
        return None
    for scheme in (url.scheme, "all"):
        value = found.get(scheme, "").strip()
        if value:
            return _route(value, _variable(scheme, value), ConfigurationError)
    return None


def _variable(scheme: str, value: str) -> str:
    """The name of the variable ``value`` was read from, as it is spelt in the environment."""
    for name in os.environ:
        if name.lower() == f"{scheme}_proxy" and os.environ[name].strip() == value:
            return name
    return _SYSTEM


def _bypassed(url: httpx.URL, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` (its value ``no_proxy``) sends requests to ``url`` direct."""
    host = url.raw_host.decode("ascii").lower().rstrip(".")
    port = url.port or (443 if url.scheme == "https" else 80)
    for raw in no_proxy.split(","):
        entry = raw.strip().lower()
        if entry == "*":
            return True
        if "://" in entry:
            scheme, _, entry = entry.partition("://")
            if scheme != url.scheme:
                continue
        name, entry_port = _host_and_port(entry.rstrip("/"))
        if name and (entry_port is None or entry_port == port) and _matches(host, name):
            return True
    return False


def _host_and_port(entry: str) -> tuple[str, int | None]:
    """``host``, ``host:port``, ``[v6]:port``, a bare IPv6 address or a network, split."""
    if entry.startswith("["):
        name, _, rest = entry[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif entry.count(":") == 1:
        name, _, port = entry.partition(":")
    else:
        name, port = entry, ""
    return name, int(port) if port.isdigit() else None


def _matches(host: str, name: str) -> bool:
    try:
        network = ipaddress.ip_network(name, strict=False)
    except ValueError:
        name = name.removeprefix("*").strip(".")
        return bool(name) and (host == name or host.endswith(f".{name}"))
    try:
        return ipaddress.ip_address(host) in network
    except ValueError:  # a host name: no address of it is known here (the proxy may be the one that resolves it)
        return False
