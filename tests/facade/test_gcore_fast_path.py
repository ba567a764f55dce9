"""The fast Gcore parsers build exactly what the general path builds, and defer to it for anything else.

The general path is ``GCORE_PAGE.check`` + the generated ``from_dict`` + ``invoice_from_gcore``; the fast
paths (``_fast_invoice`` on a decoded dict, and ``parse_page_body`` / ``parse_invoice_body``, which decode
the bytes with msgspec into typed structs) must give equal invoices *and* equal generated models (``.raw``),
and must never accept what the check refuses.  The property tests hold them to the spec; these pin the
corner cases.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import datetime
import json
import pickle
from decimal import Decimal
from typing import Any

import pytest

from invoice_clients import Invoice, Money, ResponseValidationError
from invoice_clients._generated.gcore_billing_client.models import ErpInvoiceExternal, PaginatedErpInvoiceExternalList
from invoice_clients._model.invoice import trusted_invoice
from invoice_clients._model.lazy import is_deferred
from invoice_clients._model.money import trusted_money
from invoice_clients._model.parsing import decode_json
from invoice_clients.testing import Sandbox
from invoice_clients.vendors.gcore import client as gcore_module
from invoice_clients.vendors.gcore import wire as wire_module
from invoice_clients.vendors.gcore.checks import GCORE_INVOICE, GCORE_PAGE
from invoice_clients.vendors.gcore.wire import (
    _fast_invoice,
    _NotFast,
    invoice_from_gcore,
    parse_invoice,
    parse_invoice_body,
    parse_page,
    parse_page_body,
)

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
    {"name": "\u00e9\U0001f600 \x00"},  # any string, NUL and astral characters included
    {"created_at": "2026-02-28T09:00:00.1234567Z"},  # seven fractional digits: truncated, as from_dict does
    {"payer_id": 2**70, "id": 2**64 + 1},  # beyond 64 bits: the rule and msgspec allow any size
]
TAKEN_BY_THE_GENERAL_PATH = ({"amount_total": "\u0661\u0662.5"}, {"created_at": "2026-02-28t09:00:00z"})
"""Valid variants the fast paths leave to the general path (non-ASCII digits, a lower-case date-time)."""

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
    {"created_at": "2026-02-28 09:00:00Z"},  # msgspec's own date-time reader would take these three
    {"created_at": "2026-02-28t09:00:00"},
    {"updated_at": "2026-02-28T09:00:00+00:60"},
    {"updated_at": "0000-01-01T00:00:00Z"},
    {"payment_state": None},
    {"invoice_date": "\uff12026-02-28"},  # a full-width digit in a date
    {"amount_total": " 12.5"},  # Decimal() would take these: the rule does not
    {"amount_total": "NaN"},
    {"amount_total": "1_000"},
    {"amount_total": ".5"},
    {"client_id": -(2**31) - 1},
    {"invoice_id": 1.0},
]


def wire_bytes(data: Any) -> bytes:
    """``data`` as a server would send it (a ``Decimal`` as a JSON number)."""
    return json.dumps(data, default=float).encode()


def built(parsed: tuple[Any, tuple[Invoice, ...]]) -> tuple[Any, tuple[Invoice, ...]]:
    """A lazily parsed page with its model built, as ``InvoicePage.raw`` builds it on first read."""
    raw, invoices = parsed
    return (raw[0].build(*raw[1:]) if is_deferred(raw) else raw), invoices


def general(data: dict[str, Any]) -> Invoice:
    GCORE_INVOICE.check(data, "invoice")
    return invoice_from_gcore(ErpInvoiceExternal.from_dict(data))


def variant(changes: dict[str, Any]) -> dict[str, Any]:
    return {**copy.deepcopy(WIRE), **changes}


def fields(invoice: Invoice) -> list[object]:
    """Every field, raw included, as it is: ``dataclasses.astuple`` would deep-copy them, and a copy of the
    generated ``UNSET`` (an optional field the body lacks) is not ``UNSET``, so equal models would differ."""
    return [getattr(invoice, field.name) for field in dataclasses.fields(Invoice)]


def same(a: Invoice, b: Invoice) -> None:
    assert fields(a) == fields(b)
    assert type(a.raw) is type(b.raw) and a.raw == b.raw


@pytest.mark.parametrize("changes", VALID_VARIANTS)
def test_fast_path_builds_what_the_general_path_builds(changes: dict[str, Any]) -> None:
    data = variant(changes)
    try:
        expected = general(copy.deepcopy(data))
    except (ValueError, TypeError):
        with pytest.raises(ValueError, match="Invalid isoformat"):
            parse_invoice(data)
        with pytest.raises(ValueError, match="Invalid isoformat"):
            parse_invoice_body(wire_bytes(data))
        return
    same(parse_invoice(data), expected)
    same(parse_invoice_body(wire_bytes(data)), expected)
    if changes not in TAKEN_BY_THE_GENERAL_PATH:
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
    with pytest.raises(ValueError, match=r"^invoice") as expected:  # as the client decodes it (1.0: a Decimal)
        GCORE_INVOICE.check(decode_json(wire_bytes(data)), "invoice")
    with pytest.raises(ValueError, match=r"^invoice") as raised:
        parse_invoice_body(wire_bytes(data))
    assert str(raised.value) == str(expected.value)


def test_the_typed_decoder_takes_a_page_that_fits_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page that fits the spec, with no extra properties, never reaches ``decode_json``."""
    rows = [variant({"id": n, "name": f"INV/{n}"}) for n in range(1, 4)]

    def unexpected(body: bytes) -> object:
        raise AssertionError("the typed decoder deferred a page it should take")

    monkeypatch.setattr(wire_module, "decode_json", unexpected)
    raw, invoices = parse_page_body(wire_bytes({"count": 3, "next": None, "results": rows}))
    assert [invoice.id for invoice in invoices] == ["1", "2", "3"]
    assert raw[1:4] == (3, invoices, None)


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
        expected = PaginatedErpInvoiceExternalList.from_dict(copy.deepcopy(body))
        for page, invoices in (parse_page(copy.deepcopy(body)), built(parse_page_body(wire_bytes(body)))):
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
        parse_page(copy.deepcopy(body))
    assert str(raised.value) == str(expected.value)
    with pytest.raises(ValueError, match=r"^page") as raised:
        parse_page_body(wire_bytes(body))
    assert str(raised.value) == str(expected.value)


