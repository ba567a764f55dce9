"""Gcore's requests: the list operation's filters, checked and sent, and the other operations' requests.

Requests are built by the generated ``gcore_billing_client`` api modules
(``_get_kwargs``), with one correction: ``ordering`` is a ``style: form,
explode: false`` array, which the generator sends as repeated parameters; the
spec (and Django REST framework behind it) wants one comma-joined value, so it
is joined here.  Bodies are read by :mod:`.decoder`.  Nothing here does I/O, so
the sync and async clients share all of it.
"""

from __future__ import annotations

import datetime
import re
import reprlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, get_args

from ..._exceptions import InvalidArgumentError
from ..._generated.gcore_billing_client.api.erp_invoices import (
    v1_erp_invoices_download_retrieve,
    v1_erp_invoices_list,
    v1_erp_invoices_retrieve,
)
from ..._generated.gcore_billing_client.models import (
    V1ErpInvoicesListMoveType,
    V1ErpInvoicesListOrderingItem,
    V1ErpInvoicesListPaymentState,
)
from ..._http.sender import RequestSpec
from ..._model.invoice import PaymentState
from .._registry import CliOption

__all__ = [
    "CLI_LABELS",
    "FILTERS",
    "MAX_ID",
    "MAX_PAGE_SIZE",
    "SANDBOX_PREFIX",
    "Filter",
    "GcoreFilters",
    "MoveType",
    "OrderingField",
    "PaymentStateFilter",
    "download_request",
    "get_request",
]

MAX_PAGE_SIZE = 100
SANDBOX_PREFIX = "/billing/org/v1/erp-invoices"
"""The list operation's path: the sandbox routes requests under it to Gcore."""
OrderingField = Literal[
    "id", "-id", "invoice_date", "-invoice_date", "amount_total", "-amount_total",
    "created_at", "-created_at", "name", "-name",
]  # fmt: skip
MoveType = Literal["out_invoice", "out_refund"]
PaymentStateFilter = Literal["not_paid", "in_payment", "paid", "partial", "reversed"]


def _check_date(name: str, value: datetime.date | None) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        # A datetime is a date to the type checker; refused here rather than silently truncated.
        raise InvalidArgumentError(f"{name} must be a date, not a datetime: pass its .date()")
    if not isinstance(value, datetime.date):
        raise InvalidArgumentError(f"{name} must be a datetime.date, got {type(value).__name__}")
    return value


MAX_ID = 2**63 - 1
"""Ids the spec leaves unbounded (invoice and payer ids) are held to a signed 64-bit range: the database's."""


def _check_range(first: str, start: datetime.date | None, last: str, end: datetime.date | None) -> None:
    if start is not None and end is not None and start > end:
        raise InvalidArgumentError(f"{first} {start} is after {last} {end}: the range is empty")


def _check_currency(name: str, currency: str | None) -> str | None:
    """An ISO 4217 code in any case, normalised to upper case (``eur`` -> ``EUR``); anything else is refused."""
    if currency is None:
        return None
    code = currency.strip().upper() if isinstance(currency, str) else ""
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise InvalidArgumentError(f"{name} must be an ISO 4217 code such as 'EUR', got {currency!r}")
    import iso4217  # here: its data loads on first use, not at ``import invoice_clients``

    try:
        iso4217.Currency(code)
    except ValueError:
        raise InvalidArgumentError(f"{name} {currency!r} is not an ISO 4217 currency code") from None
    return code


def _id_check(low: int, high: int) -> Callable[[str, Any], int | None]:
    """The check of an id filter held to ``[low, high]``."""

    def check(name: str, value: int | None) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidArgumentError(f"{name} must be an int, got {type(value).__name__}")
        if not low <= value <= high:  # compared, never printed: str() of a 5,000-digit int raises
            raise InvalidArgumentError(f"{name} must be between {low} and {high}")
        return value

    return check


