"""Versori: explicit date defaults, upcoming invoice, line items, the wire format."""

from __future__ import annotations

import asyncio
import datetime
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from invoice_clients import InvalidArgumentError, Invoice, InvoiceKind, Money, ResponseValidationError, Vendor, Versori
from invoice_clients._exceptions import RequestDetails
from invoice_clients._model.lazy import Deferred
from invoice_clients.testing import Sandbox, monetary_value
from invoice_clients.vendors.versori.decoder import parse_invoices
from invoice_clients.vendors.versori.wire import one_month_before

D = datetime.date
PATH = "/api/organisations/v1/organisations/org_acme/billing/invoices"


def _query(sandbox: Sandbox) -> dict[str, str]:
    request = sandbox.requests[-1]
    assert request.path == PATH
    return dict(request.query)


def test_list_with_both_dates(sandbox: Sandbox, versori: Versori) -> None:
    invoices = versori.invoices.list("org_acme", D(2026, 2, 1), D(2026, 3, 31))
    assert _query(sandbox) == {"from": "2026-02-01", "to": "2026-03-31"}
    assert sandbox.requests[-1].headers["authorization"] == "Bearer sandbox-versori-key"
    assert [i.period_start for i in invoices] == [D(2026, 2, 1), D(2026, 3, 1)]
    first = invoices[0]
    assert first.vendor is Vendor.VERSORI and first.kind is InvoiceKind.INVOICE
    assert first.total == Money(Decimal("122.10"), "GBP")
    assert first.id == "in_sandbox0002" and first.document_url is not None and first.document_url.endswith(".pdf")
    assert [(li.description, li.quantity, li.total.amount) for li in first.line_items] == [
        ("Integration runs", 2000, Decimal("100.10")),
        ("Platform seat", 2, Decimal("22.00")),
    ]
    assert (first.number, first.subtotal, first.tax, first.payment_state) == (None, None, None, None)


@pytest.mark.parametrize(
    ("start", "end", "today", "wire"),
    [
        (None, None, D(2026, 3, 31), ("2026-02-28", "2026-03-31")),
        (None, None, D(2024, 3, 30), ("2024-02-29", "2024-03-30")),
        (D(2026, 1, 15), None, D(2026, 3, 31), ("2026-01-15", "2026-03-31")),
        (None, D(2026, 1, 10), D(2026, 3, 31), ("2025-12-10", "2026-01-10")),
        (D(2026, 1, 10), D(2026, 1, 10), D(2026, 3, 31), ("2026-01-10", "2026-01-10")),
    ],
)
def test_dates_are_always_explicit(
    sandbox: Sandbox,
    versori: Versori,
    start: D | None,
    end: D | None,
    today: D,
    wire: tuple[str, str],
) -> None:
    versori.invoices.today = lambda: today
    versori.invoices.list("org_acme", start, end)
    assert _query(sandbox) == {"from": wire[0], "to": wire[1]}


def test_default_today_is_utc_today(sandbox: Sandbox, versori: Versori) -> None:
    before = datetime.datetime.now(datetime.UTC).date()
    versori.invoices.list("org_acme")
    after = datetime.datetime.now(datetime.UTC).date()
    assert _query(sandbox)["to"] in {before.isoformat(), after.isoformat()}


def test_start_after_end(sandbox: Sandbox, versori: Versori) -> None:
    with pytest.raises(InvalidArgumentError, match="after"):
        versori.invoices.list("org_acme", D(2026, 2, 1), D(2026, 1, 1))
    with pytest.raises(InvalidArgumentError):
        versori.invoices.list("org_acme", "2026-01-01")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        versori.invoices.list("")
    assert sandbox.requests == []


def test_upcoming_sends_no_dates(sandbox: Sandbox, versori: Versori) -> None:
    upcoming = versori.invoices.upcoming("org_acme")
    assert _query(sandbox) == {}
    assert upcoming is not None and upcoming.total == Money(Decimal("42.50"), "GBP")
    assert versori.invoices.upcoming("org_tokyo") is None


