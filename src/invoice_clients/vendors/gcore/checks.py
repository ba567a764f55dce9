"""Gcore's response schemas as :mod:`invoice_clients._model.wire_checks` rules.

Held to the spec by the property tests.
"""

from __future__ import annotations

from ..._model.wire_checks import CURRENCY, DATE, DATE_TIME, DECIMAL, INT32, INTEGER, STRING, Schema, schema

__all__ = ["GCORE_INVOICE", "GCORE_PAGE"]

GCORE_INVOICE = schema(
    {
        "id": INTEGER,
        "name": STRING,
        "move_type": STRING,
        "currency": CURRENCY,
        "invoice_date": DATE.or_null(),
        "invoice_date_due": DATE.or_null(),
        "billing_period_from": DATE.or_null(),
        "billing_period_to": DATE.or_null(),
        "amount_untaxed": DECIMAL,
        "amount_tax": DECIMAL,
        "amount_total": DECIMAL,
        "payment_state": STRING,
        "client_id": INT32,
        "payer_id": INTEGER,
        "invoice_id": INTEGER.or_null(),
        "created_at": DATE_TIME,
        "updated_at": DATE_TIME,
    }
)
"""``ErpInvoiceExternal``."""

GCORE_PAGE = schema(
    {
        "count": INTEGER,
        "next": STRING.or_null(),
        "previous": STRING.or_null(),
        "results": Schema(items=GCORE_INVOICE),
    },
    optional=("next", "previous"),
)
"""``PaginatedErpInvoiceExternalList``."""
