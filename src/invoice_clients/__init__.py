"""Typed clients for vendor invoice APIs.

Applications import this package only; the generated packages
(``gcore_billing_client``, ``versori_organisations_client``) are its engine.

    >>> from invoice_clients import GcoreBilling, Versori
    >>> gcore_invoices = list(GcoreBilling().invoices.list(currency="EUR"))
    >>> versori_invoices = Versori().invoices.list("org_123")

Both return the same frozen :class:`Invoice` with :class:`Money` amounts, and
raise the same exception hierarchy (:class:`InvoiceClientsError` and below).
``invoice_clients.testing`` has a sandbox server implementing both APIs.
"""

from __future__ import annotations

from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    CredentialsError,
    InconsistentListingError,
    InvalidArgumentError,
    InvoiceClientsError,
    LocalFileError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    ServerError,
)
from ._models import Invoice, InvoiceKind, LineItem, PaymentState, Vendor
from ._money import Money
from ._pagination import AsyncPager, InvoicePage, SyncPager
from ._retry import RetryPolicy
from ._version import __version__
from .gcore import AsyncGcoreBilling, GcoreBilling
from .versori import AsyncVersori, Versori

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncGcoreBilling",
    "AsyncPager",
    "AsyncVersori",
    "AuthenticationError",
    "BadRequestError",
    "CredentialsError",
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