def test_organisation_id_is_quoted(sandbox: Sandbox, versori: Versori) -> None:
    sandbox.versori.add_invoice("org/../x y", D(2026, 1, 1), D(2026, 1, 31))
    assert len(versori.invoices.list("org/../x y", D(2026, 1, 1), D(2026, 1, 31))) == 1
    assert sandbox.requests[-1].path == "/api/organisations/v1/organisations/org%2F..%2Fx%20y/billing/invoices"


def test_forward_compatible(sandbox: Sandbox, versori: Versori) -> None:
    sandbox.versori.add_invoice(
        "org_new",
        D(2026, 1, 1),
        D(2026, 1, 31),
        monetary_value(1_000_000, 99, "CHF"),
        metaData={"plan": "enterprise", "seats": 12, "trial": False},
        somethingNew=[1, 2],
    )
    (invoice,) = versori.invoices.list("org_new", D(2026, 1, 1), D(2026, 1, 31))
    assert invoice.total == Money(Decimal("1000000.99"), "CHF")
    assert invoice.raw.additional_properties == {"somethingNew": [1, 2]}


def test_one_month_before() -> None:
    assert one_month_before(D(2026, 3, 31)) == D(2026, 2, 28)
    assert one_month_before(D(2024, 3, 31)) == D(2024, 2, 29)
    assert one_month_before(D(2026, 1, 15)) == D(2025, 12, 15)
    assert one_month_before(D(2026, 5, 31)) == D(2026, 4, 30)


def test_sandbox_applies_the_apis_own_defaults(sandbox: Sandbox) -> None:
    # The sandbox mirrors the real API's surprising defaults; the facade never relies on them.
    sandbox.versori.today = lambda: D(2026, 3, 31)
    headers = {"Authorization": "Bearer sandbox-versori-key"}
    url = sandbox.versori_base_url + "/organisations/org_acme/billing/invoices"
    only_to = httpx.get(url, params={"to": "2026-02-15"}, headers=headers).json()
    assert [i["invoiceStartDate"] for i in only_to] == ["2026-01-01", "2026-02-01"]
    only_from = httpx.get(url, params={"from": "2026-03-01"}, headers=headers).json()
    assert [i["invoiceStartDate"] for i in only_from] == ["2026-03-01"]
    assert httpx.get(url, headers=headers).json()[0]["totalAmount"]["integral"] == 42


def _split_periods(sandbox: Sandbox) -> None:
    """An organisation billed from the 15th: every invoice spans a month boundary."""
    for month in (1, 2, 3):
        start = D(2026, month, 15)
        sandbox.versori.add_invoice("org_split", start, D(2026, month + 1, 14), monetary_value(month, 0, "GBP"))


@pytest.mark.parametrize(
    ("select", "february"), [("overlapping", [D(2026, 1, 15), D(2026, 2, 15)]), ("starting", [D(2026, 2, 15)])]
)
def test_select_overlapping_is_the_apis_meaning_starting_counts_each_once(
    sandbox: Sandbox, versori: Versori, select: str, february: list[D]
) -> None:
    _split_periods(sandbox)
    found = versori.invoices.list("org_split", D(2026, 2, 1), D(2026, 2, 28), select=select)  # type: ignore[arg-type]
    assert _query_of(sandbox, "org_split") == {"from": "2026-02-01", "to": "2026-02-28"}  # the same request
    assert [invoice.period_start for invoice in found] == february
    if select == "starting":
        months = [(D(2026, m, 1), D(2026, m + 1, 1) - datetime.timedelta(days=1)) for m in (1, 2, 3, 4)]
        starts = [
            i.period_start for a, b in months for i in versori.invoices.list("org_split", a, b, select="starting")
        ]
        assert starts == [D(2026, 1, 15), D(2026, 2, 15), D(2026, 3, 15)]  # every invoice, once
    assert versori.invoices.list("org_split", D(2026, 2, 1), D(2026, 2, 28)) == versori.invoices.list(
        "org_split", D(2026, 2, 1), D(2026, 2, 28), select="overlapping"
    )  # the default


