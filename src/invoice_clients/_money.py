"""``Money``: an exact amount and its ISO 4217 currency, and the two wire forms of an amount.

Every vendor's amounts end up as :class:`decimal.Decimal`, never ``float``:

* a decimal string (``"1512.500000000000"``) is parsed as it is;
* parts (``integral``, ``fractional``, a sign, a currency code) where
  ``fractional`` counts the currency's *minor units*: GBP 12 / 5 is 12.05,
  not 12.5.  How many minor units a currency has comes from the maintained
  ``iso4217`` data package (JPY has 0, KWD has 3), not from a table written here.

    >>> Money.from_minor_units(integral=12, fractional=5, currency="GBP")
    Money(amount=Decimal('12.05'), currency='GBP')
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["Money", "minor_unit_exponent"]


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


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount of one currency.

    ``amount`` is a :class:`~decimal.Decimal` (negative for credit notes);
    ``currency`` is the ISO 4217 code as the vendor sent it.  Floats are refused:
    a float has already lost the cents.
    """

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal) or not self.amount.is_finite():
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

    def __str__(self) -> str:
        return f"{self.amount:f} {self.currency}"  # fixed-point: Decimal("0E-12") reads as 0.000000000000


_new = object.__new__
if Money.__slots__ != ("amount", "currency"):
    raise ImportError("Money's fields changed: update _trusted_money in _money.py")
_Unfrozen = type("_Unfrozen", (), {"__slots__": Money.__slots__, "__module__": __name__})


def _trusted_money(amount: Decimal, currency: str) -> Money:
    """``Money(amount, currency)`` without ``__post_init__``'s checks, for a parser that has made them (a finite
    ``Decimal`` read from a checked decimal string, a checked currency code), three times per parsed invoice.
    Filled unfrozen, then made a ``Money``, as ``_models._trusted_invoice`` does (see there)."""
    money: Any = _new(_Unfrozen)
    money.amount = amount
    money.currency = currency
    money.__class__ = Money
    return money  # type: ignore[no-any-return]
