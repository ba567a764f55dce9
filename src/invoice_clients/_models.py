"""The vendor-neutral invoice model every client returns.

One frozen :class:`Invoice` for both vendors, so application code does not care
where an invoice came from.  What a vendor does not provide is ``None`` (or an
empty tuple), never invented.  Vendor values the spec does not list (a new
payment state, a new move type) are kept as plain strings rather than raising:
``kind`` and ``payment_state`` are an enum member when the value is known and the
raw string otherwise.  ``raw`` is the generated model the invoice was parsed
from: the escape hatch for fields the facade does not surface.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from enum import StrEnum

from gcore_billing_client.models import ErpInvoiceExternal
from versori_organisations_client.models import Invoice as VersoriInvoice
from versori_organisations_client.models import ProductBreakdown

from ._money import Money

__all__ = ["Invoice", "InvoiceKind", "LineItem", "PaymentState", "Vendor"]


class Vendor(StrEnum):
    """Which API an invoice came from."""

    GCORE = "gcore"
    VERSORI = "versori"


class InvoiceKind(StrEnum):
    """Invoice or credit note (Gcore ``move_type`` ``out_invoice`` / ``out_refund``)."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class PaymentState(StrEnum):
    """Gcore's documented payment states; an undocumented one stays a ``str``."""

    NOT_PAID = "not_paid"
    IN_PAYMENT = "in_payment"
    PAID = "paid"
    PARTIAL = "partial"
    REVERSED = "reversed"


@dataclass(frozen=True, slots=True)
class LineItem:
    """One product line (Versori ``productBreakdowns``)."""

    description: str
    quantity: int
    total: Money
    raw: ProductBreakdown = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Invoice:
    """An invoice or credit note from either vendor.

    >>> for invoice in client.invoices.list(currency="EUR"):
    ...     print(invoice.number, invoice.total.amount, invoice.payment_state)
    """

    vendor: Vendor
    id: str
    """Gcore: the numeric id as a string.  Versori has no id: the document URL's last path segment."""
    number: str | None
    """The human invoice number (Gcore ``name``, e.g. ``INV/2026/00042``); Versori has none."""
    kind: InvoiceKind | str
    currency: str
    issue_date: datetime.date | None
    due_date: datetime.date | None
    period_start: datetime.date | None
    period_end: datetime.date | None
    subtotal: Money | None
    tax: Money | None
    total: Money
    payment_state: PaymentState | str | None
    document_url: str | None
    line_items: tuple[LineItem, ...]
    raw: ErpInvoiceExternal | VersoriInvoice = field(repr=False, compare=False)
