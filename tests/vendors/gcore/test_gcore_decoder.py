"""Gcore's one decoder: msgspec into the Structs of ``vendors/gcore/schema.py``, then one conversion.

What it builds is held to the generated model's own reading of the same body (``from_dict``), ``.raw``
included; what it refuses is held to ``jsonschema`` judging the effective spec; each refusal names the place
and the invoice.  The property tests draw the bodies; these pin the corner cases.
"""

from __future__ import annotations

import asyncio
import copy
import datetime
import json
import pickle
from decimal import Decimal
from typing import Annotated, Any, Literal

import attrs
import msgspec
import pytest
from jsonschema import Draft202012Validator, FormatChecker

from invoice_clients import Invoice, InvoiceKind, Money, PaymentState, ResponseValidationError
from invoice_clients._exceptions import RequestDetails
from invoice_clients._generated.gcore_billing_client.models import ErpInvoiceExternal, PaginatedErpInvoiceExternalList
from invoice_clients._generated.gcore_billing_client.types import Unset
from invoice_clients._model import decoding
from invoice_clients._model.decoding import (
    DATE_TIME,
    DECIMAL,
    MAP_VALUE,
    BrokenRule,
    Decoder,
    Int32,
    NonNegative,
    StringRules,
    describe,
    expected,
    show,
)
from invoice_clients._model.lazy import Deferred
from invoice_clients._model.parsing import decode_json
from invoice_clients.testing import Sandbox
from invoice_clients.vendors.gcore import client as gcore_module
from invoice_clients.vendors.gcore import decoder as wire_module
from invoice_clients.vendors.gcore import schema
from invoice_clients.vendors.gcore.decoder import PAGE as PAGE_DECODER
from invoice_clients.vendors.gcore.decoder import parse_invoice, parse_page
from invoice_clients.vendors.versori import schema as versori_schema
from tests.conftest import FAST
from tests.model.schemas import response_schema

REQUEST: RequestDetails = {"method": "GET", "url": "https://api.example.com/x", "status_code": 200}
JUDGE = Draft202012Validator(
    response_schema("gcore-billing", "/billing/org/v1/erp-invoices/{id}"), format_checker=FormatChecker()
)
"""The effective spec's schema of one invoice, judged by ``jsonschema`` (formats checked)."""

WIRE: dict[str, Any] = {
    "id": 42,
    "name": "INV/2026/00042",
    "move_type": "out_refund",
    "currency": "GBP",
    "invoice_date": "2026-02-28",
    "invoice_date_due": "2026-03-31",
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
    {"invoice_date_due": None, "move_type": "out_receipt"},  # a move type the facade does not know: kept as is
    {"move_type": "out_invoice", "payment_state": "brand_new_state", "currency": "JPY"},
    {"extra_field": {"nested": [1, 2]}, "another": None},
    {"amount_total": "\u0661\u0662.5"},  # Unicode digits: the spec's pattern (\d) allows them; so must we
    {"created_at": "2026-02-28t09:00:00Z"},  # a lower-case separator: RFC 3339, and fromisoformat reads it
    {"name": "\u00e9\U0001f600 \x00"},  # any string, NUL and astral characters included
    {"created_at": "2026-02-28T09:00:00.1234567Z"},  # seven fractional digits: truncated, as from_dict does
    {"payer_id": 2**70, "id": 2**64 + 1},  # beyond 64 bits: the spec and msgspec allow any size
    {"updated_at": "2024-02-29T23:59:59-23:59"},  # a leap day, the widest offset
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
    {"created_at": "2026-02-28 09:00:00Z"},  # msgspec's own date-time reader would take these three
    {"created_at": "2026-02-28t09:00:00"},
    {"updated_at": "2026-02-28T09:00:00+00:60"},
    {"updated_at": "0000-01-01T00:00:00Z"},
    {"payment_state": None},
    {"invoice_date": "\uff12026-02-28"},  # a full-width digit in a date
    {"amount_total": " 12.5"},  # Decimal() would take these: the pattern does not
    {"amount_total": "NaN"},
    {"amount_total": "1_000"},
    {"amount_total": ".5"},
    {"client_id": -(2**31) - 1},
    {"invoice_id": 1.0},
    {"id": None},
    {"updated_at": "2023-02-29T00:00:00Z"},  # no leap day in 2023
    {"created_at": "2026-02-28T24:00:00Z"},
]
NOT_READABLE = {"created_at": "2026-02-28t09:00:00z"}
"""RFC 3339 allows a lower-case ``z``, so ``jsonschema`` takes it; the generated model's parser
(``datetime.fromisoformat``) does not, so ``.raw`` could never be built: refused (and the only such case)."""


