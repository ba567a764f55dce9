"""Gcore's one decoder: a body into :class:`Invoice` objects (and an :class:`InvoicePage`).

msgspec decodes a body into the Structs of :mod:`.schema`, checking what they declare; the string patterns
(amounts, currency, date-times) of all a body's invoices are checked by one expression, and then each is
converted.  The generated models behind ``.raw`` are built from the body on first read (:class:`PageModels`,
:class:`InvoiceModel`).  Nothing here does I/O, so the sync and async clients share all of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from itertools import repeat
from typing import Any, cast

from ..._exceptions import RequestDetails
from ..._generated.gcore_billing_client.models import ErpInvoiceExternal, PaginatedErpInvoiceExternalList
from ..._model.decoding import BrokenRule, Decoder, DeferredModel, ModelSource, StringRules, show, value_at
from ..._model.invoice import Invoice, InvoiceKind, PaymentState
from ..._model.money import Money
from ..._paging.pagination import InvoicePage
from .._vendor_names import Vendor
from . import schema

__all__ = [
    "INVOICE",
    "KINDS",
    "PAGE",
    "InvoiceModel",
    "PageModels",
    "invoices_from_wire",
    "parse_invoice",
    "parse_page",
]

KINDS = {"out_invoice": InvoiceKind.INVOICE, "out_refund": InvoiceKind.CREDIT_NOTE}
_PAYMENT_STATES = {state.value: state for state in PaymentState}
_RULES = StringRules(schema.ErpInvoiceExternal)
_GCORE = Vendor.GCORE


def invoices_from_wire(wires: list[schema.ErpInvoiceExternal], raws: Iterable[object]) -> tuple[Invoice, ...]:
    """Decoded invoices -> :class:`Invoice` objects, each with its ``raw`` (a generated model, or a deferred one).

    Raises :class:`BrokenRule` for the first string that breaks its pattern; msgspec checked the rest, so an
    amount is a decimal string ``Decimal`` reads exactly.  One comprehension, no call per invoice: this is
    most of what parsing a page costs (docs/maintainers/benchmarks.md).
    """
    _RULES.check_all(wires)
    return tuple(
        [
            Invoice(
                _GCORE,
                str(wire.id),
                wire.name,
                KINDS.get(wire.move_type, wire.move_type),
                wire.currency,
                wire.invoice_date,
                wire.invoice_date_due,
                wire.billing_period_from,
                wire.billing_period_to,
                Money(Decimal(wire.amount_untaxed), wire.currency),
                Money(Decimal(wire.amount_tax), wire.currency),
                Money(Decimal(wire.amount_total), wire.currency),
                _PAYMENT_STATES.get(wire.payment_state, wire.payment_state),
                None,
                (),
                raw,
                str(wire.client_id),
                str(wire.payer_id),
            )
            for wire, raw in zip(wires, raws, strict=True)
        ]
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
        invoices = invoices_from_wire(results, map(DeferredModel, repeat(source), range(len(results))))
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
        (invoice,) = invoices_from_wire([wire], [DeferredModel(InvoiceModel(body, request))])
    except BrokenRule as broken:
        raise INVOICE.broken(body, (), broken) from None
    return invoice
