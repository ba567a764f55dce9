"""Typed clients for vendor invoice APIs.

Applications import this package only; the generated packages are its engine.
Each vendor is a folder under ``invoice_clients/vendors/``, registered in
:mod:`invoice_clients.vendors` (see docs/maintainers/adding-a-vendor.md).

    >>> from invoice_clients import GcoreBilling, Versori
    >>> gcore_invoices = list(GcoreBilling().invoices.list(currency="EUR"))
    >>> versori_invoices = Versori().invoices.list("org_123")

Both return the same frozen :class:`Invoice` with :class:`Money` amounts, and
raise the same exception hierarchy (:class:`InvoiceClientsError` and below).
``invoice_clients.testing`` has a sandbox server implementing both APIs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    CertificateVerificationError,
    ClientClosedError,
    ConfigurationError,
    CredentialsError,
    CurrencyMismatchError,
    InconsistentListingError,
    InvalidArgumentError,
    InvoiceClientsError,
    LocalFileError,
    NotFoundError,
    PermissionDeniedError,
    ProxyError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    ServerError,
)
from ._http.retry import RetryPolicy
from ._model.invoice import UNPAID_STATES, Invoice, InvoiceKind, LineItem, PaymentState
from ._model.money import Money
from ._version import __version__
from .vendors import Vendor  # the registry and the vendors' names only: each vendor loads on first use

if TYPE_CHECKING:
    from ._paging.pagination import AsyncPager, InvoicePage, SyncPager
    from .vendors.gcore import AsyncGcoreBilling, GcoreBilling
    from .vendors.versori import AsyncVersori, Versori

# The clients (and the generated packages, attrs and httpx behind them) load on first use, so that
# ``import invoice_clients`` stays cheap (docs/maintainers/benchmarks.md: startup); ``from invoice_clients import
# GcoreBilling`` works as ever.
_LAZY = {
    "AsyncGcoreBilling": ".vendors.gcore",
    "GcoreBilling": ".vendors.gcore",
    "AsyncVersori": ".vendors.versori",
    "Versori": ".vendors.versori",
    "AsyncPager": "._paging.pagination",
    "InvoicePage": "._paging.pagination",
    "SyncPager": "._paging.pagination",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "UNPAID_STATES",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncGcoreBilling",
    "AsyncPager",
    "AsyncVersori",
    "AuthenticationError",
    "BadRequestError",
    "CertificateVerificationError",
    "ClientClosedError",
    "ConfigurationError",
    "CredentialsError",
    "CurrencyMismatchError",
    "GcoreBilling",
    "InconsistentListingError",
    "InvalidArgumentError",
    "Invoice",
    "InvoiceClientsError",
    "InvoiceKind",
    "InvoicePage",
    "LineItem",
    "LocalFileError",
    "Money",
    "NotFoundError",
    "PaymentState",
    "PermissionDeniedError",
    "ProxyError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "RetryPolicy",
    "ServerError",
    "SyncPager",
    "Vendor",
    "Versori",
    "__version__",
]