def wire_bytes(data: Any) -> bytes:
    """``data`` as a server would send it (a ``Decimal`` as a JSON number)."""
    return json.dumps(data, default=float).encode()


def variant(changes: dict[str, Any]) -> dict[str, Any]:
    return {**copy.deepcopy(WIRE), **changes}


def from_the_generated_model(body: bytes) -> Invoice:
    """The invoice as the generated model reads ``body``: the oracle of what the decoder must build."""
    model = ErpInvoiceExternal.from_dict(decode_json(body))  # type: ignore[arg-type]
    kinds = {"out_invoice": InvoiceKind.INVOICE, "out_refund": InvoiceKind.CREDIT_NOTE}
    states = {state.value: state for state in PaymentState}
    return Invoice(
        vendor="gcore",
        id=str(model.id),
        number=model.name,
        kind=kinds.get(model.move_type, model.move_type),
        currency=model.currency,
        issue_date=model.invoice_date,
        due_date=model.invoice_date_due,
        period_start=model.billing_period_from,
        period_end=model.billing_period_to,
        subtotal=Money(Decimal(model.amount_untaxed), model.currency),
        tax=Money(Decimal(model.amount_tax), model.currency),
        total=Money(Decimal(model.amount_total), model.currency),
        payment_state=states.get(model.payment_state, model.payment_state),
        document_url=None,
        line_items=(),
        raw=model,
        client_id=str(model.client_id),
        payer_id=str(model.payer_id),
    )


def fields_of(invoice: Invoice) -> list[object]:
    """Every field's value, ``raw`` built (``msgspec.structs.astuple`` would give the deferred one)."""
    return [getattr(invoice, field.name) for field in msgspec.structs.fields(Invoice)]


def same(a: Invoice, b: Invoice) -> None:
    assert fields_of(a) == fields_of(b)  # every field, raw included
    assert (type(a.kind), type(a.payment_state)) == (type(b.kind), type(b.payment_state))  # the enum, or a str
    assert type(a.raw) is type(b.raw) and a.raw == b.raw
    for field in ("subtotal", "tax", "total"):  # the scale sent is kept: 1.50 is not 1.5
        assert str(getattr(a, field).amount) == str(getattr(b, field).amount)


def page_of(*invoices: dict[str, Any], **fields: Any) -> bytes:
    return wire_bytes({"count": len(invoices), "next": None, "results": list(invoices), **fields})


@pytest.mark.parametrize("changes", VALID_VARIANTS)
def test_the_decoder_builds_what_the_generated_model_reads(changes: dict[str, Any]) -> None:
    body = wire_bytes(variant(changes))
    assert JUDGE.is_valid(decode_json(body))
    expected = from_the_generated_model(body)
    same(parse_invoice(body, REQUEST), expected)
    (listed,) = parse_page(page_of(variant(changes)), REQUEST, 0, 100).invoices
    same(listed, expected)


@pytest.mark.parametrize("changes", INVALID_VARIANTS)
def test_the_decoder_refuses_what_the_spec_refuses_naming_the_field(changes: dict[str, Any]) -> None:
    ((field, _),) = changes.items()
    body = wire_bytes(variant(changes))
    assert not JUDGE.is_valid(decode_json(body))  # as the client decodes it (1.0: a Decimal)
    sent = decode_json(body)[field]  # type: ignore[index]
    label = "invoice id 42" if field != "id" else "invoice 'INV/2026/00042'"
    with pytest.raises(ValueError, match=r"^invoice\.") as single:
        parse_invoice(body, REQUEST)
    message = str(single.value)
    assert message.startswith(f"invoice.{field} must be ")
    assert message.endswith(f", got {show(sent)} ({label})")
    with pytest.raises(ValueError, match=r"^page\.") as listed:
        parse_page(page_of(variant({"id": 41}), variant(changes)), REQUEST, 0, 100)
    assert str(listed.value) == "page.results[1]" + message.removeprefix("invoice")


