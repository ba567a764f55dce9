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
import re
import reprlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from operator import itemgetter
from typing import Any, Literal, cast, get_args

import attrs
import msgspec

from ..._exceptions import InvalidArgumentError
from ..._generated.gcore_billing_client.api.erp_invoices import (
    v1_erp_invoices_download_retrieve,
    v1_erp_invoices_list,
    v1_erp_invoices_retrieve,
)
from ..._generated.gcore_billing_client.models import (
    ErpInvoiceExternal,
    PaginatedErpInvoiceExternalList,
    V1ErpInvoicesListMoveType,
    V1ErpInvoicesListOrderingItem,
    V1ErpInvoicesListPaymentState,
)
from ..._generated.gcore_billing_client.types import UNSET
from ..._http.transport import RequestSpec
from ..._model.invoice import Invoice, InvoiceKind, PaymentState, trusted_invoice
from ..._model.lazy import Builder, is_deferred
from ..._model.money import Money, trusted_money
from ..._model.parsing import decode_json
from ..._model.wire_checks import CURRENCY, DATE_PATTERN, DATE_TIME_PATTERN, DECIMAL_PATTERN
from .._registry import CliOption
from .._vendor_names import Vendor
from .checks import GCORE_INVOICE, GCORE_PAGE

__all__ = [
    "CLI_LABELS",
    "FILTERS",
    "KINDS",
    "MAX_ID",
    "MAX_PAGE_SIZE",
    "SANDBOX_PREFIX",
    "WIRE_FIELDS",
    "Filter",
    "GcoreFilters",
    "MoveType",
    "OrderingField",
    "PaymentStateFilter",
    "download_request",
    "get_request",
    "invoice_from_gcore",
    "parse_invoice",
    "parse_invoice_body",
    "parse_page",
    "parse_page_body",
    "parse_page_lazily",
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

KINDS = {"out_invoice": InvoiceKind.INVOICE, "out_refund": InvoiceKind.CREDIT_NOTE}


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
           CliOption("currency", "--currency", "Gcore: ISO 4217 currency code, e.g. EUR (any case).", "str", "CODE")),
    Filter("move_type", "move_type", "move_type", "move_type", "eq", _check_enum(V1ErpInvoicesListMoveType),
           CliOption("move_type", "--move-type", "Gcore: invoices or credit notes.", "choice",
                     choices=tuple(item.value for item in V1ErpInvoicesListMoveType))),
    Filter("payment_state", "payment_state", "payment_state", "payment_state", "eq",
           _check_enum(V1ErpInvoicesListPaymentState),
           CliOption("payment_state", "--payment-state", "Gcore: payment state.", "choice",
                     choices=tuple(state.value for state in PaymentState), repeat=True)),
    Filter("client_id", "client_id", "client_id", "client_id", "eq", _id_check(-(2**31), 2**31 - 1),  # int32
           CliOption("client_id", "--client-id", "Gcore: client id.", "int", "ID")),
    Filter("payer_id", "payer_id", "payer_id", "payer_id", "eq", _id_check(-MAX_ID - 1, MAX_ID),
           CliOption("payer_id", "--payer-id", "Gcore: payer id.", "int", "ID")),
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
        kind=KINDS.get(raw.move_type, raw.move_type),
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
        client_id=str(raw.client_id),
        payer_id=str(raw.payer_id),
    )


def parse_page(data: object) -> tuple[PaginatedErpInvoiceExternalList, tuple[Invoice, ...]]:
    """A list response: the generated page model and its converted invoices."""
    raw, invoices = parse_page_lazily(data)
    if is_deferred(raw):
        raw = raw[0].build(*raw[1:])
    return cast(PaginatedErpInvoiceExternalList, raw), invoices