def test_select_starting_keeps_both_ends_of_the_range(sandbox: Sandbox, versori: Versori) -> None:
    _split_periods(sandbox)
    found = versori.invoices.list("org_split", D(2026, 2, 15), D(2026, 3, 15), select="starting")
    assert [i.period_start for i in found] == [D(2026, 2, 15), D(2026, 3, 15)]
    assert versori.invoices.list("org_split", D(2026, 2, 16), D(2026, 3, 14), select="starting") == []


def test_select_is_checked_before_anything_is_sent(sandbox: Sandbox, versori: Versori) -> None:
    with pytest.raises(InvalidArgumentError, match=r"^select must be one of 'overlapping', 'starting', got 'start'$"):
        versori.invoices.list("org_acme", D(2026, 1, 1), D(2026, 1, 31), select="start")  # type: ignore[arg-type]
    assert not sandbox.requests


def test_async_select(sandbox: Sandbox) -> None:
    _split_periods(sandbox)

    async def main() -> list[Invoice]:
        async with sandbox.async_versori_client() as versori:
            return await versori.invoices.list("org_split", D(2026, 2, 1), D(2026, 2, 28), select="starting")

    assert [invoice.period_start for invoice in asyncio.run(main())] == [D(2026, 2, 15)]


def test_the_organisation_is_each_invoices_client(sandbox: Sandbox, versori: Versori) -> None:
    invoices = versori.invoices.list("org_acme", D(2026, 1, 1), D(2026, 6, 30))
    assert {(i.client_id, i.payer_id) for i in invoices} == {("org_acme", None)}
    upcoming = versori.invoices.upcoming("org_acme")
    assert upcoming is not None and upcoming.client_id == "org_acme"


def _query_of(sandbox: Sandbox, organisation: str) -> dict[str, str]:
    request = sandbox.requests[-1]
    assert request.path == PATH.replace("org_acme", organisation)
    return dict(request.query)


# -- the decoder: msgspec into vendors/versori/schema.py, a misfit named by place and invoice ---------------------

REQUEST: RequestDetails = {"method": "GET", "url": "https://platform.example.com/x", "status_code": 200}


def _versori_body(**changes: object) -> list[dict[str, object]]:
    invoice: dict[str, object] = {
        "invoiceStartDate": "2026-01-01",
        "invoiceEndDate": "2026-01-31",
        "totalAmount": monetary_value(12, 5),
        "invoiceURL": "https://platform.versori.com/billing/invoices/in_42.pdf",
        "productBreakdowns": [{"productName": "Seats", "quantity": 3, "total": monetary_value(9, 0)}],
    }
    return [{**invoice, **changes}]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"totalAmount": monetary_value(12, 150)},
            "body[0].totalAmount is no amount of GBP: fractional 150 is out of range for GBP (2 minor-unit digits, "
            "max 99) (invoice 'in_42')",
        ),
        (
            {"totalAmount": monetary_value(1, 0, "gbp")},
            "body[0].totalAmount.currencyCode must be a three-letter currency code, got 'gbp' (invoice 'in_42')",
        ),
        (
            {"productBreakdowns": [{"productName": "Seats", "quantity": 3, "total": monetary_value(9, 5, "XXQ")}]},
            "body[0].productBreakdowns[0].total is no amount of XXQ: currency 'XXQ' has no known minor unit, so "
            "fractional 5 is ambiguous (invoice 'in_42')",
        ),
        (
            {"productBreakdowns": [{"productName": "Seats", "quantity": "3", "total": monetary_value(9, 0)}]},
            "body[0].productBreakdowns[0].quantity must be an integer, got '3' (invoice 'in_42')",
        ),
        ({"usageStatistics": {"api_calls": 1.5}}, "body[0].usageStatistics[...] must be an integer (invoice 'in_42')"),
        ({"invoiceEndDate": None}, "body[0].invoiceEndDate must be a YYYY-MM-DD date, got None (invoice 'in_42')"),
        (
            {"totalAmount": {**monetary_value(1, 0), "integral": -1}},
            "body[0].totalAmount.integral must be a non-negative integer, got -1 (invoice 'in_42')",
        ),
    ],
)
def test_a_misfit_names_its_place_and_its_invoice(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=r"^body\[0\]\.") as caught:
        parse_invoices(json.dumps(_versori_body(**changes)).encode(), REQUEST, "org_1")
    assert str(caught.value) == message


