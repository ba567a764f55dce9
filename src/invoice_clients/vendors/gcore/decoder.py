"""Gcore's one decoder: a body into :class:`Invoice` objects (and an :class:`InvoicePage`).

msgspec decodes a body into the Structs of :mod:`.schema`, checking what they declare; the string patterns
(amounts, currency, date-times) are checked by one expression per invoice as it is converted.  The generated
models behind ``.raw`` are built from the body on first read (:class:`PageModels`, :class:`InvoiceModel`).
Nothing here does I/O, so the sync and async clients share all of it.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import repeat
from typing import Any, cast

from ..._exceptions import RequestDetails
from ..._generated.gcore_billing_client.models import ErpInvoiceExternal, PaginatedErpInvoiceExternalList
from ..._model.decoding import JOIN, BrokenRule, Decoder, DeferredModel, ModelSource, StringRules, show, value_at
from ..._model.invoice import Invoice, InvoiceKind, PaymentState, trusted_invoice
from ..._model.money import trusted_money
from ..._paging.pagination import InvoicePage
from .._vendor_names import Vendor
from . import schema

__all__ = ["INVOICE", "KINDS", "PAGE", "InvoiceModel", "PageModels", "invoice_from_wire", "parse_invoice", "parse_page"]

KINDS = {"out_invoice": InvoiceKind.INVOICE, "out_refund": InvoiceKind.CREDIT_NOTE}
_PAYMENT_STATES = {state.value: state for state in PaymentState}
_RULES = StringRules(schema.ErpInvoiceExternal)
_values, _fits = _RULES.values, _RULES.fits
_GCORE = Vendor.GCORE


def invoice_from_wire(wire: schema.ErpInvoiceExternal, raw: object) -> Invoice:
    """One decoded invoice -> :class:`Invoice` whose ``raw`` is ``raw`` (a generated model, or a deferred one).

    Raises :class:`BrokenRule` for a string that breaks its pattern; msgspec checked the rest, so an amount
    is a decimal string ``Decimal`` reads exactly.
    """
    if _fits(JOIN(_values(wire))) is None:
        raise _RULES.broken(wire)
    currency = wire.currency
    move_type = wire.move_type
    payment_state = wire.payment_state
    return trusted_invoice(
        _GCORE,
        str(wire.id),
        wire.name,
        KINDS.get(move_type, move_type),
        currency,
        wire.invoice_date,
        wire.invoice_date_due,
        wire.billing_period_from,
        wire.billing_period_to,
        trusted_money(Decimal(wire.amount_untaxed), currency),
        trusted_money(Decimal(wire.amount_tax), currency),
        trusted_money(Decimal(wire.amount_total), currency),
        _PAYMENT_STATES.get(payment_state, payment_state),
        None,
        (),
        raw,
        str(wire.client_id),
        str(wire.payer_id),
    )


def _label(invoice: Any) -> str | None:
    """What a message calls an invoice of the body: by its id, else by its number."""
    if type(invoice) is dict:
        if type(invoice.get("id")) is int:
            return f"invoice id {show(invoice['id'])}"
        if type(invoice.get("name")) is str:
            return f"invoice {show(invoice['name'])}"
    return None


PAGE: Decoder[schema.PaginatedErpInvoiceExternalList] = Decoder(
    schema.PaginatedErpInvoiceExternalList,
    "page",
    lambda data, path: _label(value_at(data, path[:2])) if path[:1] == ("results",) and len(path) > 1 else None,
)
INVOICE: Decoder[schema.ErpInvoiceExternal] = Decoder(
    schema.ErpInvoiceExternal, "invoice", lambda data, _: _label(data)
)


class PageModels(ModelSource):
    """A list response's generated models: the page (key ``None``), whose results are the invoices' (key: the
    invoice's index)."""

    __slots__ = ()

    def build(self, key: object) -> object:
        data = self.data()
        if key is None:
            page = PaginatedErpInvoiceExternalList.from_dict({**data, "results": []})
            page.results = [cast(ErpInvoiceExternal, self.model(index)) for index in range(len(data["results"]))]
            return page
        return ErpInvoiceExternal.from_dict(data["results"][key])

    def place(self, key: object) -> str:
        return "page" if key is None else f"page.results[{key}]"


class InvoiceModel(ModelSource):
    """A retrieve response's generated model."""

    __slots__ = ()

    def build(self, key: object) -> object:
        return ErpInvoiceExternal.from_dict(self.data())

    def place(self, key: object) -> str:
        return "invoice"


def parse_page(body: bytes, request: RequestDetails, offset: int, limit: int) -> InvoicePage:
    """A list response's bytes -> its page (``offset`` and ``limit``: what was asked for); a misfit is a
    ``ValueError`` naming the place and the invoice."""
    page = PAGE.decode(body)
    results = page.results
    source = PageModels(body, request)
    try:
        invoices = tuple(map(invoice_from_wire, results, map(DeferredModel, repeat(source), range(len(results)))))
    except BrokenRule as broken:
        raise PAGE.broken(body, ("results", broken.index_in(results)), broken) from None
    return InvoicePage(
        invoices=invoices,
        offset=offset,
        limit=limit,
        count=page.count if page.count >= 0 else None,
        received=len(results),
        next_link=isinstance(page.next, str),
        raw=DeferredModel(source),
    )


def parse_invoice(body: bytes, request: RequestDetails) -> Invoice:
    """A retrieve response's bytes -> the invoice; a misfit is a ``ValueError`` naming the place."""
    wire = INVOICE.decode(body)
    try:
        return invoice_from_wire(wire, DeferredModel(InvoiceModel(body, request)))
    except BrokenRule as broken:
        raise INVOICE.broken(body, (), broken) from None