def test_a_lower_case_z_is_refused_since_the_generated_model_cannot_read_it() -> None:
    body = wire_bytes(variant(NOT_READABLE))
    assert JUDGE.is_valid(decode_json(body))
    with pytest.raises(ValueError, match="Invalid isoformat"):
        ErpInvoiceExternal.from_dict(decode_json(body))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^invoice\.created_at") as caught:
        parse_invoice(body, REQUEST)
    assert str(caught.value) == (
        "invoice.created_at must be an RFC 3339 date-time, got '2026-02-28t09:00:00z' (invoice id 42)"
    )


def test_the_messages_name_what_the_spec_wants() -> None:
    cases = {
        "id": ("True", "invoice.id must be an integer, got True (invoice 'INV/2026/00042')"),
        "client_id": (2**31, "invoice.client_id must be a 32-bit integer, got 2147483648 (invoice id 42)"),
        "invoice_date": ("x", "invoice.invoice_date must be a YYYY-MM-DD date or null, got 'x' (invoice id 42)"),
        "currency": ("gbp", "invoice.currency must be a three-letter currency code, got 'gbp' (invoice id 42)"),
        "amount_tax": ("1e5", "invoice.amount_tax must be a decimal string, got '1e5' (invoice id 42)"),
    }
    for field, (value, message) in cases.items():
        with pytest.raises(ValueError, match=rf"^invoice\.{field} ") as caught:
            parse_invoice(wire_bytes(variant({field: True if value == "True" else value})), REQUEST)
        assert str(caught.value) == message


def test_a_page_that_fits_is_decoded_once_and_its_models_built_on_first_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """msgspec alone reads a page that fits; the body is decoded as JSON again only when a ``.raw`` is read."""
    rows = [variant({"id": n, "name": f"INV/{n}"}) for n in range(1, 4)]
    decoded: list[bytes] = []

    def counting(body: bytes) -> object:
        decoded.append(body)
        return decode_json(body)

    monkeypatch.setattr(decoding, "decode_json", counting)
    page = parse_page(page_of(*rows), REQUEST, 0, 100)
    assert [invoice.id for invoice in page] == ["1", "2", "3"] and (page.count, page.received) == (3, 3)
    assert decoded == []
    assert isinstance(page.invoices[1].raw, ErpInvoiceExternal) and page.invoices[1].raw.id == 2
    assert page.raw.results[1] is page.invoices[1].raw  # the page's models are the invoices'
    assert len(decoded) == 1  # one decode for every model of the page


def test_missing_field_is_refused_with_its_name() -> None:
    data = variant({})
    del data["payer_id"]
    with pytest.raises(ValueError, match=r"^invoice lacks required payer_id \(invoice id 42\)$"):
        parse_invoice(wire_bytes(data), REQUEST)


