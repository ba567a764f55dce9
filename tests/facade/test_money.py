"""Money: exact amounts from both vendors' encodings."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from invoice_clients import Money, ResponseValidationError, Versori
from invoice_clients._money import minor_unit_exponent
from invoice_clients.testing import Sandbox, monetary_value


@pytest.mark.parametrize(
    ("integral", "fractional", "currency", "negative", "expected"),
    [
        (12, 5, "GBP", False, "12.05"),
        (12, 50, "GBP", False, "12.50"),
        (0, 99, "USD", True, "-0.99"),
        (15000, 0, "JPY", False, "15000"),
        (12, 5, "KWD", False, "12.005"),
        (12, 500, "KWD", True, "-12.500"),
        (1234567, 1, "EUR", False, "1234567.01"),
        (0, 0, "GBP", True, "0.00"),
        (7, 0, "XAU", False, "7"),  # no minor unit defined: exact only with fractional 0
        (7, 0, "ZZZ", False, "7"),  # unknown to ISO 4217 data: likewise
    ],
)
def test_minor_units(integral: int, fractional: int, currency: str, negative: bool, expected: str) -> None:
    money = Money.from_minor_units(integral=integral, fractional=fractional, currency=currency, negative=negative)
    assert money == Money(Decimal(expected), currency)
    assert str(money.amount) == expected


@pytest.mark.parametrize(
    ("integral", "fractional", "currency", "negative", "message"),
    [
        (12, 100, "GBP", False, "fractional 100 is out of range for GBP (2 minor-unit digits, max 99)"),
        (1, 1, "JPY", False, "fractional 1 is out of range for JPY (0 minor-unit digits, max 0)"),
        (1, 1000, "KWD", False, "fractional 1000 is out of range for KWD (3 minor-unit digits, max 999)"),
        (-1, 0, "GBP", False, "integral must not be negative (the sign is isNegative), got -1"),
        (1, -5, "GBP", False, "fractional must not be negative (the sign is isNegative), got -5"),
        (True, 0, "GBP", False, "integral must be an integer, got True"),
        (1.5, 0, "GBP", False, "integral must be an integer, got 1.5"),
        (1, 0.5, "GBP", False, "fractional must be an integer, got 0.5"),
        (1, 0, "GBP", "yes", "isNegative must be a boolean, got 'yes'"),
        (1, 5, "ZZZ", False, "currency 'ZZZ' has no known minor unit, so fractional 5 is ambiguous"),
        (1, 5, "XAU", False, "currency 'XAU' has no known minor unit, so fractional 5 is ambiguous"),
    ],
)
def test_minor_units_out_of_range(
    integral: object, fractional: object, currency: str, negative: object, message: str
) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Money.from_minor_units(integral=integral, fractional=fractional, currency=currency, negative=negative)


def test_minor_units_are_positive_unless_negative_is_given() -> None:
    assert Money.from_minor_units(integral=12, fractional=5, currency="GBP") == Money(Decimal("12.05"), "GBP")


def test_exponents_come_from_iso4217_data() -> None:
    assert [minor_unit_exponent(c) for c in ("GBP", "JPY", "KWD", "CLF", "XAU", "ZZZ")] == [2, 0, 3, 4, None, None]


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("1512.500000000000", "1512.5"),
        ("-1512.500000000000", "-1512.5"),
        ("123456789.000000000001", "123456789.000000000001"),
        ("0.000000000000", "0"),
        (Decimal("12.05"), "12.05"),
        (7, "7"),
        (" 12.05\n", "12.05"),  # surrounding whitespace, as a careless server might add
    ],
)
def test_decimal_strings_are_exact(wire: object, expected: str) -> None:
    assert Money.from_decimal_string(wire, "EUR").amount == Decimal(expected)


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        (12.05, "amount must be a decimal string, got float"),
        (True, "amount must be a decimal string, got bool"),
        (None, "amount must be a decimal string, got NoneType"),
        ("abc", "amount 'abc' is not a decimal number"),
        ("", "amount '' is not a decimal number"),
        ("NaN", "amount 'NaN' is not finite"),
        ("Infinity", "amount 'Infinity' is not finite"),
        (Decimal("-Infinity"), "amount Decimal('-Infinity') is not finite"),
    ],
)
def test_decimal_strings_reject_inexact_or_garbage(wire: object, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Money.from_decimal_string(wire, "EUR")


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        (12.05, "GBP", "Money amount must be a finite Decimal, got 12.05"),
        (Decimal("NaN"), "GBP", "Money amount must be a finite Decimal, got Decimal('NaN')"),
        (Decimal(1), "", "Money currency must be a non-empty code, got ''"),
        (Decimal(1), 123, "Money currency must be a non-empty code, got 123"),
        (Decimal(1), None, "Money currency must be a non-empty code, got None"),
    ],
)
def test_money_refuses_what_is_not_an_amount_of_a_currency(amount: object, currency: object, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Money(amount, currency)  # type: ignore[arg-type]


def test_money_refuses_floats() -> None:
    with pytest.raises(ValueError, match="finite Decimal"):
        Money(12.05, "GBP")  # type: ignore[arg-type]


def test_versori_amounts_over_the_wire(sandbox: Sandbox, versori: Versori) -> None:
    day = datetime.date(2026, 1, 1)
    assert versori.invoices.list("org_tokyo", day, day)[0].total == Money(Decimal(15000), "JPY")
    assert versori.invoices.list("org_kuwait", day, day)[0].total == Money(Decimal("12.005"), "KWD")
    sandbox.versori.add_invoice("org_new", day, day, monetary_value(12, 5, "GBP", negative=True))
    assert versori.invoices.list("org_new", day, day)[0].total == Money(Decimal("-12.05"), "GBP")


def test_out_of_range_parts_over_the_wire_are_a_validation_error(sandbox: Sandbox, versori: Versori) -> None:
    day = datetime.date(2026, 1, 1)
    sandbox.versori.add_invoice("org_bad", day, day, monetary_value(12, 100, "GBP"))
    with pytest.raises(ResponseValidationError, match="out of range") as caught:
        versori.invoices.list("org_bad", day, day)
    assert caught.value.status_code == 200
    assert '"fractional": 100' in caught.value.body


def test_str_is_fixed_point_never_exponent_notation() -> None:
    from decimal import Decimal

    from invoice_clients import Money

    assert str(Money(Decimal("0E-12"), "EUR")) == "0.000000000000 EUR"
    assert str(Money(Decimal("-1512.500000000000"), "EUR")) == "-1512.500000000000 EUR"


def test_huge_negative_minor_units_stay_exact() -> None:
    # Unary minus rounds to the context's 28 digits; a 33-digit amount must not.
    integral = 266975033067458716248045351075840
    money = Money.from_minor_units(integral=integral, fractional=7, currency="GBP", negative=True)
    assert money.amount == Decimal(f"-{integral}.07")
    assert str(money) == f"-{integral}.07 GBP"
