"""Versori's response schemas as :mod:`invoice_clients._model.wire_checks` rules.

Held to the spec by the property tests.
"""

from __future__ import annotations

from ..._model.wire_checks import ANY, BOOLEAN, CURRENCY, DATE, INTEGER, NON_NEGATIVE, STRING, Schema, schema

__all__ = ["VERSORI_INVOICES"]

_MONETARY_VALUE = schema(
    {"isNegative": BOOLEAN, "currencyCode": CURRENCY, "integral": NON_NEGATIVE, "fractional": NON_NEGATIVE}
)

_VERSORI_INVOICE = schema(
    {
        "invoiceStartDate": DATE,
        "invoiceEndDate": DATE,
        "totalAmount": _MONETARY_VALUE,
        "invoiceURL": STRING,
        "productBreakdowns": Schema(
            items=schema({"productName": STRING, "quantity": INTEGER, "total": _MONETARY_VALUE})
        ),
        "usageStatistics": Schema(values=INTEGER),
        "metaData": Schema(values=ANY),
    },
    optional=("productBreakdowns", "usageStatistics", "metaData"),
)

VERSORI_INVOICES = Schema(items=_VERSORI_INVOICE)
"""The ``GetInvoices`` body: an array of Versori ``Invoice``."""