def test_page_equals_from_dict_and_keeps_extras() -> None:
    rows = [variant({"id": n, "name": f"INV/{n}"}) for n in range(1, 6)]
    for body in (
        {"count": 5, "next": None, "previous": "http://x/?offset=0", "results": rows},
        {"count": 5, "results": rows, "page_hint": 3},  # next/previous absent: UNSET, as from_dict has it
    ):
        expected = PaginatedErpInvoiceExternalList.from_dict(copy.deepcopy(body))
        page = parse_page(wire_bytes(body), REQUEST, 0, 100)
        assert page.raw == expected
        assert [invoice.raw for invoice in page.invoices] == expected.results
        for invoice, row in zip(page.invoices, rows, strict=True):
            same(invoice, from_the_generated_model(wire_bytes(row)))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"count": 1, "results": [variant({}), variant({"id": 43, "amount_total": "12,5"})]},
            "page.results[1].amount_total must be a decimal string, got '12,5' (invoice id 43)",
        ),
        ({"count": "1", "results": []}, "page.count must be an integer, got '1'"),
        ({"count": 1, "next": 3, "results": []}, "page.next must be a string or null, got 3"),
        (
            {"count": 1, "results": {"0": variant({})}},
            "page.results must be an array, got {'0': {'amount_tax': '-302.5', 'amoun...",
        ),
        ({"results": []}, "page lacks required count"),
        ([], "page must be an object, got []"),
    ],
)
def test_page_misfits_name_the_place(body: Any, message: str) -> None:
    with pytest.raises(ValueError, match=r"^page[ .]") as caught:
        parse_page(wire_bytes(body), REQUEST, 0, 100)
    assert str(caught.value) == message


def test_a_body_as_the_client_decodes_it() -> None:
    """A JSON fraction where the spec wants a decimal string is refused, and shown as the exact number sent."""
    body = json.dumps({"count": 1, "results": [variant({})]}).replace('"-302.5"', "-302.5").encode()
    with pytest.raises(ValueError, match=r"^page\.results\[0\]\.amount_tax ") as caught:
        parse_page(body, REQUEST, 0, 100)
    assert str(caught.value) == (
        "page.results[0].amount_tax must be a decimal string, got Decimal('-302.5') (invoice id 42)"
    )


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32-le", "utf-8-sig"])
def test_json_in_another_unicode_encoding_is_read_as_json_loads_reads_it(encoding: str) -> None:
    text = json.dumps(variant({"name": "Fran\u00e7ois \U0001f600"}))
    same(parse_invoice(text.encode(encoding), REQUEST), from_the_generated_model(text.encode()))


def test_a_generated_model_that_cannot_read_its_part_fails_typed_and_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """An optional property the Structs do not declare (an upstream addition, absorbed) is not checked while
    decoding; should the generated model fail on it, reading that invoice's ``.raw`` is a typed error."""

    class Regenerated(ErpInvoiceExternal):
        @classmethod
        def from_dict(cls, src_dict: Any) -> Any:
            model = super().from_dict(src_dict)
            if "synthetic_stamp" in model.additional_properties:  # as a regenerated from_dict would parse it
                datetime.datetime.fromisoformat(model.additional_properties["synthetic_stamp"])
            return model

    monkeypatch.setattr(wire_module, "ErpInvoiceExternal", Regenerated)
    page = parse_page(page_of(variant({"id": 1}), variant({"id": 2, "synthetic_stamp": "yesterday"})), REQUEST, 0, 100)
    assert [invoice.id for invoice in page] == ["1", "2"] and page.invoices[0].raw.id == 1
    with pytest.raises(ResponseValidationError) as caught:
        _ = page.invoices[1].raw
    assert caught.value.message == "page.results[1] does not fit the generated model (ValueError)"
    assert (caught.value.method, caught.value.url, caught.value.status_code) == ("GET", REQUEST["url"], 200)


