"""The vendor-neutral invoice model every client returns.

One frozen :class:`Invoice` for every vendor, so application code does not care
where an invoice came from.  What a vendor does not provide is ``None`` (or an
empty tuple), never invented.  Vendor values the spec does not list (a new
payment state, a new move type) are kept as plain strings rather than raising:
``kind`` and ``payment_state`` are an enum member when the value is known and the
raw string otherwise.  ``raw`` is the generated model the invoice was parsed
from: the escape hatch for fields the facade does not surface.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from .lazy import make_lazy
from .money import Money

__all__ = ["UNPAID_STATES", "Invoice", "InvoiceKind", "LineItem", "PaymentState", "trusted_invoice"]


class InvoiceKind(StrEnum):
    """Invoice or credit note (a vendor maps its own names, e.g. ``out_invoice`` / ``out_refund``)."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class PaymentState(StrEnum):
    """The documented payment states (a test holds them to the generated enum); an undocumented one stays a ``str``."""

    NOT_PAID = "not_paid"
    IN_PAYMENT = "in_payment"
    PAID = "paid"
    PARTIAL = "partial"
    REVERSED = "reversed"


UNPAID_STATES: tuple[PaymentState, ...] = (PaymentState.NOT_PAID, PaymentState.PARTIAL, PaymentState.IN_PAYMENT)
"""Every state of an invoice not fully paid (the command line's ``--unpaid``): not paid at all, paid in part, and
a payment registered but not yet reconciled.  ``paid`` and ``reversed`` (a cancelled invoice, a credit note) are
the others."""


@dataclass(frozen=True, slots=True)
class LineItem:
    """One product line of an invoice."""

    description: str
    """The product (Versori's ``productName``)."""
    quantity: int
    """How many units were billed."""
    total: Money
    """The line's total."""
    raw: object = field(repr=False, compare=False)
    """The vendor's generated model of the line."""


@dataclass(frozen=True, slots=True)
class Invoice:
    """An invoice or credit note from either vendor.

    >>> for invoice in client.invoices.list(currency="EUR"):
    ...     print(invoice.number, invoice.total.amount, invoice.payment_state)
    """

    vendor: str
    """The registered vendor's name (a :class:`~invoice_clients.Vendor` member for the built-in ones)."""
    id: str
    """The vendor's id as a string, or what identifies the invoice where it has none (see the vendor's docs)."""
    number: str | None
    """The human invoice number (e.g. ``INV/2026/00042``), ``None`` where the vendor has none."""
    kind: InvoiceKind | str
    """Invoice or credit note; a vendor's value the package does not know stays a plain ``str``."""
    currency: str
    """The ISO 4217 code of every amount of the invoice."""
    issue_date: datetime.date | None
    """When it was issued (Gcore's ``invoice_date``; ``None`` for a draft, and for Versori)."""
    due_date: datetime.date | None
    """When payment is due (``None`` where the vendor does not say)."""
    period_start: datetime.date | None
    """The first day of the billing period."""
    period_end: datetime.date | None
    """The last day of the billing period."""
    subtotal: Money | None
    """Before tax (``None`` for Versori, which sends the total only)."""
    tax: Money | None
    """The tax (``None`` for Versori)."""
    total: Money
    """What is owed: negative for a credit note."""
    payment_state: PaymentState | str | None
    """Paid, not paid, ... (a new vendor value stays a plain ``str``; ``None`` for Versori)."""
    document_url: str | None
    """Where the vendor serves the PDF (Versori); ``None`` for Gcore, whose PDF is ``download_pdf``'s."""
    line_items: tuple[LineItem, ...]
    """The product lines (Versori's product breakdown; empty for Gcore)."""
    raw: object = field(repr=False, compare=False)
    """The vendor's generated model this invoice was parsed from."""
    client_id: str | None = None
    """Who the invoice bills, as a string: Gcore's ``client_id`` (the reseller's client), Versori's organisation
    id (the one listed); ``None`` where a vendor does not say."""
    payer_id: str | None = None
    """Who pays it, as a string: Gcore's ``payer_id``; ``None`` where a vendor does not say (Versori)."""


# The parsers build thousands of invoices from values they have already checked; the frozen dataclass's
# ``__init__`` (keyword binding, one ``object.__setattr__`` per field) is a third of the cost of parsing one.
# ``trusted_invoice`` fills an instance of ``_Unfrozen`` instead (a class with the same slots in the same order
# and no ``__setattr__`` of its own, so each store is the interpreter's plain slot store), then assigns its
# ``__class__``: Python allows that between classes whose layouts match, and the object is from then on an
# ordinary ``Invoice``, equal to one built by ``Invoice(...)``.  A quarter of the cost of ``Invoice(...)``.
# Adding, removing or reordering a field of ``Invoice`` fails here, at import, until ``trusted_invoice`` follows.
_FIELDS = (
    "vendor", "id", "number", "kind", "currency", "issue_date", "due_date", "period_start", "period_end",
    "subtotal", "tax", "total", "payment_state", "document_url", "line_items", "raw", "client_id", "payer_id",
)  # fmt: skip
if tuple(f.name for f in fields(Invoice)) != _FIELDS or Invoice.__slots__ != _FIELDS:
    raise ImportError("Invoice's fields changed: update _FIELDS and trusted_invoice in _models.py")
_Unfrozen = type("_Unfrozen", (), {"__slots__": _FIELDS, "__module__": __name__})
_new = object.__new__


def trusted_invoice(
    vendor: str,
    id: str,
    number: str | None,
    kind: InvoiceKind | str,
    currency: str,
    issue_date: datetime.date | None,
    due_date: datetime.date | None,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
    subtotal: Money | None,
    tax: Money | None,
    total: Money,
    payment_state: PaymentState | str | None,
    document_url: str | None,
    line_items: tuple[LineItem, ...],
    raw: object,
    client_id: str | None,
    payer_id: str | None,
) -> Invoice:
    """``Invoice(...)`` with the fields in declaration order, filled unfrozen and then made an ``Invoice``."""
    invoice: Any = _new(_Unfrozen)
    invoice.vendor = vendor
    invoice.id = id
    invoice.number = number
    invoice.kind = kind
    invoice.currency = currency
    invoice.issue_date = issue_date
    invoice.due_date = due_date
    invoice.period_start = period_start
    invoice.period_end = period_end
    invoice.subtotal = subtotal
    invoice.tax = tax
    invoice.total = total
    invoice.payment_state = payment_state
    invoice.document_url = document_url
    invoice.line_items = line_items
    invoice.raw = raw
    invoice.client_id = client_id
    invoice.payer_id = payer_id
    invoice.__class__ = Invoice
    return invoice  # type: ignore[no-any-return]


# ``raw`` may be stored deferred by the parsers and built on first read (see ._lazy).  This replaces only
# ``Invoice``'s descriptor: ``_Unfrozen``'s own writes the same slot, deferred value and all.
make_lazy(Invoice, "raw")