def parse_page_lazily(data: object) -> tuple[Any, tuple[Invoice, ...]]:
    """As :func:`parse_page`, but the page model may be deferred (see :mod:`invoice_clients._model.lazy`): a tuple
    ``(Builder, count, invoices, next, previous, extras)`` that :class:`InvoicePage` builds on first read
    of its ``raw``; the invoices' own ``raw`` models are deferred alike."""
    if type(data) is dict and data.keys() >= _PAGE_KEYS:
        count, results, next_, previous = data["count"], data["results"], data.get("next"), data.get("previous")
        if (
            type(count) is int
            and type(results) is list
            and (next_ is None or type(next_) is str)
            and (previous is None or type(previous) is str)
        ):
            try:
                invoices = tuple(map(_fast_invoice, results))
            except _FAST_MISSES:
                pass  # the general path below decides, and names the place that does not fit
            else:
                extras = None
                if len(data) != len(_PAGE_KEYS) + ("next" in data) + ("previous" in data):
                    extras = {k: v for k, v in data.items() if k not in _PAGE_FIELDS}
                next_ = next_ if "next" in data else UNSET
                previous = previous if "previous" in data else UNSET
                return (_PAGE_MODEL, count, invoices, next_, previous, extras), invoices
    GCORE_PAGE.check(data, "page")
    page = PaginatedErpInvoiceExternalList.from_dict(cast(dict[str, Any], data))
    if not isinstance(page.results, list):
        raise TypeError("results must be an array")
    return page, tuple(invoice_from_gcore(item) for item in page.results)


def parse_invoice(data: object) -> Invoice:
    """A retrieve response."""
    try:
        return _fast_invoice(data)
    except _FAST_MISSES:
        pass
    GCORE_INVOICE.check(data, "invoice")
    return invoice_from_gcore(ErpInvoiceExternal.from_dict(cast(dict[str, Any], data)))


# -- the fast path ----------------------------------------------------------------------------------------
#
# ``_fast_invoice`` does in one pass what the general path does in three (``GCORE_INVOICE.check``, the
# generated ``from_dict``, ``invoice_from_gcore``), for bodies that fit the spec: less than half the work per
# invoice (docs/maintainers/benchmarks.md).  It only has to be sound, not complete: whatever it
# cannot vouch for makes it raise, and the general path then either rejects the body with a precise message
# or, where the fast path was merely conservative, accepts it.  So the general path stays the one statement
# of the rules, and the fast path builds exactly what it would: ``tests/facade/test_gcore_fast_path.py``
# compares the two, and the property tests hold both to the spec.


class _NotFast(Exception):  # noqa: N818  (not an error: a detour)
    """Raised inside the fast path for anything it does not vouch for."""


_FAST_MISSES = (_NotFast, KeyError, TypeError, ValueError, AttributeError, ArithmeticError)
_PAGE_KEYS = frozenset({"count", "results"})
_PAGE_FIELDS = frozenset({"count", "results", "next", "previous"})
_CACHE_LIMIT = 4096  # distinct dates and currency codes remembered (each memo is cleared when full)


class _Memo(dict[str, Any]):
    """Strings already checked (and parsed): the invoices of a listing share a few dates and currencies."""

    def __init__(self, parse: Callable[[str], Any]) -> None:
        super().__init__()
        self._parse = parse

    def __missing__(self, value: str) -> Any:
        if type(value) is not str:
            raise _NotFast
        parsed = self._parse(value)
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        self[value] = parsed
        return parsed


def _parse_date(value: str) -> datetime.date:
    if DATE_PATTERN.fullmatch(value) is None:
        raise _NotFast
    return datetime.date.fromisoformat(value)  # an impossible date raises ValueError: not fast either


def _parse_currency(value: str) -> str:
    if not CURRENCY.accepts(value):
        raise _NotFast
    return value