def _ordering(
    ordering: str | Sequence[str] | None, label: str = "ordering"
) -> tuple[V1ErpInvoicesListOrderingItem, ...]:
    """Fields checked here, at run time, in our words: a caller's ``list[str]`` is as welcome as a literal."""
    fields = ordering.split(",") if isinstance(ordering, str) else list(ordering or ())
    known = {item.value: item for item in V1ErpInvoicesListOrderingItem}
    items = []
    for field in fields:
        name = field.strip() if isinstance(field, str) else field
        if name == "":
            continue
        if name not in known:
            allowed = ", ".join(get_args(OrderingField))
            raise InvalidArgumentError(f"unknown {label} field {name!r}; allowed: {allowed}")
        items.append(known[name])
    # A total order is what makes offset paging stable: break ties by id.
    if not {V1ErpInvoicesListOrderingItem.ID, V1ErpInvoicesListOrderingItem("-id")} & set(items):
        items.append(V1ErpInvoicesListOrderingItem.ID)
    return tuple(items)


@dataclass(frozen=True, slots=True)
class Filter:
    """One filter of the list operation, declared once: the facade's keyword and check, the generated
    ``_get_kwargs`` keyword, the query parameter and what it keeps (the sandbox's semantics), the CLI option."""

    name: str
    """The keyword of ``invoices.list``."""
    generated: str
    """The keyword of the generated ``v1_erp_invoices_list._get_kwargs``."""
    query: str
    """The query parameter on the wire."""
    field: str
    """The invoice field it bounds or matches."""
    op: Literal["ge", "le", "eq"]
    check: Callable[[str, Any], Any]
    """``(name, value) -> the value to send``, or :class:`InvalidArgumentError` naming the value ``name`` (the
    keyword, or the command line's option)."""
    cli: CliOption


def _check_enum(enum: type[StrEnum]) -> Callable[[str, Any], Any]:
    def check(name: str, value: Any) -> Any:
        try:
            return enum(value)
        except ValueError as exc:
            raise InvalidArgumentError(str(exc)) from None

    return check


def _date_filter(name: str, generated: str, query: str, field: str, op: Literal["ge", "le"], cli: CliOption) -> Filter:
    return Filter(name, generated, query, field, op, _check_date, cli)


_DATE_HELP = "YYYY-MM-DD"
_FROM_HELP = "First day, inclusive (Gcore: of the invoice date; Versori: of the billing period's start)."
FILTERS: tuple[Filter, ...] = (
    _date_filter("invoice_date_from", "invoice_date_from", "invoice_date__from", "invoice_date", "ge",
                 CliOption("start", "--from", _FROM_HELP, "date", _DATE_HELP)),
    _date_filter("invoice_date_to", "invoice_date_to", "invoice_date__to", "invoice_date", "le",
                 CliOption("end", "--to", "Last day, inclusive.", "date", _DATE_HELP)),
    _date_filter("billing_period_from", "billing_period_from_from", "billing_period_from__from",
                 "billing_period_from", "ge",
                 CliOption("billing_period_from", "--billing-period-from", "Gcore: billing period starts on/after.",
                           "date", _DATE_HELP)),
    _date_filter("billing_period_to", "billing_period_to_to", "billing_period_to__to", "billing_period_to", "le",
                 CliOption("billing_period_to", "--billing-period-to", "Gcore: billing period ends on/before.", "date",
                           _DATE_HELP)),
    Filter("currency", "currency", "currency", "currency", "eq", _check_currency,
           CliOption("currency", "--currency", "Gcore: ISO 4217 currency code, e.g. EUR (any case).", "str", "CODE",
                     repeat=True)),
    Filter("move_type", "move_type", "move_type", "move_type", "eq", _check_enum(V1ErpInvoicesListMoveType),
           CliOption("move_type", "--move-type", "Gcore: invoices or credit notes.", "choice",
                     choices=tuple(item.value for item in V1ErpInvoicesListMoveType))),
    Filter("payment_state", "payment_state", "payment_state", "payment_state", "eq",
           _check_enum(V1ErpInvoicesListPaymentState),
           CliOption("payment_state", "--payment-state", "Gcore: payment state.", "choice",
                     choices=tuple(state.value for state in PaymentState), repeat=True)),
    Filter("client_id", "client_id", "client_id", "client_id", "eq", _id_check(-(2**31), 2**31 - 1),  # int32
           CliOption("client_id", "--client-id", "Gcore: client id.", "int", "ID", repeat=True)),
    Filter("payer_id", "payer_id", "payer_id", "payer_id", "eq", _id_check(-MAX_ID - 1, MAX_ID),
           CliOption("payer_id", "--payer-id", "Gcore: payer id.", "int", "ID", repeat=True)),
)  # fmt: skip
"""The nine filters of the list operation (``ordering`` aside): the one statement of them."""
RANGES = (("invoice_date_from", "invoice_date_to"), ("billing_period_from", "billing_period_to"))
"""Pairs of filters whose first must not be after the second."""
ORDERING_OPTION = CliOption(
    "ordering", "--ordering", "Gcore: comma-separated fields, '-' for descending, e.g. -invoice_date.", "str", "FIELDS"
)
CLI_LABELS = {**{spec.name: spec.cli.flag for spec in FILTERS}, "ordering": ORDERING_OPTION.flag}
"""Each keyword of ``list`` by the command line's option for it, which the command line's errors name."""