def test_what_the_decoder_builds_is_what_the_public_constructors_build() -> None:
    """Invoice and Money are frozen msgspec Structs, built in C by the decoder as by anyone: equal, hashable,
    shown and pickled by every field but ``raw``, immutable, changed by ``msgspec.structs.replace``."""
    money = Money(Decimal("-1.50"), "EUR")
    assert isinstance(money, msgspec.Struct) and hash(money) == hash(Money(Decimal("-1.5"), "EUR"))
    with pytest.raises(AttributeError):
        money.amount = Decimal(1)  # type: ignore[misc]
    assert msgspec.structs.replace(money, currency="GBP") == Money(Decimal("-1.50"), "GBP")
    reference = from_the_generated_model(wire_bytes(variant({})))
    invoice = parse_invoice(wire_bytes(variant({})), REQUEST)
    assert type(invoice) is Invoice and isinstance(invoice, msgspec.Struct)
    assert fields_of(invoice) == fields_of(reference)
    assert invoice == reference and hash(invoice) == hash(reference)
    assert repr(invoice) == repr(Invoice(*fields_of(invoice)))
    assert "raw" not in repr(invoice) and "ErpInvoiceExternal" not in repr(invoice)
    other_raw = msgspec.structs.replace(reference, raw=None)
    assert other_raw == reference and hash(other_raw) == hash(reference)  # raw is no part of the value
    assert msgspec.structs.replace(reference, id="2") != reference
    with pytest.raises(AttributeError):
        invoice.id = "2"  # type: ignore[misc]
    changed = msgspec.structs.replace(invoice, id="2")
    assert changed.id == "2" and invoice.id == reference.id and changed.raw == invoice.raw
    assert pickle.loads(pickle.dumps(invoice)) == invoice and copy.deepcopy(invoice) == invoice
    assert copy.copy(invoice) == invoice
    assert not hasattr(invoice, "__dict__")
    assert Invoice.__match_args__[:3] == ("vendor", "id", "number")


def present(model: Any) -> dict[str, object]:
    """A generated model's properties that are set (a copied ``UNSET`` is no longer the package's ``UNSET``)."""
    return {
        a.name: getattr(model, a.name)
        for a in attrs.fields(type(model))
        if not isinstance(getattr(model, a.name), Unset)
    }


def test_a_pickled_or_copied_invoice_carries_its_generated_model() -> None:
    for copied in (pickle.loads, copy.deepcopy):
        invoice = parse_invoice(wire_bytes(variant({"extra": [1]})), REQUEST)
        assert isinstance(type(invoice).raw.peek(invoice), Deferred)  # type: ignore[attr-defined]
        twin = copied(pickle.dumps(invoice)) if copied is pickle.loads else copied(invoice)
        assert isinstance(type(twin).raw.peek(twin), ErpInvoiceExternal)  # type: ignore[attr-defined]
        assert twin == invoice and present(twin.raw) == present(invoice.raw)
        assert twin.raw.additional_properties == {"extra": [1]}


def test_the_date_time_rule_knows_the_calendar() -> None:
    """Every day of a common year, a leap year, a century that is not one and one that is, and the days
    around them: the rule takes exactly the days ``datetime.date`` has."""
    import re

    fits = re.compile(DATE_TIME.regex).fullmatch
    for year in (1, 4, 100, 400, 1900, 2000, 2023, 2024, 9999):
        for month in range(1, 13):
            for day in range(1, 33):
                try:
                    datetime.date(year, month, day)
                except ValueError:
                    real = False
                else:
                    real = True
                stamp = f"{year:04d}-{month:02d}-{day:02d}T00:00:00Z"
                assert (fits(stamp) is not None) == real, stamp
    assert fits("0000-01-01T00:00:00Z") is None


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


def test_a_value_smuggling_a_row_between_nuls_is_refused() -> None:
    """A page's string rules are checked in one expression over every value joined by NUL: a currency holding a
    whole row of values between NULs would line the rows up again, so the NULs are counted first."""
    row = "\x00".join(["1.0", "1.0", "1.0", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "EUR"])
    body = page_of(variant({"id": 1, "currency": f"EUR\x00{row}"}), variant({"id": 2}))
    with pytest.raises(
        ValueError, match=r"^page\.results\[0\]\.currency must be a three-letter currency code, got "
    ) as caught:
        parse_page(body, REQUEST, 0, 100)
    assert str(caught.value).endswith("(invoice id 1)")
    rules = StringRules(schema.ErpInvoiceExternal)
    valid = PAGE_DECODER.decode(page_of(variant({"id": 1}), variant({"id": 2}))).results
    rules.check_all(valid)  # a page that fits, checked at once
    rules.check_all([])  # and none


# -- the shared parts, built and used at run time --------------------------------------------------------------