_DATES = _Memo(_parse_date)
_CURRENCIES = _Memo(_parse_currency)
_amounts_and_times = re.compile(
    "\x00".join(
        [DECIMAL_PATTERN.pattern.replace("(", "(?:")] * 3 + [DATE_TIME_PATTERN.pattern.replace("(", "(?:")] * 2
    ),
    re.ASCII,
).fullmatch
"""The three amounts and two timestamps, NUL-joined, in one match: neither pattern matches a NUL, so the
whole matches exactly when each part matches its own pattern (one regex call instead of five).  Compiled
ASCII-only: amounts with other digits (the rule's ``\\d`` allows any) are left to the general path: rare, and
the ASCII-only match is a third faster."""
_date_time = datetime.datetime.fromisoformat
_GCORE = Vendor.GCORE
WIRE_FIELDS = (
    "id", "name", "move_type", "currency", "invoice_date", "invoice_date_due", "billing_period_from",
    "billing_period_to", "amount_untaxed", "amount_tax", "amount_total", "payment_state", "client_id", "payer_id",
    "invoice_id", "created_at", "updated_at",
)  # fmt: skip
"""The fields the fast path reads, in the order it unpacks them: fields of ``ErpInvoiceExternal`` (whose
constructor :func:`_invoice_model` calls by keyword, so the generator's field order does not matter)."""
_MODEL_FIELDS = frozenset(a.name for a in attrs.fields(ErpInvoiceExternal) if a.init)
if not set(WIRE_FIELDS) <= _MODEL_FIELDS:  # only a regeneration can get here, and the test suite then fails at once
    raise ImportError(
        f"the regenerated ErpInvoiceExternal has no {', '.join(sorted(set(WIRE_FIELDS) - _MODEL_FIELDS))}, which the"
        " facade reads: follow upstream's rename or removal in vendors/gcore/wire.py (WIRE_FIELDS, _fast_invoice,"
        " _invoice_model, invoice_from_gcore) and vendors/gcore/checks.py (GCORE_INVOICE)"
    )
if set(WIRE_FIELDS) != set(GCORE_INVOICE.fields or ()):
    raise ImportError("vendors/gcore/checks.py's GCORE_INVOICE and WIRE_FIELDS must name the same fields")
_NOT_READ = _MODEL_FIELDS - set(WIRE_FIELDS)
"""Fields upstream added that the facade does not read yet (spec-drift's pull request lists them): an invoice
carrying one leaves the fast path for the general one, whose ``from_dict`` keeps it on ``Invoice.raw``."""
_wire_fields = itemgetter(*WIRE_FIELDS)  # all of them in one call; KeyError if one is missing (not fast)
_money = trusted_money


def _invoice_model(
    id_: Any,
    name: Any,
    move_type: Any,
    currency: Any,
    issued: Any,
    due: Any,
    start: Any,
    end: Any,
    untaxed: Any,
    tax: Any,
    total: Any,
    payment_state: Any,
    client_id: Any,
    payer_id: Any,
    invoice_id: Any,
    created_at: Any,
    updated_at: Any,
    wire: dict[str, Any] | None,
) -> ErpInvoiceExternal:
    """``Invoice.raw``, built on first read from the values :func:`_fast_invoice` checked (in ``WIRE_FIELDS``
    order) and the wire dict if it has extra properties (else ``None``)."""
    model = ErpInvoiceExternal(
        id=id_, name=name, move_type=move_type, currency=currency, invoice_date=issued, invoice_date_due=due,
        billing_period_from=start, billing_period_to=end, amount_untaxed=untaxed, amount_tax=tax,
        amount_total=total, payment_state=payment_state, client_id=client_id, payer_id=payer_id,
        invoice_id=invoice_id, created_at=created_at, updated_at=updated_at,
    )  # fmt: skip
    if wire is not None:  # every field is required, so more keys means extra properties
        model.additional_properties = {key: value for key, value in wire.items() if key not in WIRE_FIELDS}
    return model


