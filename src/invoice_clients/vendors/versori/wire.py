"""Versori's wire format: date ranges into requests, bodies into :class:`Invoice` objects.

The API's own date defaults surprise: no dates at all returns the *upcoming*
invoice, and one bound silently defaults the other (``to`` = today, ``from`` =
one calendar month before ``to``).  The facade therefore always sends both
bounds for a listing, computing the same defaults itself (UTC "today"), and
asks for the upcoming invoice only through ``upcoming()``.  Requests are built
by the generated ``versori_organisations_client`` module; bodies are parsed by
its models.  No I/O here: the sync and async clients share it.
"""

from __future__ import annotations

import calendar
import datetime
import posixpath
import unicodedata
from typing import Any, cast
from urllib.parse import urlsplit

from ..._exceptions import InvalidArgumentError
from ..._generated.versori_organisations_client.api.default import get_invoices
from ..._generated.versori_organisations_client.models import Invoice as VersoriInvoice
from ..._generated.versori_organisations_client.models import MonetaryValue
from ..._generated.versori_organisations_client.types import Unset
from ..._models import Invoice, InvoiceKind, LineItem
from ..._money import Money
from ..._transport import RequestSpec
from .._vendor_names import Vendor
from .checks import VERSORI_INVOICES

__all__ = [
    "SANDBOX_PREFIX",
    "invoice_from_versori",
    "list_request",
    "money_from_monetary_value",
    "one_month_before",
    "parse_invoices",
    "resolve_range",
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
    start: datetime.date | None, end: datetime.date | None, *, today: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """Both bounds of a listing, with the API's defaults made explicit."""
    for name, value in (("start", start), ("end", end)):
        if value is not None and (isinstance(value, datetime.datetime) or not isinstance(value, datetime.date)):
            raise InvalidArgumentError(f"{name} must be a datetime.date, got {type(value).__name__}")
    end = end if end is not None else today
    start = start if start is not None else one_month_before(end)
    if start > end:
        raise InvalidArgumentError(f"start {start} is after end {end}")
    return start, end


def _organisation(organisation_id: str) -> str:
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
        raise InvalidArgumentError("organisation_id must be a non-empty string")
    if organisation_id in {".", ".."}:
        raise InvalidArgumentError("organisation_id cannot be '.' or '..' (a dot segment, not an id)")
    if any(unicodedata.category(char) == "Cc" for char in organisation_id):
        raise InvalidArgumentError("organisation_id must not contain control characters")
    return organisation_id


def list_request(organisation_id: str, start: datetime.date, end: datetime.date) -> RequestSpec:
    """The request for invoices between ``start`` and ``end`` (both sent)."""
    return RequestSpec.from_generated(get_invoices._get_kwargs(_organisation(organisation_id), from_=start, to=end))


def upcoming_request(organisation_id: str) -> RequestSpec:
    """The request for the upcoming invoice: the same operation without dates."""
    return RequestSpec.from_generated(get_invoices._get_kwargs(_organisation(organisation_id)))


def money_from_monetary_value(value: MonetaryValue) -> Money:
    """``MonetaryValue`` -> :class:`Money`; ``fractional`` counts ISO 4217 minor units."""
    if not isinstance(value.currency_code, str):
        raise ValueError(f"currencyCode must be a string, got {value.currency_code!r}")
    return Money.from_minor_units(
        integral=value.integral,
        fractional=value.fractional,
        currency=value.currency_code,
        negative=value.is_negative,
    )


def _id_from_url(url: str) -> str:
    name = posixpath.basename(urlsplit(url).path)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return stem or url


def invoice_from_versori(raw: VersoriInvoice) -> Invoice:
    """Convert one generated model; a misfit raises ``ValueError``."""
    if not isinstance(raw.invoice_url, str):
        raise ValueError(f"invoiceURL must be a string, got {raw.invoice_url!r}")
    total = money_from_monetary_value(raw.total_amount)
    breakdowns = [] if isinstance(raw.product_breakdowns, Unset) else raw.product_breakdowns
    items = tuple(
        LineItem(description=str(b.product_name), quantity=b.quantity, total=money_from_monetary_value(b.total), raw=b)
        for b in breakdowns
    )
    return Invoice(
        vendor=Vendor.VERSORI,
        id=_id_from_url(raw.invoice_url),
        number=None,
        kind=InvoiceKind.INVOICE,
        currency=total.currency,
        issue_date=None,
        due_date=None,
        period_start=raw.invoice_start_date,
        period_end=raw.invoice_end_date,
        subtotal=None,
        tax=None,
        total=total,
        payment_state=None,
        document_url=raw.invoice_url,
        line_items=items,
        raw=raw,
    )


def parse_invoices(data: object) -> list[Invoice]:
    """A GetInvoices response: a JSON array of invoices."""
    VERSORI_INVOICES.check(data, "body")
    return [invoice_from_versori(VersoriInvoice.from_dict(item)) for item in cast(list[dict[str, Any]], data)]
