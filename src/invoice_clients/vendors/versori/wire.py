"""Versori's requests: date ranges into requests, and which invoices of a range a listing keeps.

The API's own date defaults surprise: no dates at all returns the *upcoming*
invoice, and one bound silently defaults the other (``to`` = today, ``from`` =
one calendar month before ``to``).  The facade therefore always sends both
bounds for a listing, computing the same defaults itself (UTC "today"), and
asks for the upcoming invoice only through ``upcoming()``.  Requests are built
by the generated ``versori_organisations_client`` module; bodies are read by
:mod:`.decoder`.  No I/O here: the sync and async clients share it.
"""

from __future__ import annotations

import calendar
import datetime
import unicodedata
from typing import Literal, get_args

from ..._exceptions import InvalidArgumentError
from ..._generated.versori_organisations_client.api.default import get_invoices
from ..._http.sender import RequestSpec
from ..._model.invoice import Invoice

__all__ = [
    "SANDBOX_PREFIX",
    "SELECTIONS",
    "Selection",
    "check_organisation",
    "check_selection",
    "list_request",
    "one_month_before",
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
