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
from enum import StrEnum
from typing import Any

import msgspec

from .lazy import make_lazy
from .money import Money

__all__ = ["UNPAID_STATES", "Invoice", "InvoiceKind", "LineItem", "PaymentState"]


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


def _values(value: Any) -> tuple[object, ...]:
    return tuple(getattr(value, name) for name in value.__struct_fields__ if name != "raw")


def _equal(self: Any, other: object) -> bool:
    if type(other) is not type(self):
        return NotImplemented  # type: ignore[no-any-return]  # typeshed has it as Any outside an __eq__
    return _values(self) == _values(other)


def _hash(self: Any) -> int:
    return hash(_values(self))


def _repr(self: Any) -> str:
    shown = (f"{name}={getattr(self, name)!r}" for name in self.__struct_fields__ if name != "raw")
    return f"{type(self).__name__}({', '.join(shown)})"


def _reduce(self: Any) -> tuple[Any, ...]:
    return type(self), tuple(getattr(self, name) for name in self.__struct_fields__)


# Invoice and LineItem compare, hash, show and pickle by every field but ``raw`` (the generated model is the
# vendor's record, not part of the value; pickling builds it first, as reading it does).  gc=False: what they
# hold (strings, dates, Money, the generated model) never refers back to them, so they are never part of a
# reference cycle, and a listing's invoices cost the garbage collector nothing.


class LineItem(msgspec.Struct, frozen=True, eq=False, gc=False):
    """One product line of an invoice."""

    __eq__, __hash__, __repr__, __reduce__ = _equal, _hash, _repr, _reduce

    description: str
    """The product (Versori's ``productName``)."""
    quantity: int
    """How many units were billed."""
    total: Money
    """The line's total."""
    raw: object
    """The vendor's generated model of the line."""


class Invoice(msgspec.Struct, frozen=True, eq=False, gc=False):
    """An invoice or credit note from either vendor: a frozen value (equal, hashable and shown by every field but
    ``raw``; picklable; ``msgspec.structs.replace`` makes a changed copy).

    >>> for invoice in client.invoices.list(currency="EUR"):
    ...     print(invoice.number, invoice.total.amount, invoice.payment_state)
    """

    __eq__, __hash__, __repr__, __reduce__ = _equal, _hash, _repr, _reduce

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
    raw: object
    """The vendor's generated model this invoice was parsed from (built on first read)."""
    client_id: str | None = None
    """Who the invoice bills, as a string: Gcore's ``client_id`` (the reseller's client), Versori's organisation
    id (the one listed); ``None`` where a vendor does not say."""
    payer_id: str | None = None
    """Who pays it, as a string: Gcore's ``payer_id``; ``None`` where a vendor does not say (Versori)."""


make_lazy(Invoice, "raw")  # a decoder may store a Deferred: the generated model is built on first read
make_lazy(LineItem, "raw")  # a Versori line's generated model, likewise
