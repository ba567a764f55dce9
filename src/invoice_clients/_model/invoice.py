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
from dataclasses import dataclass, field
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


# A decoder builds thousands of invoices from values it has already checked.  The frozen dataclass's ``__init__``
# binds keywords and stores each field through ``object.__setattr__`` (its own ``__setattr__`` refuses);
# ``trusted_invoice`` stores each one through its slot's own descriptor instead, which is where
# ``object.__setattr__`` ends, for a third of the cost.  ``raw`` may be stored deferred and built on first read
# (see .lazy): its slot is replaced by a LazySlot, whose ``store`` is the slot's own setter.
_RAW = make_lazy(Invoice, "raw")
_new = object.__new__


def _store(name: str) -> Any:
    """The setter of ``Invoice``'s slot ``name``, by name: a reordered field still gets its own value."""
    return _RAW.store if name == "raw" else vars(Invoice)[name].__set__


_vendor, _id, _number, _kind, _currency = map(_store, ("vendor", "id", "number", "kind", "currency"))
_issue_date, _due_date = map(_store, ("issue_date", "due_date"))
_period_start, _period_end = map(_store, ("period_start", "period_end"))
_subtotal, _tax, _total, _payment_state = map(_store, ("subtotal", "tax", "total", "payment_state"))
_document_url, _line_items, _raw = map(_store, ("document_url", "line_items", "raw"))
_client_id, _payer_id = map(_store, ("client_id", "payer_id"))


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
    """``Invoice(...)`` with every field given, in declaration order, unchecked (as ``Invoice(...)`` is)."""
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
    _client_id(invoice, client_id)
    _payer_id(invoice, payer_id)
    return invoice


make_lazy(LineItem, "raw")  # a Versori line's generated model, built on first read like the invoice's
