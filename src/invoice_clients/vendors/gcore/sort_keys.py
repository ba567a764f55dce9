"""The server's ordering of a listing, recomputed locally from each invoice.

Offset paging can only be checked if the client knows where a row belongs:
whether it comes after the last invoice already yielded (new), or at or before
it (already seen, or inserted behind the cursor).  The facade always sends a
total ordering (``id`` is appended as tie breaker), so the same fields, read
from the parsed invoice, give a key that orders invoices as the server does:

- ``id``: the integer; ``created_at``: the instant, as integer microseconds
  since the epoch (UTC offsets applied, a naive value read as UTC);
  ``invoice_date``: the day; ``amount_total``: the exact ``Decimal`` (so
  ``1.5`` and ``1.50`` tie and ``id`` decides);
- ``name``: compared by Unicode code point, as a database with a binary ("C")
  collation sorts.  The server's collation is not documented; where it
  disagrees on the names it returns, the listing sees rows out of order within
  a page and raises rather than guessing;
- nulls (only ``invoice_date`` is nullable) sort after every value in
  ascending order and before every value in descending order, as PostgreSQL
  (the usual database behind Django REST framework) does; a server that places
  them otherwise is, again, caught as rows out of order;
- a descending field is inverted, so keys always increase down the listing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from functools import total_ordering
from typing import TYPE_CHECKING, Any, cast

from ..._model.invoice import Invoice
from ..._paging.listing import SortKey

if TYPE_CHECKING:
    from ..._generated.gcore_billing_client.models import ErpInvoiceExternal

__all__ = ["sort_key"]


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MICROSECOND = datetime.timedelta(microseconds=1)


@total_ordering
class _Descending:
    """A string that sorts in reverse (strings cannot be negated like numbers)."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and self.value == other.value

    def __lt__(self, other: _Descending) -> bool:
        return self.value > other.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"desc({self.value!r})"


def _id(invoice: Invoice) -> int:
    return int(invoice.id)


def _amount_total(invoice: Invoice) -> Any:
    return invoice.total.amount


def _created_at(invoice: Invoice) -> int:
    instant = cast("ErpInvoiceExternal", invoice.raw).created_at
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=datetime.UTC)
    return (instant - _EPOCH) // _MICROSECOND


def _invoice_date(invoice: Invoice) -> int | None:
    return None if invoice.issue_date is None else invoice.issue_date.toordinal()


def _name(invoice: Invoice) -> str:
    return cast(str, invoice.number)  # Gcore's ``name``, which the spec makes a string


_NUMBERS: dict[str, Callable[[Invoice], Any]] = {
    "id": _id,
    "amount_total": _amount_total,
    "created_at": _created_at,
}


def _part(field: str) -> Callable[[Invoice], Any]:
    """The key part of one ordering field (``-`` prefix for descending)."""
    descending, name = field.startswith("-"), field.removeprefix("-")
    if name in _NUMBERS:
        read = _NUMBERS[name]
        return (lambda invoice: -read(invoice)) if descending else read
    if name == "invoice_date":
        if descending:  # nulls first, then the latest day
            return lambda invoice: (0, 0) if (day := _invoice_date(invoice)) is None else (1, -day)
        return lambda invoice: (1, 0) if (day := _invoice_date(invoice)) is None else (0, day)
    if name == "name":
        return (lambda invoice: _Descending(_name(invoice))) if descending else _name
    raise ValueError(f"no local sort key for ordering field {field!r}")


def sort_key(ordering: Sequence[str]) -> Callable[[Invoice], SortKey]:
    """The key function of an ordering as the facade sends it (``["-invoice_date", "id"]``).

    The ordering must be total (contain ``id`` or ``-id``), or equal keys could not be told apart; fields
    after the id never decide anything and are left out.
    """
    names = [field.removeprefix("-") for field in ordering]
    if "id" not in names:
        raise ValueError(f"ordering {list(ordering)!r} is not total: it must contain id or -id")
    if list(ordering) == ["id"]:  # the default ordering: one call per invoice, not two
        return lambda invoice: (int(invoice.id),)
    parts = tuple(_part(field) for field in ordering[: names.index("id") + 1])
    if len(parts) == 1:
        (only,) = parts
        return lambda invoice: (only(invoice),)
    return lambda invoice: tuple(part(invoice) for part in parts)
