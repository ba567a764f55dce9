"""Which certificate authorities the clients' TLS trusts: the bundled ones, the company's, or the operating system's.

- By default, certifi's bundle, as httpx without arguments (``httpx.create_ssl_context``).
- ``SSL_CERT_FILE`` (a PEM file) and ``SSL_CERT_DIR`` (a directory of hashed certificates, as ``c_rehash``
  or ``openssl rehash`` make it), read as OpenSSL, curl and httpx read them, **instead of** the bundle: where a
  company's network inspects HTTPS, its CA is what signs every certificate a client sees.  Both may be set (both
  are loaded).  Read only with ``trust_env`` (as httpx).
- The operating system's store, through ``truststore`` (as pip does since 24.2): where IT installs the
  company's CA, and the only place some machines have it.  Switched on by ``system_certs=True``, or, under
  ``trust_env``, by ``INVOICE_CLIENTS_SYSTEM_CERTS=1`` (how the command line is told).  ``SSL_CERT_FILE``/
  ``SSL_CERT_DIR`` are then added to it.

Every file is checked when the client is built: a variable naming a file that is missing, unreadable or holds no
certificate is a :class:`~invoice_clients.ConfigurationError` naming the variable and the file, never a
``FileNotFoundError`` from the depths of ``ssl``, and never silently ignored (httpx before 0.28 ignored a
missing ``SSL_CERT_FILE``, falling back to certifi).
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx

from .._exceptions import ConfigurationError
from .._redaction import visible

__all__ = ["CA_VARIABLES", "SYSTEM_CERTS_VARIABLE", "system_certs_from_environment", "tls_context"]

SYSTEM_CERTS_VARIABLE = "INVOICE_CLIENTS_SYSTEM_CERTS"
CA_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR")
T = TypeVar("T")
_YES = frozenset({"1", "true", "yes", "on"})
_NO = frozenset({"0", "false", "no", "off", ""})


def system_certs_from_environment() -> bool:
    """Whether :data:`SYSTEM_CERTS_VARIABLE` asks for the operating system's store (unset: no)."""
    value = os.environ.get(SYSTEM_CERTS_VARIABLE, "").strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise ConfigurationError(
        f"{SYSTEM_CERTS_VARIABLE}={visible(value)[:40]!r} is not a switch: set it to 1 to trust the operating "
        "system's certificate store, or unset it"
    )


def _shown(path: str) -> str:
    return visible(path)[:300]


def _ca_locations() -> tuple[str | None, str | None]:
    """``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` (empty means unset), each checked to exist as its kind."""
    cafile = os.environ.get("SSL_CERT_FILE") or None
    capath = os.environ.get("SSL_CERT_DIR") or None
    if cafile is not None:
        path = Path(cafile)
        if path.is_dir():
            raise ConfigurationError(
                f"SSL_CERT_FILE={_shown(cafile)}: a directory, not a file (a directory of certificates goes in"
                " SSL_CERT_DIR)"
            )
        if not path.exists():
            raise ConfigurationError(
                f"SSL_CERT_FILE={_shown(cafile)}: no such file (it should name a PEM file of the CA certificates to"
                " trust; unset it to use the bundled ones)"
            )
    if capath is not None:
        path = Path(capath)
        if not path.is_dir():
            what = "not a directory" if path.exists() else "no such directory"
            raise ConfigurationError(
                f"SSL_CERT_DIR={_shown(capath)}: {what} (it should name a directory of hashed CA certificates;"
                " a single PEM file goes in SSL_CERT_FILE)"
            )
        if not os.access(capath, os.R_OK | os.X_OK):
            raise ConfigurationError(f"SSL_CERT_DIR={_shown(capath)}: permission denied (it cannot be read)")
    return cafile, capath


def _checked(make: Callable[[], T], cafile: str | None) -> T:
    """``make()``, whose loading of ``cafile`` failing is a :class:`ConfigurationError` naming it."""
    try:
        return make()
    except ssl.SSLError as exc:  # before OSError, which it is: the file was read, and holds no certificate
        detail = (exc.reason or "not PEM").lower().replace("_", " ")
        raise ConfigurationError(
            f"SSL_CERT_FILE={_shown(cafile or '')}: holds no usable PEM certificate ({detail}: it should hold"
            " '-----BEGIN CERTIFICATE-----' blocks)"
        ) from None
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise ConfigurationError(f"SSL_CERT_FILE={_shown(cafile or '')}: {reason} (it cannot be read)") from None


def tls_context(*, trust_env: bool, system_certs: bool) -> ssl.SSLContext:
    """A new client TLS context trusting what the module docstring says (costly to make: one per pool)."""
    cafile, capath = _ca_locations() if trust_env else (None, None)
    if system_certs:
        try:
            import truststore  # only when asked for: it loads the platform's verifier
        except ImportError as exc:  # an interpreter or platform truststore does not support
            raise ConfigurationError(
                f"{SYSTEM_CERTS_VARIABLE}=1 / system_certs=True: the operating system's certificate store cannot be"
                f" used here ({visible(str(exc))[:200]})"
            ) from None
        context: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if cafile is not None or capath is not None:  # added to the system's store
            _checked(lambda: context.load_verify_locations(cafile=cafile, capath=capath), cafile)
        return context
    if cafile is not None or capath is not None:  # as httpx: a default context with these CAs, and no others
        return _checked(lambda: ssl.create_default_context(cafile=cafile, capath=capath), cafile)
    return httpx.create_ssl_context(trust_env=False)