@dataclass(frozen=True, slots=True)
class GcoreFilters:
    """Validated filters of the list operation (by :data:`FILTERS` name); see ``GcoreInvoices.list``."""

    values: Mapping[str, Any]
    """The checked value of each filter given (``None`` ones left out)."""
    ordering: tuple[V1ErpInvoicesListOrderingItem, ...] = (V1ErpInvoicesListOrderingItem.ID,)

    @classmethod
    def build(cls, arguments: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> GcoreFilters:
        """Check every filter in ``arguments`` (keywords of ``list``, others ignored) before anything is sent.

        A refusal names the keyword, or its entry in ``labels`` (the command line passes its options:
        ``--from`` for ``invoice_date_from``).
        """
        label = (lambda name: name) if labels is None else (lambda name: labels.get(name, name))
        values = {}
        for spec in FILTERS:
            value = arguments.get(spec.name)
            if value is not None:
                values[spec.name] = spec.check(label(spec.name), value)
        for first, last in RANGES:
            _check_range(label(first), values.get(first), label(last), values.get(last))
        return cls(values=values, ordering=_ordering(arguments.get("ordering"), label("ordering")))

    def page_request(self, *, offset: int, limit: int) -> RequestSpec:
        """The request for one page, with ``ordering`` comma-joined as the spec demands."""
        set_filters = {spec.generated: self.values[spec.name] for spec in FILTERS if spec.name in self.values}
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


_CANONICAL_ID = re.compile(r"[1-9][0-9]{0,18}")  # ASCII digits, no sign, no leading zero, at most 19 digits


def _invoice_id(invoice_id: int | str) -> int:
    """An invoice id as the int the path needs: an ``int`` or a canonical ASCII-digit string in 1..2**63-1.

    ``str.isdigit`` accepts ``"²"`` and Arabic-Indic digits, and ``int`` accepts
    ``" 1"`` and ``"+1"``: none of those is an id a user meant, so they are refused.
    """
    if isinstance(invoice_id, str):
        if _CANONICAL_ID.fullmatch(invoice_id) is None:
            raise InvalidArgumentError(
                f"a Gcore invoice id is a positive int or a string of ASCII digits, got {reprlib.repr(invoice_id)}"
            )
        invoice_id = int(invoice_id)
    elif isinstance(invoice_id, bool) or not isinstance(invoice_id, int):
        raise InvalidArgumentError(f"a Gcore invoice id is an int, got {type(invoice_id).__name__}")
    if not 1 <= invoice_id <= MAX_ID:
        raise InvalidArgumentError(f"a Gcore invoice id is between 1 and {MAX_ID}")
    return invoice_id
