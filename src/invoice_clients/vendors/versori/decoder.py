"""Versori's one decoder: a GetInvoices body into :class:`Invoice` objects.

msgspec decodes a body into the Structs of :mod:`.schema`, checking what they declare; a currency code's
pattern and the minor units a currency has (``iso4217``) are checked as each amount is converted.  The
generated models behind ``.raw`` are built from the body on first read (:class:`InvoiceModels`).  No I/O
here: the sync and async clients share it.
"""

from __future__ import annotations

import posixpath
from typing import Any, cast
from urllib.parse import urlsplit

import msgspec

from ..._exceptions import RequestDetails
from ..._generated.versori_organisations_client.models import Invoice as VersoriInvoice
from ..._model.decoding import BrokenRule, Decoder, DeferredModel, ModelSource, Path, StringRules, show, value_at
from ..._model.invoice import Invoice, InvoiceKind, LineItem
from ..._model.money import Money
from .._vendor_names import Vendor
from . import schema

__all__ = ["INVOICES", "InvoiceModels", "parse_invoices"]


def _id_from_url(url: str) -> str:
    """An invoice's id: its document's file name without the extension (Versori invoices have no id)."""
    return posixpath.basename(urlsplit(url).path).rsplit(".", 1)[0] or url


_MONEY_RULES = StringRules(schema.MonetaryValue)


def _label(data: Any, path: Path) -> str | None:
    """What a message calls the invoice at ``path``: by its document's name (its id)."""
    invoice = value_at(data, path[:1])
    if path and type(invoice) is dict and type(invoice.get("invoiceURL")) is str:
        return f"invoice {show(_id_from_url(invoice['invoiceURL']))}"
    return None


INVOICES: Decoder[list[schema.Invoice]] = Decoder(list[schema.Invoice], "body", _label)


class InvoiceModels(ModelSource):
    """A GetInvoices response's generated models: each invoice (key: its index) and each of its product lines
    (key: the invoice's index and the line's)."""

    __slots__ = ()

    def build(self, key: object) -> object:
        if isinstance(key, tuple):
            invoice, line = key
            return cast(VersoriInvoice, self.model(invoice)).product_breakdowns[line]  # type: ignore[index]
        return VersoriInvoice.from_dict(self.data()[key])

    def place(self, key: object) -> str:
        return f"body[{key[0]}].productBreakdowns[{key[1]}]" if isinstance(key, tuple) else f"body[{key}]"


def _money(value: schema.MonetaryValue, body: bytes, path: Path) -> Money:
    """A decoded ``MonetaryValue`` at ``path`` -> :class:`Money`: a misfit if its currency code breaks the pattern,
    or if ``fractional`` is not a count of the currency's minor units (GBP 12/150; a currency without ISO 4217
    minor-unit data carries 0 only)."""
    try:
        _MONEY_RULES.check(value)
    except BrokenRule as broken:
        raise INVOICES.broken(body, path, broken) from None
    try:
        return Money.from_minor_units(
            integral=value.integral,
            fractional=value.fractional,
            currency=value.currency_code,
            negative=value.is_negative,
        )
    except ValueError as exc:  # the refusal from_minor_units documents
        raise INVOICES.misfit(body, path, problem=f"is no amount of {value.currency_code}: {exc}") from None


def parse_invoices(body: bytes, request: RequestDetails, organisation_id: str | None = None) -> list[Invoice]:
    """A GetInvoices response's bytes -> its invoices (of ``organisation_id``, their client); a misfit is a
    ``ValueError`` naming the place and the invoice."""
    source = InvoiceModels(body, request)
    invoices = []
    for index, wire in enumerate(INVOICES.decode(body)):
        total = _money(wire.total_amount, body, (index, "totalAmount"))
        breakdowns = () if wire.product_breakdowns is msgspec.UNSET else wire.product_breakdowns
        items = tuple(
            LineItem(
                description=line.product_name,
                quantity=line.quantity,
                total=_money(line.total, body, (index, "productBreakdowns", number, "total")),
                raw=DeferredModel(source, (index, number)),
            )
            for number, line in enumerate(breakdowns)
        )
        invoices.append(
            Invoice(
                vendor=Vendor.VERSORI,
                id=_id_from_url(wire.invoice_url),
                number=None,
                kind=InvoiceKind.INVOICE,
                currency=total.currency,
                issue_date=None,
                due_date=None,
                period_start=wire.invoice_start_date,
                period_end=wire.invoice_end_date,
                subtotal=None,
                tax=None,
                total=total,
                payment_state=None,
                document_url=wire.invoice_url,
                line_items=items,
                raw=DeferredModel(source, index),
                client_id=organisation_id,
            )
        )
    return invoices
