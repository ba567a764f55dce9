"""Gcore's wire format: filters into requests, bodies into :class:`Invoice` objects.

Requests are built by the generated ``gcore_billing_client`` api modules
(``_get_kwargs``), with one correction: ``ordering`` is a ``style: form,
explode: false`` array, which the generator sends as repeated parameters; the
spec (and Django REST framework behind it) wants one comma-joined value, so it
is joined here.  Bodies are parsed by the generated models, then converted.
Nothing here does I/O, so the sync and async clients share all of it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, cast

from gcore_billing_client.api.erp_invoices import (
    v1_erp_invoices_download_retrieve,
    v1_erp_invoices_list,
    v1_erp_invoices_retrieve,
)
from gcore_billing_client.models import (
    ErpInvoiceExternal,
    PaginatedErpInvoiceExternalList,
    V1ErpInvoicesListMoveType,
    V1ErpInvoicesListOrderingItem,
    V1ErpInvoicesListPaymentState,
)

from ._exceptions import InvalidArgumentError
from ._models import Invoice, InvoiceKind, PaymentState, Vendor
from ._money import Money
from ._transport import RequestSpec
from ._wire_checks import GCORE_INVOICE, GCORE_PAGE

__all__ = [
    "MAX_PAGE_SIZE",
    "GcoreFilters",
    "MoveType",
    "OrderingField",
    "PaymentStateFilter",
    "download_request",
    "get_request",
    "invoice_from_gcore",
    "parse_invoice",
    "parse_page",
]

MAX_PAGE_SIZE = 100
OrderingField = Literal[
    "id", "-id", "invoice_date", "-invoice_date", "amount_total", "-amount_total",
    "created_at", "-created_at", "name", "-name",
]  # fmt: skip
MoveType = Literal["out_invoice", "out_refund"]
PaymentStateFilter = Literal["not_paid", "in_payment", "paid", "partial", "reversed"]

_KINDS = {"out_invoice": InvoiceKind.INVOICE, "out_refund": InvoiceKind.CREDIT_NOTE}


def _check_date(name: str, value: datetime.date | None) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise InvalidArgumentError(f"{name} must be a datetime.date, got {type(value).__name__}")
    return value


def _check_id(name: str, value: int | None) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise InvalidArgumentError(f"{name} must be an int, got {type(value).__name__}")
    return value


def _ordering(ordering: str | Sequence[str] | None) -> tuple[V1ErpInvoicesListOrderingItem, ...]:
    fields = ordering.split(",") if isinstance(ordering, str) else list(ordering or ())
    try:
        items = [V1ErpInvoicesListOrderingItem(field.strip()) for field in fields if field.strip()]
    except ValueError as exc:
        allowed = ", ".join(item.value for item in V1ErpInvoicesListOrderingItem)
        raise InvalidArgumentError(f"unknown ordering field ({exc}); allowed: {allowed}") from None
    # A total order is what makes offset paging stable: break ties by id.
    if not {V1ErpInvoicesListOrderingItem.ID, V1ErpInvoicesListOrderingItem("-id")} & set(items):
        items.append(V1ErpInvoicesListOrderingItem.ID)
    return tuple(items)


@dataclass(frozen=True, slots=True)
class GcoreFilters:
    """Validated filters of the list operation; see ``GcoreInvoices.list`` for their meaning."""

    invoice_date_from: datetime.date | None = None
    invoice_date_to: datetime.date | None = None
    billing_period_from: datetime.date | None = None
    billing_period_to: datetime.date | None = None
    currency: str | None = None
    move_type: V1ErpInvoicesListMoveType | None = None
    payment_state: V1ErpInvoicesListPaymentState | None = None
    client_id: int | None = None
    payer_id: int | None = None
    ordering: tuple[V1ErpInvoicesListOrderingItem, ...] = (V1ErpInvoicesListOrderingItem.ID,)

    @classmethod
    def build(
        cls,
        *,
        invoice_date_from: datetime.date | None = None,
        invoice_date_to: datetime.date | None = None,
        billing_period_from: datetime.date | None = None,
        billing_period_to: datetime.date | None = None,
        currency: str | None = None,
        move_type: MoveType | None = None,
        payment_state: PaymentStateFilter | None = None,
        client_id: int | None = None,
        payer_id: int | None = None,
        ordering: str | Sequence[OrderingField] | None = None,
    ) -> GcoreFilters:
        """Check every argument before anything is sent; a bad one is an :class:`InvalidArgumentError`."""
        try:
            move = V1ErpInvoicesListMoveType(move_type) if move_type is not None else None
            state = V1ErpInvoicesListPaymentState(payment_state) if payment_state is not None else None
        except ValueError as exc:
            raise InvalidArgumentError(str(exc)) from None
        if currency is not None and (not isinstance(currency, str) or not currency.strip()):
            raise InvalidArgumentError("currency must be a non-empty string such as 'EUR'")
        return cls(
            invoice_date_from=_check_date("invoice_date_from", invoice_date_from),
            invoice_date_to=_check_date("invoice_date_to", invoice_date_to),
            billing_period_from=_check_date("billing_period_from", billing_period_from),
            billing_period_to=_check_date("billing_period_to", billing_period_to),
            currency=currency,
            move_type=move,
            payment_state=state,
            client_id=_check_id("client_id", client_id),
            payer_id=_check_id("payer_id", payer_id),
            ordering=_ordering(ordering),
        )

    def page_request(self, *, offset: int, limit: int) -> RequestSpec:
        """The request for one page, with ``ordering`` comma-joined as the spec demands."""

        filters: dict[str, Any] = {
            "billing_period_from_from": self.billing_period_from,
            "billing_period_to_to": self.billing_period_to,
            "client_id": self.client_id,
            "currency": self.currency,
            "invoice_date_from": self.invoice_date_from,
            "invoice_date_to": self.invoice_date_to,
            "move_type": self.move_type,
            "payer_id": self.payer_id,
            "payment_state": self.payment_state,
        }
        set_filters = {name: value for name, value in filters.items() if value is not None}
        kwargs = v1_erp_invoices_list._get_kwargs(limit=limit, offset=offset, **set_filters)
        kwargs["params"]["ordering"] = ",".join(item.value for item in self.ordering)
        return RequestSpec.from_generated(kwargs)


def get_request(invoice_id: int) -> RequestSpec:
    """The request for one invoice."""
    return RequestSpec.from_generated(v1_erp_invoices_retrieve._get_kwargs(_invoice_id(invoice_id)))


def download_request(invoice_id: int) -> RequestSpec:
    """The request for one invoice's PDF."""
    spec = v1_erp_invoices_download_retrieve._get_kwargs(_invoice_id(invoice_id))
    return RequestSpec.from_generated(spec, accept="application/pdf")


