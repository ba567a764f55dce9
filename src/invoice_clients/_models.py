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

from ._lazy import make_lazy
from ._money import Money

__all__ = ["Invoice", "InvoiceKind", "LineItem", "PaymentState"]


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


@dataclass(frozen=True, slots=True)
class LineItem:
    """One product line of an invoice."""

    description: str
    quantity: int
    total: Money
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
    raw: object = field(repr=False, compare=False)
    """The vendor's generated model this invoice was parsed from."""


# The parsers build thousands of invoices from values they have already checked; the frozen dataclass's
# ``__init__`` (keyword binding, one ``object.__setattr__`` per field) is a third of the cost of parsing one.
# Setting the slots through their descriptors builds the same object in half the time.  Adding, removing or
# reordering a field of ``Invoice`` fails here, at import, until ``_trusted_invoice`` follows.
_FIELDS = (
    "vendor", "id", "number", "kind", "currency", "issue_date", "due_date", "period_start", "period_end",
    "subtotal", "tax", "total", "payment_state", "document_url", "line_items", "raw",
)  # fmt: skip
if tuple(f.name for f in fields(Invoice)) != _FIELDS:
    raise ImportError("Invoice's fields changed: update _FIELDS and _trusted_invoice in _models.py")
(
    _vendor, _id, _number, _kind, _currency, _issue_date, _due_date, _period_start, _period_end,
    _subtotal, _tax, _total, _payment_state, _document_url, _line_items, _raw,
) = (vars(Invoice)[name].__set__ for name in _FIELDS)  # fmt: skip
_new = object.__new__


def _trusted_invoice(
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
) -> Invoice:
    """``Invoice(...)`` with the fields in declaration order, set straight into the slots (equal objects)."""
    invoice: Invoice = _new(Invoice)
    _vendor(invoice, vendor)
    _id(invoice, id)
    _number(invoice, number)
    _kind(invoice, kind)
    _currency(invoice, currency)
    _issue_date(invoice, issue_date)
    _due_date(invoice, due_date)
    _period_start(invoice, period_start)
    _period_end(invoice, period_end)
    _subtotal(invoice, subtotal)
    _tax(invoice, tax)
    _total(invoice, total)
    _payment_state(invoice, payment_state)
    _document_url(invoice, document_url)
    _line_items(invoice, line_items)
    _raw(invoice, raw)
    return invoice


# ``raw`` may be stored deferred by the parsers and built on first read (see ._lazy); set after ``_raw`` above,
# which writes the slot itself.
make_lazy(Invoice, "raw")
