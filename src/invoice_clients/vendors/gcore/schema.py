"""Gcore's response bodies as msgspec Structs: the one statement of them the facade decodes with.

Each Struct is named after its schema in ``generated/gcore-billing.effective.yaml`` and declares the properties the
facade reads, with their types, nulls, bounds and patterns; ``tests/vendors/test_wire_structs.py`` holds them
to it.  A property the spec adds later is skipped while decoding and kept by ``.raw``.
"""

from __future__ import annotations

import datetime

import msgspec

from ..._model.decoding import CurrencyCode, DateTimeString, DecimalString, Int32

__all__ = ["ErpInvoiceExternal", "PaginatedErpInvoiceExternalList"]


class ErpInvoiceExternal(msgspec.Struct, frozen=True, gc=False):
    """An invoice or credit note."""

    id: int
    name: str
    move_type: str
    currency: CurrencyCode
    invoice_date: datetime.date | None
    invoice_date_due: datetime.date | None
    billing_period_from: datetime.date | None
    billing_period_to: datetime.date | None
    amount_untaxed: DecimalString
    amount_tax: DecimalString
    amount_total: DecimalString
    payment_state: str
    client_id: Int32
    payer_id: int
    invoice_id: int | None
    created_at: DateTimeString
    updated_at: DateTimeString


class PaginatedErpInvoiceExternalList(msgspec.Struct, frozen=True, gc=False):
    """One page of a listing (``next`` and ``previous`` are read only as a claim that more rows exist)."""

    count: int
    results: list[ErpInvoiceExternal]
    next: str | msgspec.UnsetType | None = msgspec.UNSET
    previous: str | msgspec.UnsetType | None = msgspec.UNSET