def test_a_body_that_is_not_a_list_is_named_and_no_invoice_in_it() -> None:
    body = b'{"invoiceURL": "https://x/in_1.pdf"}'  # an invoice alone, not in a list
    with pytest.raises(ValueError, match=r"^body must be an array, got \{'invoiceURL': 'https://x/in_1.pdf'\}$"):
        parse_invoices(body, REQUEST, "org_1")
    with pytest.raises(ValueError, match=r"^body\[0\] must be an object, got 1$"):
        parse_invoices(b"[1]", REQUEST, "org_1")


def test_the_generated_models_are_built_on_first_read_and_the_lines_are_theirs() -> None:
    body = json.dumps(_versori_body(metaData={"seats": 1.5}) * 2).encode()
    first, second = parse_invoices(body, REQUEST, "org_1")
    lazy = type(first).raw.peek(first)  # type: ignore[attr-defined]
    assert isinstance(lazy, Deferred)
    assert second.line_items[0].raw is second.raw.product_breakdowns[0]
    assert second.raw.meta_data.additional_properties == {"seats": Decimal("1.5")}  # exact, never a float
    assert isinstance(type(first).raw.peek(first), Deferred)  # reading the second built only the second
    assert first.line_items[0].total == Money(Decimal("9"), "GBP") and first.id == "in_42"


def test_an_invoice_as_decoded() -> None:
    body = _versori_body(
        totalAmount=monetary_value(12, 5, "GBP", negative=True),
        invoiceURL="https://platform.versori.com/billing/in_42.v2.pdf",
    )
    del body[0]["productBreakdowns"]
    (invoice,) = parse_invoices(json.dumps(body).encode(), REQUEST, "org_1")
    assert (invoice.id, invoice.currency, invoice.total) == ("in_42.v2", "GBP", Money(Decimal("-12.05"), "GBP"))
    assert (invoice.period_start, invoice.period_end, invoice.line_items) == (D(2026, 1, 1), D(2026, 1, 31), ())
    assert (invoice.client_id, invoice.document_url) == ("org_1", "https://platform.versori.com/billing/in_42.v2.pdf")


def test_an_invoice_or_line_whose_generated_model_fails_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from invoice_clients._generated.versori_organisations_client.models import Invoice as Generated
    from invoice_clients.vendors.versori import decoder

    class Regenerated(Generated):
        @classmethod
        def from_dict(cls, src_dict: Any) -> Any:
            model = super().from_dict(src_dict)
            datetime.date.fromisoformat(model.additional_properties.get("syntheticDay", "2026-01-01"))
            return model

    monkeypatch.setattr(decoder, "VersoriInvoice", Regenerated)
    (invoice,) = parse_invoices(json.dumps(_versori_body(syntheticDay="soon")).encode(), REQUEST, "org_1")
    for read, place in ((lambda: invoice.line_items[0].raw, "body[0]"), (lambda: invoice.raw, "body[0]")):
        with pytest.raises(ResponseValidationError) as caught:
            read()
        assert (caught.value.message, caught.value.url) == (
            f"{place} does not fit the generated model (ValueError)",
            REQUEST["url"],
        )
    monkeypatch.setattr(decoder, "VersoriInvoice", Generated)
    (invoice,) = parse_invoices(json.dumps(_versori_body()).encode(), REQUEST, "org_1")
    source = type(invoice).raw.peek(invoice).source  # type: ignore[attr-defined]
    assert source.place((0, 1)) == "body[0].productBreakdowns[1]" and source.place(3) == "body[3]"