def _page_model(
    count: int, invoices: tuple[Invoice, ...], next_: Any, previous: Any, extras: dict[str, Any] | None
) -> PaginatedErpInvoiceExternalList:
    """``InvoicePage.raw``, built on first read; its ``results`` are the invoices' own ``raw`` models."""
    page = PaginatedErpInvoiceExternalList(
        count=count,
        results=cast(list[ErpInvoiceExternal], [invoice.raw for invoice in invoices]),
        next_=next_,
        previous=previous,
    )
    if extras is not None:
        page.additional_properties = extras
    return page


_INVOICE_MODEL = Builder(_invoice_model)
_PAGE_MODEL = Builder(_page_model)


def _fast_invoice(wire: object) -> Invoice:
    """One wire invoice -> ``Invoice`` (its generated model as ``raw``), the same as the general path builds."""
    if type(wire) is not dict:
        raise _NotFast
    (
        id_, name, move_type, currency, issued, due, start, end, untaxed, tax, total,
        payment_state, client_id, payer_id, invoice_id, created_at, updated_at,
    ) = _wire_fields(wire)  # fmt: skip
    if not (
        type(id_) is int
        and type(name) is str
        and type(move_type) is str
        and type(payment_state) is str
        and type(client_id) is int
        and -(2**31) <= client_id < 2**31
        and type(payer_id) is int
        and (invoice_id is None or type(invoice_id) is int)
    ):
        raise _NotFast
    currency = _CURRENCIES[currency]
    issued = None if issued is None else _DATES[issued]
    due = None if due is None else _DATES[due]
    start = None if start is None else _DATES[start]
    end = None if end is None else _DATES[end]
    # Timestamps rarely repeat, so they are not memoized.  Upper-case ``T`` and ``Z`` only: the rule allows
    # lower case, which from_dict cannot read (the general path rejects those); fromisoformat then refuses
    # impossible dates, as the rule does, and parses exactly as from_dict does.
    if not (
        type(untaxed) is str
        and type(tax) is str
        and type(total) is str
        and type(created_at) is str
        and type(updated_at) is str
        and _amounts_and_times(f"{untaxed}\x00{tax}\x00{total}\x00{created_at}\x00{updated_at}")
    ):
        raise _NotFast
    created_at, updated_at = _date_time(created_at), _date_time(updated_at)
    extra = len(wire) != len(WIRE_FIELDS)
    if extra and _NOT_READ and not _NOT_READ.isdisjoint(wire):
        raise _NotFast  # a field of the model the fast path does not read: the general path keeps it
    # The generated model is deferred (built on first read of ``.raw``, see ._lazy and _invoice_model): the
    # values in WIRE_FIELDS order, then the wire dict if it has extra properties.
    model = (
        _INVOICE_MODEL, id_, name, move_type, currency, issued, due, start, end, untaxed, tax, total,
        payment_state, client_id, payer_id, invoice_id, created_at, updated_at, wire if extra else None,
    )  # fmt: skip
    return trusted_invoice(
        _GCORE,
        str(id_),
        name,
        KINDS.get(move_type, move_type),
        currency,
        issued,
        due,
        start,
        end,
        _money(Decimal(untaxed), currency),
        _money(Decimal(tax), currency),
        _money(Decimal(total), currency),
        _PAYMENT_STATES.get(payment_state, payment_state),
        None,
        (),
        model,  # deferred: Invoice.raw builds the ErpInvoiceExternal on first read
        str(client_id),
        str(payer_id),
    )


# -- the typed decoder ------------------------------------------------------------------------------------
#
# A body is first decoded by msgspec straight into structs derived from GCORE_PAGE / GCORE_INVOICE (see
# ``Schema.wire_type``): types, nulls, required fields, 32-bit bounds and calendar dates are checked in C while
# decoding, which costs less than ``json.loads`` alone.  What its types do not check exactly (decimal strings,
# date-times, currency codes: ``wire_exact`` is false) is checked here, as the dict fast path does.  Anything
# else (extra properties, an encoding other than UTF-8, a misfit) goes on to ``decode_json`` and the dict
# paths above, which keep extra properties and name the place that does not fit.

