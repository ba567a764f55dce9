"""Each rule's ``wire`` type (what msgspec decodes in C) never accepts what the rule refuses, when it says so.

The Gcore fast path trusts the typed decoder for every field whose rule is ``wire_exact``; if msgspec took a
value the rule refuses, a body that breaks the spec would parse.  Each claim is checked on the edge cases of
each rule and on values hypothesis draws, the rule judging the value as the client decodes it
(``decode_json``: fractions as ``Decimal``).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoice_clients._model import wire_checks as rules
from invoice_clients._model.parsing import decode_json

RULES = {name: rule for name, rule in vars(rules).items() if isinstance(rule, rules.Rule)}
EXACT = {name: rule for name, rule in RULES.items() if rule.wire_exact}
EDGES: list[Any] = [
    0, -1, 2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**30,
    1.0, -0.5, 1e300, True, False, None, "", "1", "12.5", [], {}, [1], {"a": 1},
    "2026-02-28", "2026-02-30", "0000-01-01", "9999-12-31", "20260228", "2026-2-28", "\uff12026-02-28",
    "2026-02-28T09:00:00Z", "2026-02-28 09:00:00Z", "2026-02-28t09:00:00z", "EUR", "eur",
]  # fmt: skip


def decoded_by_wire(rule: rules.Rule, sent: bytes) -> tuple[bool, Any]:
    try:
        return True, msgspec.json.decode(sent, type=rule.wire_type())
    except (msgspec.MsgspecError, ValueError):
        return False, None


def check(rule: rules.Rule, value: Any) -> None:
    sent = json.dumps(value).encode()
    taken, result = decoded_by_wire(rule, sent)
    as_client = decode_json(sent)
    if taken:
        assert rule.accepts(as_client), f"{rule.what}: msgspec took {value!r}, which the rule refuses"
        expected = as_client
        if rule.wire_type() in (datetime.date, datetime.date | None) and as_client is not None:
            expected = datetime.date.fromisoformat(as_client)  # the decoder parses the dates the rule accepts
        assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize("name", sorted(EXACT))
@pytest.mark.parametrize("value", EDGES, ids=repr)
def test_an_exact_wire_type_takes_nothing_its_rule_refuses(name: str, value: Any) -> None:
    check(EXACT[name], value)
    check(EXACT[name].or_null(), value)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
    | st.dates().map(str) | st.from_regex(r"\A\d{4}-\d{2}-\d{2}\Z"),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=5,
)  # fmt: skip


@given(value=JSON, name=st.sampled_from(sorted(EXACT)))
def test_exact_wire_types_on_drawn_values(value: Any, name: str) -> None:
    check(EXACT[name], value)


def test_the_loose_rules_are_the_ones_the_fast_path_checks() -> None:
    """A new loose rule in Gcore's schema must be checked by ``_struct_invoice``: its import refuses otherwise."""
    from invoice_clients.vendors.gcore import wire

    loose = {name for name, rule in (wire.GCORE_INVOICE.fields or {}).items() if not rule.wire_exact}  # type: ignore[union-attr]
    assert loose == wire._CHECKED_HERE
    assert {name for name, rule in RULES.items() if not rule.wire_exact} == {"DATE_TIME", "DECIMAL", "CURRENCY", "ANY"}
