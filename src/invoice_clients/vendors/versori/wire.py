"""Versori's wire format: date ranges into requests, bodies into :class:`Invoice` objects.

The API's own date defaults surprise: no dates at all returns the *upcoming*
invoice, and one bound silently defaults the other (``to`` = today, ``from`` =
one calendar month before ``to``).  The facade therefore always sends both
bounds for a listing, computing the same defaults itself (UTC "today"), and
asks for the upcoming invoice only through ``upcoming()``.  Requests are built
by the generated ``versori_organisations_client`` module; bodies are decoded by
msgspec into the Structs of :mod:`.schema`, then converted; the generated models behind ``.raw`` are built
from the body on first read.  No I/O here: the sync and async clients share it.
"""

from __future__ import annotations

import calendar
import datetime
import posixpath
import unicodedata
from typing import Any, Literal, cast, get_args
from urllib.parse import urlsplit

import msgspec

from ..._exceptions import InvalidArgumentError, RequestDetails
from ..._generated.versori_organisations_client.api.default import get_invoices
from ..._generated.versori_organisations_client.models import Invoice as VersoriInvoice
from ..._http.transport import RequestSpec
from ..._model.decoding import (
    BrokenRule,
    Decoder,
    DeferredModel,
    ModelSource,
    Path,
    StringRules,
    show,
    value_at,
)
from ..._model.invoice import Invoice, InvoiceKind, LineItem
from ..._model.money import Money
from .._vendor_names import Vendor
from . import schema

__all__ = [
    "INVOICES",
    "SANDBOX_PREFIX",
    "SELECTIONS",
    "InvoiceModels",
    "Selection",
    "check_organisation",
    "check_selection",
    "list_request",
    "one_month_before",
    "parse_invoices",
    "resolve_range",
    "selected",
    "upcoming_request",
    "utc_today",
]


SANDBOX_PREFIX = "/api/organisations/v1"
"""The base path of the API on a server (the sandbox serves Versori under it)."""


def utc_today() -> datetime.date:
    """Today in UTC: the day the API defaults ``to`` to."""
    return datetime.datetime.now(datetime.UTC).date()


def one_month_before(day: datetime.date) -> datetime.date:
    """The same day one calendar month earlier, clamped to the month's end (31 March -> 28/29 February)."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def resolve_range(
    start: datetime.date | None,
    end: datetime.date | None,
    *,
    today: datetime.date,
    names: tuple[str, str] = ("start", "end"),
) -> tuple[datetime.date, datetime.date]:
    """Both bounds of a listing, with the API's defaults made explicit; a refusal names them by ``names`` (the
    command line passes its options)."""
    for name, value in zip(names, (start, end), strict=True):
        if value is not None and (isinstance(value, datetime.datetime) or not isinstance(value, datetime.date)):
            raise InvalidArgumentError(f"{name} must be a datetime.date, got {type(value).__name__}")
    given = end is not None
    end = end if end is not None else today
    start = start if start is not None else one_month_before(end)
    if start > end:
        default = "" if given else " (its default: today, UTC)"
        raise InvalidArgumentError(f"{names[0]} {start} is after {names[1]} {end}{default}")
    return start, end


def check_organisation(organisation_id: str, name: str = "organisation_id") -> str:
    """The id, checked to be one opaque path segment.

    The generated ``_get_kwargs`` percent-encodes it (``quote(..., safe="")``:
    ``/``, ``?``, ``#``, ``%`` and all but RFC 3986 unreserved characters, as
    UTF-8), so it can neither add a path segment nor start a query.  ``.``
    and ``..`` are refused: as a segment they mean "this" and "parent", and URL
    normalisation would silently drop them (``list("..")`` would ask for
    another path).  So are blank ids and control characters,
    which are always a mistake.
    """
    if not isinstance(organisation_id, str) or not organisation_id.strip():
        raise InvalidArgumentError(f"{name} must be a non-empty string")
    if organisation_id in {".", ".."}:
        raise InvalidArgumentError(f"{name} cannot be '.' or '..' (a dot segment, not an id)")
    if any(unicodedata.category(char) == "Cc" for char in organisation_id):
        raise InvalidArgumentError(f"{name} must not contain control characters")
    return organisation_id


def list_request(organisation_id: str, start: datetime.date, end: datetime.date) -> RequestSpec:
    """The request for invoices between ``start`` and ``end`` (both sent)."""
    kwargs = get_invoices._get_kwargs(check_organisation(organisation_id), from_=start, to=end)
    return RequestSpec.from_generated(kwargs)


def upcoming_request(organisation_id: str) -> RequestSpec:
    """The request for the upcoming invoice: the same operation without dates."""
    return RequestSpec.from_generated(get_invoices._get_kwargs(check_organisation(organisation_id)))


def _id_from_url(url: str) -> str:
    name = posixpath.basename(urlsplit(url).path)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return stem or url


# -- responses: one decoder ----------------------------------------------------------------------------------
#
# msgspec decodes a body into the Structs of .schema, checking what they declare; a currency code's pattern and
# the minor units a currency has (iso4217) are checked as each amount is converted.  The generated models are
# built from the body on first read of a ``.raw`` (InvoiceModels).

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


Selection = Literal["overlapping", "starting"]
"""Which invoices of a range a listing keeps: the API's own ``from``/``to`` select every invoice whose billing
period *overlaps* the range (``"overlapping"``); ``"starting"`` keeps those whose period *starts* in it, so that
consecutive ranges (monthly exports) hold each invoice exactly once."""
SELECTIONS: tuple[Selection, ...] = get_args(Selection)


def check_selection(select: object) -> Selection:
    """``select`` if it is one of :data:`SELECTIONS`; :class:`InvalidArgumentError` otherwise."""
    if select not in SELECTIONS:
        raise InvalidArgumentError(f"select must be one of {', '.join(map(repr, SELECTIONS))}, got {select!r}")
    return select


def selected(invoices: list[Invoice], select: Selection, start: datetime.date, end: datetime.date) -> list[Invoice]:
    """The invoices the API returned for ``[start, end]``, narrowed to those whose period starts in it when
    ``select`` is ``"starting"``.  Exact: an invoice whose period starts in the range overlaps it, so the API
    returned it."""
    if select == "overlapping":
        return invoices
    return [invoice for invoice in invoices if invoice.period_start and start <= invoice.period_start <= end]