def test_a_decoder_and_string_rules_built_now_decode_check_and_name() -> None:
    """What each vendor builds at import, built here: decoding, the string rules (one or several) and a misfit."""
    decoder: Decoder[Any] = Decoder(schema.ErpInvoiceExternal, "invoice", lambda data, path: "that one")
    rules = StringRules(schema.ErpInvoiceExternal)
    wire = decoder.decode(wire_bytes(variant({})))
    rules.check(wire)
    broken = decoder.decode(wire_bytes(variant({"amount_total": "12,5"})))
    with pytest.raises(BrokenRule) as caught:
        rules.check(broken)
    assert (caught.value.field, caught.value.rule, caught.value.value) == ("amount_total", DECIMAL, broken)
    assert str(decoder.broken(wire_bytes(variant({"amount_total": "12,5"})), (), caught.value)) == (
        "invoice.amount_total must be a decimal string, got '12,5' (that one)"
    )
    with pytest.raises(ValueError, match=r"^invoice\.id must be an integer, got 'x' \(that one\)$"):
        decoder.decode(wire_bytes(variant({"id": "x"})))
    money = StringRules(versori_schema.MonetaryValue)  # one rule only
    money.check(versori_schema.MonetaryValue(False, "GBP", 1, 5))
    with pytest.raises(BrokenRule, match="currencyCode"):
        money.check(versori_schema.MonetaryValue(False, "gbp", 1, 5))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>oops</html>", "invoice is not JSON: JSON is malformed: invalid character (byte 0)"),
        (b'{"name": "\xff"}', "invoice is not JSON: "),  # then msgspec's words, which differ between its versions
        (b'{"id": 1' + b"0" * 5000 + b"}", "invoice.id does not fit: Integer value out of range"),
        (  # UTF-16 with a lone surrogate in a string: json.loads reads it (surrogatepass), and so do we
            (json.dumps({"name": "x"})[:-1] + ', "note": "\ud800"}').encode("utf-16", "surrogatepass"),
            "invoice lacks required id (invoice 'x')",
        ),
    ],
)
def test_what_msgspec_says_is_kept_where_there_are_no_better_words(body: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=r"^invoice[ .]") as caught:
        parse_invoice(body, REQUEST)
    assert str(caught.value) == message or (message.endswith(": ") and str(caught.value).startswith(message))


@pytest.mark.parametrize("last", [[variant({"id": 1})], {"0": variant({"id": 1}), "1": 2}])
def test_a_key_sent_twice_still_gives_a_message(last: Any) -> None:
    """msgspec reads each occurrence of a key, json.loads keeps the last: the place named may not be in the
    body as JSON reads it, and the message must still be a message."""
    first = json.dumps([variant({"id": 1}), variant({"id": "x"})])
    body = f'{{"count": 1, "results": {first}, "results": {json.dumps(last)}}}'.encode()
    with pytest.raises(ValueError, match=r"^page\.results\[1\]\.id must be an integer$"):
        parse_page(body, REQUEST, 0, 100)


class _Nested(msgspec.Struct):
    values: dict[str, int]
    items: list[Int32]
    choice: Literal["a", "b"]
    counts: NonNegative | None = None


@pytest.mark.parametrize(
    ("annotation", "words"),
    [
        (int, "an integer"),
        (Int32, "a 32-bit integer"),
        (NonNegative, "a non-negative integer"),
        (Annotated[int, msgspec.Meta(ge=1, le=9)], "an integer between 1 and 9"),
        (Annotated[str, msgspec.Meta(min_length=1)], "a string"),
        (int | str, "an integer or a string"),
        (datetime.date | None, "a YYYY-MM-DD date or null"),
        (bool, "a boolean"),
        (msgspec.Raw, "any value"),
        (Annotated[int, "a note"], "an integer"),  # metadata of another kind is no bound
        ("SomeForwardReference", "SomeForwardReference"),  # no name of its own: as it reads
        (list[int], "an array"),
        (dict[str, int], "an object"),
        (_Nested, "an object"),
        (float, "float"),
    ],
)
def test_a_type_in_words(annotation: Any, words: str) -> None:
    assert describe(annotation) == words


