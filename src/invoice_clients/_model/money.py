"""``Money``: an exact amount and its ISO 4217 currency, and the two wire forms of an amount.

Every vendor's amounts end up as :class:`decimal.Decimal`, never ``float``:

* a decimal string (``"1512.500000000000"``) is parsed as it is;
* parts (``integral``, ``fractional``, a sign, a currency code) where
  ``fractional`` counts the currency's *minor units*: GBP 12 / 5 is 12.05,
  not 12.5.  How many minor units a currency has comes from the maintained
  ``iso4217`` data package (JPY has 0, KWD has 3), not from a table written here.

    >>> Money.from_minor_units(integral=12, fractional=5, currency="GBP")
    Money(amount=Decimal('12.05'), currency='GBP')

Amounts of one currency add and subtract exactly (whatever the caller's :mod:`decimal` context: a sum is never
rounded), mixing currencies raises :class:`~invoice_clients.CurrencyMismatchError`, and ``sum()`` works as is
(``0 + money`` is ``money``), so a per-currency total needs no reaching into ``.amount``:

    >>> sum([Money(Decimal("1.50"), "EUR"), Money(Decimal("2.25"), "EUR")])
    Money(amount=Decimal('3.75'), currency='EUR')
    >>> Money(Decimal("6470.020000000000"), "EUR").quantize()
    Money(amount=Decimal('6470.02'), currency='EUR')
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_EVEN, Context, Decimal, InvalidOperation

import msgspec

from .._exceptions import CurrencyMismatchError

__all__ = ["Money", "minor_unit_exponent"]

_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
"""Arithmetic that never rounds: ``Decimal`` addition rounds to the *current* context's precision (28 digits by
default, fewer if a caller lowered it), which would silently change a large total or one with many places."""


_is_finite = Decimal.is_finite


def minor_unit_exponent(currency: str) -> int | None:
    """Decimal places of ``currency``'s minor unit per ISO 4217, or ``None`` if unknown or not applicable.

    ``None`` covers both codes the data package does not know (a currency newer
    than the installed data) and codes with no minor unit defined (gold, ``XXX``).
    """
    import iso4217  # here: its data loads on first use, not at ``import invoice_clients``

    try:
        exponent: int | None = iso4217.Currency(currency).exponent
    except ValueError:
        return None
    return exponent


# A frozen msgspec Struct, built in C: a listing makes three per invoice (see Invoice).  It holds a Decimal and a
# str only (``__post_init__`` refuses anything else), so it can never be part of a reference cycle: gc=False.
class Money(msgspec.Struct, frozen=True, gc=False):
    """An exact amount of one currency: a frozen value (equal, hashable, picklable; ``msgspec.structs.replace``
    makes a changed copy).

    ``amount`` is a :class:`~decimal.Decimal` (negative for credit notes);
    ``currency`` is the ISO 4217 code as the vendor sent it.  Floats are refused:
    a float has already lost the cents.

    Amounts of one currency add and subtract exactly (``a + b``, ``a - b``), never rounded whatever the
    caller's :mod:`decimal` context; ``sum(amounts)`` works as is (``0 + money`` is ``money``), and
    ``sum(amounts, Money.zero("EUR"))`` where the list may be empty.  Mixing currencies raises
    :class:`~invoice_clients.CurrencyMismatchError`.  :meth:`quantize` rounds to the currency's minor unit.
    """

    amount: Decimal
    """The exact amount, as many places as the vendor sent (``Decimal("1512.500000000000")``); negative for a
    credit note."""
    currency: str
    """The ISO 4217 code as the vendor sent it (``"EUR"``)."""

    def __post_init__(self) -> None:
        try:
            finite = _is_finite(self.amount)  # one call: a TypeError for anything but a Decimal
        except TypeError:
            finite = False
        if not finite:
            raise ValueError(f"Money amount must be a finite Decimal, got {self.amount!r}")
        if not isinstance(self.currency, str) or not self.currency:
            raise ValueError(f"Money currency must be a non-empty code, got {self.currency!r}")

    @classmethod
    def from_decimal_string(cls, value: object, currency: str) -> Money:
        """Parse a decimal amount such as ``"-1512.500000000000"`` (a ``Decimal`` or ``int`` is accepted too).

        Raises ``ValueError`` for anything that is not an exact finite number:
        floats and booleans included, because they are never exact.
        """
        if isinstance(value, bool) or not isinstance(value, str | Decimal | int):
            raise ValueError(f"amount must be a decimal string, got {type(value).__name__}")
        try:
            amount = Decimal(value)  # a string's surrounding whitespace is dropped by Decimal, as by str.strip
        except InvalidOperation:
            raise ValueError(f"amount {value!r} is not a decimal number") from None
        if not amount.is_finite():
            raise ValueError(f"amount {value!r} is not finite")
        return cls(amount, currency)

    @classmethod
    def from_minor_units(
        cls, *, integral: object, fractional: object, currency: str, negative: object = False
    ) -> Money:
        """Build from parts: whole units, a count of minor units and a sign.

        ``fractional`` must lie in ``[0, 10**exponent)`` for the currency's ISO
        4217 exponent (so JPY only accepts 0, KWD up to 999); anything else is a
        ``ValueError``.  A code unknown to ISO 4217 data (or with no minor unit)
        is accepted only with ``fractional == 0``, the one case that needs no
        exponent: guessing one would silently produce a wrong amount.
        """
        for name, part in (("integral", integral), ("fractional", fractional)):
            if isinstance(part, bool) or not isinstance(part, int):
                raise ValueError(f"{name} must be an integer, got {part!r}")
            if part < 0:
                raise ValueError(f"{name} must not be negative (the sign is isNegative), got {part}")
        if not isinstance(negative, bool):
            raise ValueError(f"isNegative must be a boolean, got {negative!r}")
        assert isinstance(integral, int) and isinstance(fractional, int)
        exponent = minor_unit_exponent(currency)
        if exponent is None:
            if fractional != 0:
                raise ValueError(
                    f"currency {currency!r} has no known minor unit, so fractional {fractional} is ambiguous"
                )
            exponent = 0
        if fractional >= 10**exponent:
            raise ValueError(
                f"fractional {fractional} is out of range for {currency} "
                f"({exponent} minor-unit digits, max {10**exponent - 1})"
            )
        digits = f"{integral}.{fractional:0{exponent}d}" if exponent else str(integral)
        amount = Decimal(digits)
        return cls(amount.copy_negate() if negative and amount else amount, currency)  # exact: unary minus rounds

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Nothing of ``currency``: the ``start`` of a sum that may be empty, ``sum(moneys, Money.zero("EUR"))``."""
        return cls(Decimal(0), currency)

    def _combine(self, other: Money, symbol: str, operation: Callable[[Decimal, Decimal], Decimal]) -> Money:
        """``self <symbol> other`` computed exactly, for an amount of this currency only."""
        if other.currency != self.currency:
            raise CurrencyMismatchError(
                f"{self.currency} {symbol} {other.currency}: amounts of different currencies have no exact "
                "result; group them by currency first"
            )
        return Money(operation(self.amount, other.amount), self.currency)

    def __add__(self, other: object) -> Money:
        """The exact sum of two amounts of one currency.

        Raises:
            CurrencyMismatchError: ``other`` is of another currency.
        """
        return self._combine(other, "+", _EXACT.add) if isinstance(other, Money) else NotImplemented

    def __radd__(self, other: object) -> Money:
        """``0 + money`` is ``money``: what makes ``sum(moneys)`` work without a ``start``.

        Only the integer ``0`` is accepted (``sum``'s default start); any other number is a ``TypeError``, since
        it carries no currency.  ``sum([])`` is then ``0``, not a ``Money``: pass ``Money.zero(currency)`` as
        ``start`` where the list may be empty.
        """
        if type(other) is int and other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: object) -> Money:
        """The exact difference of two amounts of one currency.

        Raises:
            CurrencyMismatchError: ``other`` is of another currency.
        """
        return self._combine(other, "-", _EXACT.subtract) if isinstance(other, Money) else NotImplemented

    def quantize(self) -> Money:
        """The amount rounded to the currency's minor unit (ISO 4217): EUR to cents, JPY to yen, KWD to fils.

        Exact whenever the amount has no more places than the currency (``6470.020000000000`` EUR is
        ``6470.02``); otherwise rounded half to even (banker's rounding: ``0.125`` EUR is ``0.12``, ``0.135``
        is ``0.14``), the rule that does not drift a column's total upwards.  Places are added where the amount
        has fewer (``15`` EUR is ``15.00``).

        Raises:
            ValueError: the currency has no minor unit in the installed ISO 4217 data (unknown, or gold's
                ``XAU``): there is nothing to round to, and guessing two places could be wrong.
        """
        exponent = minor_unit_exponent(self.currency)
        if exponent is None:
            raise ValueError(f"currency {self.currency!r} has no minor unit in ISO 4217 data: nothing to round to")
        unit = Decimal(1).scaleb(-exponent)
        return Money(self.amount.quantize(unit, rounding=ROUND_HALF_EVEN, context=_EXACT), self.currency)

    def __str__(self) -> str:
        return f"{self.amount:f} {self.currency}"  # fixed-point: Decimal("0E-12") reads as 0.000000000000
