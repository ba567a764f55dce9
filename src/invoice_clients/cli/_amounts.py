"""How an amount is written: the one place that turns a :class:`~invoice_clients.Money` into what a file holds.

Amounts never pass through a float on their way to a file.  By default (``--amounts minor``) each has the places
of its currency's minor unit (ISO 4217: ``6470.02`` EUR, ``15000`` JPY, ``12.005`` KWD): exact whenever the vendor
sent no more significant places than that, rounded half to even only where it did, and those are counted.  A
currency with no minor unit in the ISO 4217 data keeps the vendor's places.  ``--amounts exact`` is the vendor's
decimal as sent.

A CSV or JSON line holds the decimal as text (:meth:`Amounts.text`).  A workbook holds a number
(:func:`spreadsheet_number`), which a spreadsheet keeps as a binary double: exact at the amount's places only
while its digits fit one (15 significant digits always do, 17 never all do).  Such an amount is written as the
number, with a cell format showing exactly its places (:func:`number_format`); any other is written as text,
exact, and counted, never as a nearby number.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from .._model.money import Money

__all__ = ["AmountStyle", "Amounts", "number_format", "places", "spreadsheet_number"]


class AmountStyle(StrEnum):
    """``--amounts``: how amounts are written."""

    MINOR = "minor"
    """With the places of the currency's minor unit (half-even where the vendor sent more significant places)."""
    EXACT = "exact"
    """The vendor's decimal as sent."""


class Amounts:
    """Writes amounts in one :class:`AmountStyle`, counting those that rounding changed."""

    def __init__(self, style: AmountStyle = AmountStyle.MINOR) -> None:
        self.style = style
        self.rounded = 0
        """How many amounts were rounded (their value changed, not just their places)."""

    def decimal(self, money: Money) -> Decimal:
        """The amount as written: with its currency's places (``minor``), or as the vendor sent it."""
        if self.style is AmountStyle.EXACT:
            return money.amount
        try:
            rounded = money.quantize()
        except ValueError:  # no minor unit in the ISO 4217 data: nothing to round to, keep it exact
            return money.amount
        if rounded.amount != money.amount:
            self.rounded += 1
        return rounded.amount

    def text(self, money: Money | None) -> str | None:
        """The amount as a CSV or JSON line holds it: the decimal's digits, never exponent notation (``0E-12``)."""
        return None if money is None else format(self.decimal(money), "f")

    __call__ = text


def places(value: Decimal) -> int:
    """The places after the decimal point that ``value`` is written with (``12.005`` has 3, ``15000`` none)."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0  # (a str exponent: NaN, Infinity)


def spreadsheet_number(value: Decimal) -> Decimal | None:
    """``value`` as a workbook's number cell holds it, if a binary double holds it exactly at its places: the
    same value (with ``0`` for any zero, signed or with places: ``0E-12``), or ``None`` when it does not fit (then
    it is written as text).  Decided by the round trip itself: the shortest decimal of the nearest double."""
    if not value.is_finite():  # a number cell holds no infinity (a double's would pass the round trip) nor NaN
        return None
    if not value:
        return Decimal(0)
    nearest = Decimal(repr(float(value)))
    return value if nearest == value else None


def number_format(value: Decimal) -> str:
    """The cell format showing ``value``'s places, with thousands grouped in the reader's own convention
    (``#,##0.000`` for KWD's three places; ``#,##0`` for JPY's none)."""
    count = places(value)
    return "#,##0." + "0" * count if count else "#,##0"
