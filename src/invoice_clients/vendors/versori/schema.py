"""Versori's response bodies as msgspec Structs: the one statement of them the facade decodes with.

Each Struct is named after its schema in ``generated/versori-organisations.effective.yaml`` and declares its
properties by their wire names (``invoiceURL``), with their types, bounds and patterns;
``tests/vendors/test_wire_structs.py`` holds them to it.  A property the spec adds later is skipped while
decoding and kept by ``.raw``.
"""

from __future__ import annotations

import datetime

import msgspec
from msgspec import UNSET, UnsetType, field

from ..._model.decoding import CurrencyCode, NonNegative

__all__ = ["Invoice", "MonetaryValue", "ProductBreakdown"]


class MonetaryValue(msgspec.Struct, frozen=True, gc=False):
    """An amount as whole units and minor units (``fractional`` counts the currency's minor units)."""

    is_negative: bool = field(name="isNegative")
    currency_code: CurrencyCode = field(name="currencyCode")
    integral: NonNegative
    fractional: NonNegative


class ProductBreakdown(msgspec.Struct, frozen=True, gc=False):
    """One product line of an invoice."""

    product_name: str = field(name="productName")
    quantity: int
    total: MonetaryValue


class Invoice(msgspec.Struct, frozen=True, gc=False):
    """A billing invoice of an organisation."""

    invoice_start_date: datetime.date = field(name="invoiceStartDate")
    invoice_end_date: datetime.date = field(name="invoiceEndDate")
    total_amount: MonetaryValue = field(name="totalAmount")
    invoice_url: str = field(name="invoiceURL")
    product_breakdowns: list[ProductBreakdown] | UnsetType = field(name="productBreakdowns", default=UNSET)
    usage_statistics: dict[str, int] | UnsetType = field(name="usageStatistics", default=UNSET)
    meta_data: dict[str, msgspec.Raw] | UnsetType = field(name="metaData", default=UNSET)
    """Decoded as raw JSON: its values are any JSON (and never read as floats); ``.raw`` has them."""
