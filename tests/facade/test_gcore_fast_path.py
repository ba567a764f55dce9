"""The one-pass Gcore parser builds exactly what the general path builds, and defers to it for anything else.

The general path is ``GCORE_PAGE.check`` + the generated ``from_dict`` + ``invoice_from_gcore``; the fast
path (``_fast_invoice``) must give equal invoices *and* equal generated models (``.raw``), and must never
accept what the check refuses.  The property tests hold both to the spec; these pin the corner cases.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import json
from decimal import Decimal
from typing import Any

import pytest

from invoice_clients import Invoice, Money, ResponseValidationError
from invoice_clients._generated.gcore_billing_client.models import ErpInvoiceExternal, PaginatedErpInvoiceExternalList
from invoice_clients._models import _trusted_invoice
from invoice_clients._parsing import decode_json
from invoice_clients.testing import Sandbox
from invoice_clients.vendors.gcore import client as gcore_module
from invoice_clients.vendors.gcore import wire as wire_module
from invoice_clients.vendors.gcore.checks import GCORE_INVOICE, GCORE_PAGE
from invoice_clients.vendors.gcore.wire import _fast_invoice, _NotFast, invoice_from_gcore, parse_invoice, parse_page

from .conftest import FAST

WIRE: dict[str, Any] = {
    "id": 42,
    "name": "INV/2026/00042",
    "move_type": "out_refund",
    "currency": "GBP",
    "invoice_date": "2026-02-28",
    "invoice_date_due": None,
    "billing_period_from": "2026-02-01",
    "billing_period_to": "2026-02-28",
    "amount_untaxed": "-1512.500000000000",
    "amount_tax": "-302.5",
    "amount_total": "-1815",
    "payment_state": "reversed",
    "client_id": -(2**31),
    "payer_id": 2**40,
    "invoice_id": None,
    "created_at": "2026-02-28T09:00:00.123456+01:00",
    "updated_at": "2026-03-01T00:00:00Z",
}

VALID_VARIANTS = [
    {},
    {"invoice_date": None, "billing_period_from": None, "billing_period_to": None, "invoice_id": 7},
    {"move_type": "out_invoice", "payment_state": "brand_new_state", "currency": "JPY"},
    {"extra_field": {"nested": [1, 2]}, "another": None},
    {"amount_total": "\u0661\u0662.5"},  # Unicode digits: the spec's pattern (\d) allows them; so must we
    {"created_at": "2026-02-28t09:00:00z"},  # the rule allows lower case, from_dict cannot read it: rejected
]

INVALID_VARIANTS = [
    {"id": True},
    {"id": "42"},
    {"client_id": 2**31},
    {"currency": "gbp"},
    {"currency": ["GBP"]},
    {"invoice_date": "2026-02-30"},
    {"invoice_date": "20260228"},
    {"invoice_date": {"day": 1}},
    {"amount_tax": "1e5"},
    {"amount_tax": 12},
    {"amount_tax": Decimal("12.5")},
    {"created_at": "2026-02-28T09:00:00"},
    {"updated_at": "0000-01-01T00:00:00Z"},
    {"payment_state": None},
]


def general(data: dict[str, Any]) -> Invoice:
    GCORE_INVOICE.check(data, "invoice")
    return invoice_from_gcore(ErpInvoiceExternal.from_dict(data))


def variant(changes: dict[str, Any]) -> dict[str, Any]:
    return {**copy.deepcopy(WIRE), **changes}


def same(a: Invoice, b: Invoice) -> None:
    assert dataclasses.astuple(a) == dataclasses.astuple(b)  # every field, raw included
    assert type(a.raw) is type(b.raw) and a.raw == b.raw


@pytest.mark.parametrize("changes", VALID_VARIANTS)
def test_fast_path_builds_what_the_general_path_builds(changes: dict[str, Any]) -> None:
    data = variant(changes)
    try:
        expected = general(copy.deepcopy(data))
    except (ValueError, TypeError):
        with pytest.raises(ValueError, match="Invalid isoformat"):
            parse_invoice(data)
        return
    same(parse_invoice(data), expected)
    if "created_at" not in changes:  # everything but the lower-case timestamp is taken by the fast path
        same(_fast_invoice(data), expected)


@pytest.mark.parametrize("changes", [*INVALID_VARIANTS, {"id": None}])
def test_fast_path_refuses_what_the_check_refuses(changes: dict[str, Any]) -> None:
    data = variant(changes)
    with pytest.raises(ValueError, match=r"^invoice") as expected:
        GCORE_INVOICE.check(data, "invoice")
    with pytest.raises((_NotFast, KeyError, TypeError, ValueError)):
        _fast_invoice(data)
    with pytest.raises(ValueError, match=r"^invoice") as raised:
        parse_invoice(data)
    assert str(raised.value) == str(expected.value)  # the general path names the place


def test_missing_field_is_refused_with_its_name() -> None:
    data = variant({})
    del data["payer_id"]
    with pytest.raises(ValueError, match="lacks required payer_id"):
        parse_invoice(data)


def test_page_equals_from_dict_and_keeps_extras() -> None:
    rows = [variant({"id": n, "name": f"INV/{n}"}) for n in range(1, 6)]
    for body in (
        {"count": 5, "next": None, "previous": "http://x/?offset=0", "results": rows},
        {"count": 5, "results": rows, "page_hint": 3},  # next/previous absent: UNSET, as from_dict has it
    ):
        page, invoices = parse_page(copy.deepcopy(body))
        expected = PaginatedErpInvoiceExternalList.from_dict(copy.deepcopy(body))
        assert page == expected
        assert [invoice.raw for invoice in invoices] == expected.results
        for invoice, model in zip(invoices, expected.results, strict=True):
            same(invoice, invoice_from_gcore(model))


@pytest.mark.parametrize(
    "body",
    [
        {"count": 1, "results": [variant({}), variant({"amount_total": "12,5"})]},
        {"count": "1", "results": []},
        {"count": 1, "next": 3, "results": []},
        {"count": 1, "results": {"0": variant({})}},
        {"results": []},
        [],
    ],
)
def test_page_misfits_are_reported_by_the_general_check(body: Any) -> None:
    with pytest.raises(ValueError, match=r"^page") as expected:
        GCORE_PAGE.check(copy.deepcopy(body), "page")
    with pytest.raises(ValueError, match=r"^page") as raised:
        parse_page(body)
    assert str(raised.value) == str(expected.value)


def test_a_body_as_the_client_decodes_it() -> None:
    """JSON fractions arrive as Decimal (see decode_json): an amount sent as a number is not a string."""
    body = json.dumps({"count": 1, "results": [variant({})]}).replace('"-302.5"', "-302.5").encode()
    with pytest.raises(ValueError, match=r"page\.results\[0\]\.amount_tax must be a decimal string"):
        parse_page(decode_json(body))


def test_trusted_constructors_build_equal_objects() -> None:
    money = Money._trusted(Decimal("-1.50"), "EUR")
    assert money == Money(Decimal("-1.50"), "EUR") and hash(money) == hash(Money(Decimal("-1.50"), "EUR"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        money.amount = Decimal(1)  # type: ignore[misc]
    reference = general(variant({}))
    values = [getattr(reference, field.name) for field in dataclasses.fields(Invoice)]
    assert dataclasses.astuple(_trusted_invoice(*values)) == dataclasses.astuple(reference)


def test_date_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wire_module, "_CACHE_LIMIT", 3)
    wire_module._DATES.clear()
    day = datetime.date(2026, 1, 1)
    for n in range(10):
        text = (day + datetime.timedelta(days=n)).isoformat()
        assert wire_module._DATES[text] == day + datetime.timedelta(days=n)
        assert len(wire_module._DATES) <= 3


def test_prefetched_pages_past_the_end_are_never_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[int] = []
    page = gcore_module._page

    def counting(body: bytes, *args: Any) -> Any:
        result = page(body, *args)
        parsed.append(result.offset)
        return result

    monkeypatch.setattr(gcore_module, "_page", counting)
    with Sandbox(seed=False) as sandbox, sandbox.gcore_client(retry=FAST) as client:
        for _ in range(25):
            sandbox.gcore.add_invoice()
        assert len(list(client.invoices.list(page_size=10, prefetch=8))) == 25
        assert len(sandbox.requests) > 3  # the window asked past the end...
    assert parsed == [0, 9, 18]  # ...but only the pages up to the short one were parsed (each overlaps by a row)


def test_sandbox_id_listing_follows_changes() -> None:
    """The sandbox's cached id order (its fast path for unfiltered listings) never serves stale rows."""
    with Sandbox(seed=False) as sandbox, sandbox.gcore_client(retry=FAST) as client:
        for _ in range(4):
            sandbox.gcore.add_invoice()
        assert [i.id for i in client.invoices.list()] == ["1", "2", "3", "4"]
        sandbox.gcore.remove_invoice(2)
        sandbox.gcore.add_invoice(id=10, currency="USD")
        assert [i.id for i in client.invoices.list()] == ["1", "3", "4", "10"]
        sandbox.gcore.invoices[11] = {**sandbox.gcore.invoices[10], "id": 11}  # a direct edit
        assert [i.id for i in client.invoices.list()] == ["1", "3", "4", "10", "11"]
        assert [i.id for i in client.invoices.list(currency="USD", ordering=["-id"])] == ["11", "10"]
        sandbox.gcore.invoices[3]["amount_total"] = "12,5"  # an edit in place shows, and does not fit
        with pytest.raises(ResponseValidationError, match=r"page\.results\[1\]\.amount_total must be a decimal"):
            list(client.invoices.list())