_CHECKED_HERE = frozenset({"currency", "amount_untaxed", "amount_tax", "amount_total", "created_at", "updated_at"})
"""The fields whose rule the typed decoder checks only loosely (``wire_exact`` false): ``_struct_invoice``
checks them."""
if frozenset(name for name, rule in (GCORE_INVOICE.fields or {}).items() if not getattr(rule, "wire_exact", True)) != (
    _CHECKED_HERE
):
    raise ImportError("GCORE_INVOICE's loosely decoded fields changed: update _struct_invoice's checks")
_PAGE_STRUCT = GCORE_PAGE.wire_type("GcorePage")
_INVOICE_STRUCT = GCORE_INVOICE.wire_type("GcoreInvoice")
_page_struct = msgspec.json.Decoder(_PAGE_STRUCT).decode
_invoice_struct = msgspec.json.Decoder(_INVOICE_STRUCT).decode
_STRUCT_MISSES = (*_FAST_MISSES, msgspec.MsgspecError)  # UnicodeDecodeError is a ValueError


def _model_from_struct(wire: Any, created_at: datetime.datetime, updated_at: datetime.datetime) -> ErpInvoiceExternal:
    """``Invoice.raw`` of an invoice decoded by the typed decoder, built on first read (no extra properties)."""
    return _invoice_model(
        wire.id, wire.name, wire.move_type, wire.currency, wire.invoice_date, wire.invoice_date_due,
        wire.billing_period_from, wire.billing_period_to, wire.amount_untaxed, wire.amount_tax, wire.amount_total,
        wire.payment_state, wire.client_id, wire.payer_id, wire.invoice_id, created_at, updated_at, None,
    )  # fmt: skip


_STRUCT_MODEL = Builder(_model_from_struct)
_unset = msgspec.UNSET


def _struct_invoice(wire: Any) -> Invoice:
    """One decoded invoice struct -> ``Invoice``: the checks its types left to Python, then the same object the
    dict paths build (``tests/facade/test_gcore_fast_path.py`` compares them)."""
    currency = _CURRENCIES[wire.currency]
    untaxed, tax, total, created_at, updated_at = (
        wire.amount_untaxed, wire.amount_tax, wire.amount_total, wire.created_at, wire.updated_at
    )  # fmt: skip
    if not _amounts_and_times(f"{untaxed}\x00{tax}\x00{total}\x00{created_at}\x00{updated_at}"):
        raise _NotFast
    move_type, payment_state = wire.move_type, wire.payment_state
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
        _money(Decimal(untaxed), currency),
        _money(Decimal(tax), currency),
        _money(Decimal(total), currency),
        _PAYMENT_STATES.get(payment_state, payment_state),
        None,
        (),
        (_STRUCT_MODEL, wire, _date_time(created_at), _date_time(updated_at)),  # Invoice.raw, deferred
        str(wire.client_id),
        str(wire.payer_id),
    )


def parse_page_body(body: bytes) -> tuple[Any, tuple[Invoice, ...]]:
    """A list response's bytes: as :func:`parse_page_lazily` of the decoded body, by the typed decoder when the
    body fits it, else by the dict paths."""
    try:
        page = _page_struct(body)
        invoices = tuple(map(_struct_invoice, page.results))
    except _STRUCT_MISSES:
        return parse_page_lazily(decode_json(body))
    next_, previous = page.next, page.previous
    return (
        (_PAGE_MODEL, page.count, invoices, UNSET if next_ is _unset else next_,
         UNSET if previous is _unset else previous, None),
        invoices,
    )  # fmt: skip


def parse_invoice_body(body: bytes) -> Invoice:
    """A retrieve response's bytes: as :func:`parse_invoice` of the decoded body."""
    try:
        return _struct_invoice(_invoice_struct(body))
    except _STRUCT_MISSES:
        return parse_invoice(decode_json(body))