@pytest.mark.parametrize(
    ("path", "words"),
    [
        (("items", 0), "a 32-bit integer"),
        (("values", MAP_VALUE), "an integer"),
        (("counts",), "a non-negative integer or null"),
        (("values", 0), None),  # an index into a map
        (("items", MAP_VALUE), None),  # a key into a list
        (("items", "x"), None),  # a field of a list
        (("choice", "x"), None),  # a field of a literal
        (("nothing",), None),
        ((0,), None),
    ],
)
def test_what_the_type_at_a_path_wants(path: tuple[Any, ...], words: str | None) -> None:
    assert expected(_Nested, path) == words


def test_a_value_is_shown_short_and_whole_or_cut() -> None:
    assert show(10**5000) == "<int>"  # too long for str(): shown by its type
    assert show("x" * 38) == "'" + "x" * 38 + "'"  # 40 characters: whole
    assert show("x" * 39) == "'" + "x" * 36 + "..."  # 41: cut to 40


def test_a_page_says_what_was_asked_and_what_is_claimed() -> None:
    rows = [variant({"id": n}) for n in (1, 2)]
    page = parse_page(page_of(*rows, next="http://x/?offset=2"), REQUEST, 7, 50)
    assert (page.offset, page.limit, page.received, page.count, page.next_link) == (7, 50, 2, 2, True)
    assert parse_page(page_of(*rows), REQUEST, 0, 50).next_link is False
    assert parse_page(page_of(count=0), REQUEST, 0, 50).count == 0
    assert parse_page(page_of(count=-1), REQUEST, 0, 50).count is None  # a negative count claims nothing


def test_the_page_or_invoice_whose_generated_model_fails_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    class RegeneratedPage(PaginatedErpInvoiceExternalList):
        @classmethod
        def from_dict(cls, src_dict: Any) -> Any:
            model = super().from_dict(src_dict)
            if "synthetic_stamp" in model.additional_properties:
                datetime.datetime.fromisoformat(model.additional_properties["synthetic_stamp"])
            return model

    class Regenerated(ErpInvoiceExternal):
        @classmethod
        def from_dict(cls, src_dict: Any) -> Any:
            model = super().from_dict(src_dict)
            datetime.datetime.fromisoformat(model.additional_properties.get("synthetic_stamp", "2026-01-01"))
            return model

    monkeypatch.setattr(wire_module, "PaginatedErpInvoiceExternalList", RegeneratedPage)
    page = parse_page(page_of(variant({}), synthetic_stamp="soon"), REQUEST, 0, 100)
    with pytest.raises(ResponseValidationError, match=r"^GET https://api\.example\.com/x -> 200: page does not fit"):
        _ = page.raw
    monkeypatch.setattr(wire_module, "ErpInvoiceExternal", Regenerated)
    invoice = parse_invoice(wire_bytes(variant({"synthetic_stamp": "soon"})), REQUEST)
    with pytest.raises(ResponseValidationError) as caught:
        _ = invoice.raw
    assert (caught.value.message, caught.value.url) == (
        "invoice does not fit the generated model (ValueError)",
        REQUEST["url"],
    )


def test_a_lazy_slot_builds_once_and_otherwise_is_the_slot() -> None:
    """``make_lazy`` as ``Invoice`` and ``InvoicePage`` use it, on a class of the test's own, at run time."""
    from invoice_clients._model.lazy import LazySlot, make_lazy

    class Built(Deferred):
        calls = 0

        def build(self) -> object:
            Built.calls += 1
            return ["built"]

    class Holder:
        __slots__ = ("value",)

    lazy = make_lazy(Holder, "value")
    assert Holder.value is lazy and isinstance(lazy, LazySlot)  # the class reads the descriptor itself
    holder, deferred = Holder(), Built()
    holder.value = deferred
    assert lazy.peek(holder) is deferred and Built.calls == 0
    assert holder.value == ["built"] and holder.value is lazy.peek(holder) and Built.calls == 1  # built once
    holder.value = 3
    assert holder.value == 3 and lazy.peek(holder) == 3
    del holder.value
    with pytest.raises(AttributeError):
        _ = holder.value
    with pytest.raises(NotImplementedError):
        Deferred().build()