def test_a_body_as_the_client_decodes_it() -> None:
    """JSON fractions arrive as Decimal (see decode_json): an amount sent as a number is not a string."""
    body = json.dumps({"count": 1, "results": [variant({})]}).replace('"-302.5"', "-302.5").encode()
    with pytest.raises(ValueError, match=r"page\.results\[0\]\.amount_tax must be a decimal string"):
        parse_page(decode_json(body))


def test_trusted_constructors_build_equal_objects() -> None:
    """The trusted constructors fill an unfrozen twin and re-class it: what comes out must be indistinguishable
    from what the public constructor builds."""
    money = trusted_money(Decimal("-1.50"), "EUR")
    assert type(money) is Money and money == Money(Decimal("-1.50"), "EUR")
    assert hash(money) == hash(Money(Decimal("-1.50"), "EUR"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        money.amount = Decimal(1)  # type: ignore[misc]
    reference = general(variant({}))
    values = [getattr(reference, field.name) for field in dataclasses.fields(Invoice)]
    invoice = trusted_invoice(*values)
    assert type(invoice) is Invoice and fields(invoice) == fields(reference)
    assert invoice == reference and hash(invoice) == hash(reference) and repr(invoice) == repr(reference)
    with pytest.raises(dataclasses.FrozenInstanceError):
        invoice.id = "2"  # type: ignore[misc]
    assert dataclasses.replace(invoice, id="2").id == "2" and invoice.id == reference.id
    assert pickle.loads(pickle.dumps(invoice)) == invoice and copy.deepcopy(invoice) == invoice
    assert not hasattr(invoice, "__dict__")


def test_date_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wire_module, "_CACHE_LIMIT", 3)
    wire_module._DATES.clear()
    day = datetime.date(2026, 1, 1)
    for n in range(10):
        text = (day + datetime.timedelta(days=n)).isoformat()
        assert wire_module._DATES[text] == day + datetime.timedelta(days=n)
        assert len(wire_module._DATES) <= 3


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The offsets of the pages the client parses, in order."""
    offsets: list[int] = []
    page = gcore_module._page

    def counting(body: bytes, *args: Any) -> Any:
        result = page(body, *args)
        offsets.append(result.offset)
        return result

    monkeypatch.setattr(gcore_module, "_page", counting)
    return offsets


def test_prefetched_pages_past_the_end_are_never_parsed(parsed: list[int]) -> None:
    with Sandbox(seed=False) as sandbox, sandbox.gcore_client(retry=FAST) as client:
        for _ in range(25):
            sandbox.gcore.add_invoice()
        assert len(list(client.invoices.list(page_size=10, prefetch=8))) == 25
        assert len(sandbox.requests) > 3  # the window asked past the end...
    assert parsed == [0, 9, 18]  # ...but only the pages up to the short one were parsed (each overlaps by a row)


def test_async_prefetched_pages_past_the_end_are_never_parsed(parsed: list[int]) -> None:
    """The async pager, too, parses a page only when it is reached (the tasks only fetch)."""

    async def listing(sandbox: Sandbox) -> int:
        async with sandbox.async_gcore_client(retry=FAST) as client:
            return len([invoice async for invoice in client.invoices.list(page_size=10, prefetch=8)])

    with Sandbox(seed=False) as sandbox:
        for _ in range(25):
            sandbox.gcore.add_invoice()
        assert asyncio.run(listing(sandbox)) == 25
        assert len(sandbox.requests) > 3
    assert parsed == [0, 9, 18]


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
