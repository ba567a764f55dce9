"""The types the Structs decode with take exactly what the spec's schema for them accepts, judged by jsonschema.

msgspec checks the field types in C while decoding (integers and their bounds, strings, booleans, calendar
dates, null): were it to take a value the spec refuses, a body that breaks the spec would parse; were it to
refuse one the spec allows, a good body would fail.  The string rules (patterns and date-times, checked by
``StringRules`` in one expression) are held to the same judge.  Each is tried on edge cases and on values
hypothesis draws; the judge reads a value as the client decodes it (``decode_json``: fractions as ``Decimal``).
"""

from __future__ import annotations

import datetime
import json
from typing import Annotated, Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from invoice_clients._model.decoding import (
    CURRENCY,
    DATE_TIME,
    DECIMAL,
    BrokenRule,
    Int32,
    NonNegative,
    StringRule,
    StringRules,
)
from invoice_clients._model.parsing import decode_json

TYPES: dict[str, tuple[Any, dict[str, Any]]] = {
    "integer": (int, {"type": "integer"}),
    "int32": (Int32, {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1}),
    "non-negative": (NonNegative, {"type": "integer", "minimum": 0}),
    "string": (str, {"type": "string"}),
    "boolean": (bool, {"type": "boolean"}),
    "date": (datetime.date, {"type": "string", "format": "date"}),
}
"""Each field type msgspec checks by itself, and the schema the effective spec states it with."""

RULES: dict[str, tuple[StringRule, dict[str, Any]]] = {
    "decimal": (DECIMAL, {"type": "string", "pattern": DECIMAL.pattern}),
    "currency": (CURRENCY, {"type": "string", "pattern": CURRENCY.pattern}),
    "date-time": (DATE_TIME, {"type": "string", "format": "date-time"}),
}


def read_by_us_otherwise(rule: StringRule, value: object) -> bool:
    """Where the rule refuses on purpose what the judge takes: a trailing newline (Python's ``$`` matches before
    one, ECMA-262's, which JSON Schema names, does not; nor does the date-time grammar have one), and a
    lower-case ``z`` in a date-time (RFC 3339 allows it; the generated model's parser cannot read it)."""
    if not isinstance(value, str):
        return False
    return value.endswith("\n") or (rule is DATE_TIME and value.endswith("z"))


EDGES: list[Any] = [
    0, -1, 2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**30,
    1.0, -0.5, 1e300, True, False, None, "", "1", "12.5", [], {}, [1], {"a": 1},
    "2026-02-28", "2026-02-30", "0000-01-01", "9999-12-31", "20260228", "2026-2-28", "\uff12026-02-28",
    "2026-02-28T09:00:00Z", "2026-02-28 09:00:00Z", "2026-02-28t09:00:00z", "EUR", "eur",
    "-0", "-12.500000000000", " 12.5", "12.5 ", "+1", "1e5", "1E-5", ".5", "5.", "1_000", "NaN", "Infinity",
    "\u0661\u0662.\u0665", "\u00b2", "12.5\n", "EUR\n", "EURO", "E1R", "2024-02-29T23:59:59.5+23:59",
    "2023-02-29T00:00:00Z", "2026-02-28T24:00:00Z", "2026-02-28T23:59:60Z", "2026-02-28T09:00:00+00:60",
    "2026-02-28T09:00:00.Z", "2026-02-28T09:00:00+0100", "2026-02-28T09:00Z", "2026-02-28t09:00:00Z",
    "2026-02-28T09:00:00Z\n", "1\x002", "EUR\x00",
]  # fmt: skip


def judged(schema: dict[str, Any], sent: bytes) -> bool:
    return Draft202012Validator(schema, format_checker=FormatChecker()).is_valid(decode_json(sent))


def check_type(annotation: Any, schema: dict[str, Any], value: Any) -> None:
    sent = json.dumps(value).encode()
    try:
        result, taken = msgspec.json.decode(sent, type=annotation), True
    except msgspec.ValidationError:
        result, taken = None, False
    assert taken == judged(schema, sent), f"msgspec {'took' if taken else 'refused'} {value!r}; the spec does not"
    if taken and result is not None:
        expected = decode_json(sent)
        if isinstance(result, datetime.date):
            expected = datetime.date.fromisoformat(expected)  # type: ignore[arg-type]
        assert result == expected and type(result) is type(expected)


HOLDERS = {
    name: msgspec.defstruct(f"Holder{number}", [("value", Annotated[str, rule])])
    for number, (name, (rule, _)) in enumerate(RULES.items())
}
CHECKS = {name: StringRules(holder) for name, holder in HOLDERS.items()}
"""For each rule, a Struct with one field of it, and its ``StringRules``: as a vendor's decoder uses them."""


def check_rule(name: str, value: Any) -> None:
    rule, schema = RULES[name]
    sent = json.dumps(value).encode()
    try:
        CHECKS[name].check(msgspec.json.decode(b'{"value": ' + sent + b"}", type=HOLDERS[name]))
        taken = True
    except (msgspec.ValidationError, BrokenRule):
        taken = False
    expected = judged(schema, sent) and not read_by_us_otherwise(rule, value)
    assert taken == expected, f"{rule.what}: {'took' if taken else 'refused'} {value!r}; the spec does not"


@pytest.mark.parametrize("name", sorted(TYPES))
@pytest.mark.parametrize("value", EDGES, ids=repr)
def test_a_type_takes_what_the_spec_takes(name: str, value: Any) -> None:
    annotation, schema = TYPES[name]
    check_type(annotation, schema, value)
    nullable = {**schema, "type": [schema["type"], "null"]}
    check_type(annotation | None, nullable, value)


@pytest.mark.parametrize("name", sorted(RULES))
@pytest.mark.parametrize("value", EDGES, ids=repr)
def test_a_string_rule_takes_what_the_spec_takes(name: str, value: Any) -> None:
    check_rule(name, value)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
    | st.dates().map(str) | st.from_regex(r"\A\d{4}-\d{2}-\d{2}\Z"),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=5,
)  # fmt: skip
STRINGS = (
    st.text()
    | st.from_regex(r"\A-?\d{1,4}(\.\d{1,3})?\Z")
    | st.from_regex(r"\A[A-Za-z]{2,4}\Z")
    | st.datetimes(timezones=st.timezones()).map(datetime.datetime.isoformat)
)


@pytest.mark.property
@given(value=JSON, name=st.sampled_from(sorted(TYPES)))
def test_types_on_drawn_values(value: Any, name: str) -> None:
    check_type(*TYPES[name], value)


@pytest.mark.property
@given(value=STRINGS, name=st.sampled_from(sorted(RULES)))
def test_string_rules_on_drawn_values(value: str, name: str) -> None:
    check_rule(name, value)
