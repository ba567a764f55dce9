"""Typed clients for vendor invoice APIs.

Applications import this package only; the generated packages are its engine.
Each vendor is a folder under ``invoice_clients/vendors/``, registered in
:mod:`invoice_clients.vendors` (see the README's "Adding a vendor").

    >>> from invoice_clients import GcoreBilling, Versori
    >>> gcore_invoices = list(GcoreBilling().invoices.list(currency="EUR"))
    >>> versori_invoices = Versori().invoices.list("org_123")

Both return the same frozen :class:`Invoice` with :class:`Money` amounts, and
raise the same exception hierarchy (:class:`InvoiceClientsError` and below).
``invoice_clients.testing`` has a sandbox server implementing both APIs.
"""

from __future__ import annotations

from ._cursor import AsyncCursorPager, CursorPage, CursorPager
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
from ._models import Invoice, InvoiceKind, LineItem, PaymentState
from ._money import Money
from ._pagination import AsyncPager, InvoicePage, SyncPager
from ._retry import RetryPolicy
from ._version import __version__
from .vendors import Vendor
from .vendors.gcore import AsyncGcoreBilling, GcoreBilling
from .vendors.versori import AsyncVersori, Versori

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncCursorPager",
    "AsyncGcoreBilling",
    "AsyncPager",
    "AsyncVersori",
    "AuthenticationError",
    "BadRequestError",
    "CredentialsError",
    "CursorPage",
    "CursorPager",
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