def _invoice_id(invoice_id: int | str) -> int:
    if isinstance(invoice_id, str) and invoice_id.isdigit():
        return int(invoice_id)
    if isinstance(invoice_id, bool) or not isinstance(invoice_id, int):
        raise InvalidArgumentError(f"a Gcore invoice id is an int, got {invoice_id!r}")
    return invoice_id


_PAYMENT_STATES = {state.value: state for state in PaymentState}


def invoice_from_gcore(raw: ErpInvoiceExternal) -> Invoice:
    """Convert one generated model built from a body that passed :data:`GCORE_INVOICE` (types already checked).

    The amounts matched the spec's decimal pattern, so ``Decimal`` reads them exactly and cannot fail.
    """
    currency = raw.currency
    return Invoice(
        vendor=Vendor.GCORE,
        id=str(raw.id),
        number=raw.name,
        kind=_KINDS.get(raw.move_type, raw.move_type),
        currency=currency,
        issue_date=raw.invoice_date,
        due_date=raw.invoice_date_due,
        period_start=raw.billing_period_from,
        period_end=raw.billing_period_to,
        subtotal=Money(Decimal(raw.amount_untaxed), currency),
        tax=Money(Decimal(raw.amount_tax), currency),
        total=Money(Decimal(raw.amount_total), currency),
        payment_state=_PAYMENT_STATES.get(raw.payment_state, raw.payment_state),
        document_url=None,
        line_items=(),
        raw=raw,
    )


def parse_page(data: object) -> tuple[PaginatedErpInvoiceExternalList, tuple[Invoice, ...]]:
    """A list response: the generated page model and its converted invoices."""
    GCORE_PAGE.check(data, "page")
    page = PaginatedErpInvoiceExternalList.from_dict(cast(dict[str, Any], data))
    if not isinstance(page.results, list):
        raise TypeError("results must be an array")
    return page, tuple(invoice_from_gcore(item) for item in page.results)


def parse_invoice(data: object) -> Invoice:
    """A retrieve response."""
    GCORE_INVOICE.check(data, "invoice")
    return invoice_from_gcore(ErpInvoiceExternal.from_dict(cast(dict[str, Any], data)))
