"""Money: exact amounts from both vendors' encodings."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal, localcontext

import pytest

from invoice_clients import CurrencyMismatchError, InvoiceClientsError, Money, ResponseValidationError, Versori
from invoice_clients._model.money import minor_unit_exponent
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


# -- arithmetic: a per-currency total without reaching into .amount ------------------------------------------


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def test_amounts_of_one_currency_add_and_subtract_exactly() -> None:
    assert eur("6470.020000000000") + eur("0.01") == eur("6470.03")
    assert str(eur("6470.020000000000") + eur("0.01")) == "6470.030000000000 EUR"  # the finer scale is kept
    assert eur("10.00") - eur("12.50") == eur("-2.50")
    assert (eur("1") - eur("1")).currency == "EUR"
    credit_note, invoice = eur("-1512.500000000000"), eur("1512.5")
    assert (invoice + credit_note).amount == 0


def test_arithmetic_ignores_the_callers_decimal_context() -> None:
    # Decimal's own + rounds to the current context (28 digits by default, 3 here): a total must never be rounded.
    big = Money(Decimal("266975033067458716248045351075840.07"), "GBP")
    with localcontext(prec=3):
        assert (eur("1234.56") + eur("0.01")).amount == Decimal("1234.57")
        assert (eur("1234.56") - eur("0.01")).amount == Decimal("1234.55")
        assert (big + Money(Decimal("0.01"), "GBP")).amount == Decimal("266975033067458716248045351075840.08")
        assert (big - big).amount == 0


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (lambda: eur("1") + Money(Decimal(1), "GBP"), "EUR + GBP: "),
        (lambda: eur("1") - Money(Decimal(1), "GBP"), "EUR - GBP: "),
        (lambda: Money(Decimal(1), "GBP") + eur("1"), "GBP + EUR: "),
        (lambda: sum([eur("1"), Money(Decimal(1), "USD")]), "EUR + USD: "),
    ],
)
def test_mixing_currencies_raises_a_typed_error(operation: Callable[[], object], message: str) -> None:
    tail = "amounts of different currencies have no exact result; group them by currency first"
    with pytest.raises(CurrencyMismatchError, match=f"^{re.escape(message + tail)}$") as caught:
        operation()
    assert isinstance(caught.value, InvoiceClientsError)
    assert isinstance(caught.value, ValueError)


def test_currency_codes_are_compared_as_sent() -> None:
    with pytest.raises(CurrencyMismatchError):
        eur("1") + Money(Decimal(1), "eur")


@pytest.mark.parametrize("other", [1, Decimal(1), 1.0, "1", None])
def test_only_money_adds_to_money(other: object) -> None:
    with pytest.raises(TypeError):
        eur("1") + other  # type: ignore[operator]
    with pytest.raises(TypeError):
        eur("1") - other  # type: ignore[operator]


@pytest.mark.parametrize("other", [1, Decimal(0), 0.0, False, "0", None])
def test_only_the_integer_zero_is_a_neutral_start(other: object) -> None:
    with pytest.raises(TypeError):
        other + eur("1")  # type: ignore[operator]


def test_sum_works_with_and_without_a_start() -> None:
    amounts = [eur("1.50"), eur("2.25"), eur("-0.75")]
    assert sum(amounts) == eur("3.00")
    assert 0 + eur("1.50") is not None and (0 + eur("1.50")) == eur("1.50")
    assert sum(amounts, Money.zero("EUR")) == eur("3.00")
    assert sum([], Money.zero("EUR")) == Money(Decimal(0), "EUR")
    assert Money.zero("JPY") == Money(Decimal(0), "JPY") and str(Money.zero("JPY")) == "0 JPY"


def test_a_per_currency_total() -> None:
    invoices = [eur("10.10"), Money(Decimal(500), "JPY"), eur("0.90"), Money(Decimal(250), "JPY")]
    totals: dict[str, Money] = {}
    for amount in invoices:
        totals[amount.currency] = totals.get(amount.currency, Money.zero(amount.currency)) + amount
    assert totals == {"EUR": eur("11.00"), "JPY": Money(Decimal(750), "JPY")}


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("6470.020000000000", "EUR", "6470.02"),  # exact: more places, all zero
        ("15", "EUR", "15.00"),  # places added
        ("0.125", "EUR", "0.12"),  # half to even: down to the even cent
        ("0.135", "EUR", "0.14"),  # half to even: up to the even cent
        ("0.1251", "EUR", "0.13"),  # above half
        ("-0.125", "EUR", "-0.12"),
        ("-0.135", "EUR", "-0.14"),
        ("2.5", "JPY", "2"),
        ("3.5", "JPY", "4"),
        ("12.0055", "KWD", "12.006"),
        ("1.00005", "CLF", "1.0000"),  # four places
        ("266975033067458716248045351075840.075", "GBP", "266975033067458716248045351075840.08"),
    ],
)
def test_quantize_rounds_to_the_minor_unit_half_even(amount: str, currency: str, expected: str) -> None:
    with localcontext(prec=3):  # the caller's context plays no part
        rounded = Money(Decimal(amount), currency).quantize()
    assert rounded.currency == currency
    assert str(rounded.amount) == expected


@pytest.mark.parametrize("currency", ["XAU", "ZZZ"])
def test_quantize_refuses_a_currency_without_a_minor_unit(currency: str) -> None:
    message = f"currency {currency!r} has no minor unit in ISO 4217 data: nothing to round to"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Money(Decimal("7.5"), currency).quantize()
