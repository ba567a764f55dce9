"""get and download_pdf, and forward compatibility of parsing."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from invoice_clients import (
    GcoreBilling,
    InvalidArgumentError,
    InvoiceKind,
    Money,
    PaymentState,
    ResponseValidationError,
    ServerError,
    Vendor,
)
from invoice_clients.testing import Fault, Sandbox


def test_get(gcore: GcoreBilling, sandbox: Sandbox) -> None:
    invoice = gcore.invoices.get(7)
    assert invoice.vendor is Vendor.GCORE
    assert (invoice.id, invoice.number, invoice.kind) == ("7", "RINV/2025/00007", InvoiceKind.CREDIT_NOTE)
    assert invoice.total == Money(Decimal("-2216.800000000000"), "USD")
    assert invoice.subtotal is not None and invoice.tax is not None
    assert invoice.subtotal.amount + invoice.tax.amount == invoice.total.amount
    assert invoice.payment_state is PaymentState.REVERSED
    assert invoice.raw.id == 7 and invoice.raw.invoice_id == 1007
    assert sandbox.requests[-1].path == "/billing/org/v1/erp-invoices/7"
    assert sandbox.requests[-1].headers["authorization"] == "apikey sandbox-gcore-key"
    assert gcore.invoices.get("7") == invoice


def test_invoice_is_frozen(gcore: GcoreBilling) -> None:
    invoice = gcore.invoices.get(1)
    with pytest.raises(AttributeError):
        invoice.total = invoice.tax  # type: ignore[misc]


def test_draft_with_null_dates(gcore: GcoreBilling) -> None:
    draft = gcore.invoices.get(31)
    assert (draft.issue_date, draft.due_date, draft.period_start, draft.period_end) == (None, None, None, None)


def test_forward_compatible_values(sandbox: Sandbox, gcore: GcoreBilling) -> None:
    added = sandbox.gcore.add_invoice(
        move_type="out_receipt",
        payment_state="written_off",
        currency="XCG",
        amount_untaxed="-123456789.5",
        amount_tax="0",
        amount_total="-123456789.500000000000",
        brand_new_field={"nested": True},
    )
    invoice = gcore.invoices.get(added["id"])
    assert invoice.kind == "out_receipt" and invoice.payment_state == "written_off"
    assert invoice.total == Money(Decimal("-123456789.5"), "XCG")
    assert invoice.raw.additional_properties["brand_new_field"] == {"nested": True}
    assert invoice.id in {i.id for i in gcore.invoices.list()}


@pytest.mark.parametrize(
    "broken",
    [
        {"amount_total": "twelve"},
        {"amount_total": True},
        {"invoice_date": "31/01/2026"},
        {"currency": None},
        {"id": "seven"},
    ],
)
def test_body_that_does_not_fit_is_a_validation_error(
    sandbox: Sandbox, gcore: GcoreBilling, broken: dict[str, object]
) -> None:
    sandbox.gcore.add_invoice(id=99).update(broken)
    with pytest.raises(ResponseValidationError) as caught:
        gcore.invoices.get(99)
    assert caught.value.status_code == 200 and caught.value.method == "GET"


def test_amount_sent_as_json_number_is_a_validation_error(sandbox: Sandbox, gcore: GcoreBilling) -> None:
    # The spec says decimal string; a JSON number may already have been rounded by the server's float.
    sandbox.gcore.add_invoice(id=99).update(amount_total=0.1)
    with pytest.raises(ResponseValidationError, match=r"invoice.amount_total must be a decimal string, got Decimal"):
        gcore.invoices.get(99)


def test_missing_field_is_a_validation_error(sandbox: Sandbox, gcore: GcoreBilling) -> None:
    sandbox.inject(Fault.status(200, body='{"results": []}'))
    with pytest.raises(ResponseValidationError, match="count"):
        list(gcore.invoices.list())
    sandbox.inject(Fault.status(200, body="<html>oops</html>"))
    with pytest.raises(ResponseValidationError, match="oops"):
        gcore.invoices.get(1)


def test_download_pdf_bytes(gcore: GcoreBilling, sandbox: Sandbox) -> None:
    pdf = gcore.invoices.download_pdf(3)
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF") and b"INV/2025/00003" in pdf
    assert sandbox.requests[-1].headers["accept"] == "application/pdf"


def test_download_pdf_to_path_and_file(gcore: GcoreBilling, tmp_path: Path) -> None:
    expected = gcore.invoices.download_pdf(3)
    target = tmp_path / "invoice.pdf"
    assert gcore.invoices.download_pdf(3, to=target) == len(expected)
    assert target.read_bytes() == expected
    assert gcore.invoices.download_pdf(3, to=str(target)) == len(expected)
    buffer = io.BytesIO()
    assert gcore.invoices.download_pdf(3, to=buffer) == len(expected)
    assert buffer.getvalue() == expected
    assert [p.name for p in tmp_path.iterdir()] == ["invoice.pdf"]


def test_download_502_is_retried(gcore: GcoreBilling, sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.inject(Fault.status(502), path="/download", times=2)
    sandbox.inject(Fault.truncate(), path="/download")
    target = tmp_path / "invoice.pdf"
    gcore.invoices.download_pdf(3, to=target)
    assert target.read_bytes() == gcore.invoices.download_pdf(3)
    assert len([r for r in sandbox.requests if r.path.endswith("/download")]) == 5


def test_download_unavailable_gives_up_and_leaves_no_file(
    gcore: GcoreBilling, sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.gcore.pdf_unavailable = True
    target = tmp_path / "invoice.pdf"
    with pytest.raises(ServerError) as caught:
        gcore.invoices.download_pdf(3, to=target)
    assert caught.value.status_code == 502 and "temporarily unavailable" in caught.value.body
    assert list(tmp_path.iterdir()) == []
    assert len(sandbox.requests) == gcore.retry.max_attempts


@pytest.mark.parametrize("bad", ["abc", 1.5, True, None])
def test_bad_ids(gcore: GcoreBilling, bad: object) -> None:
    with pytest.raises(InvalidArgumentError):
        gcore.invoices.get(bad)  # type: ignore[arg-type]


def test_request_urls_are_parsed_once_and_the_memo_is_bounded(
    gcore: GcoreBilling, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sender keeps request URLs parsed (each page of a listing reuses one), and never more than its cap."""
    from invoice_clients._http import sender as _sender

    monkeypatch.setattr(_sender, "_PARSED_URLS", 3)
    sender = gcore._sender  # type: ignore[attr-defined]
    sender._parsed.clear()
    ids = [int(invoice.id) for invoice in gcore.invoices.list(page_size=2, prefetch=0)][:6]
    assert len(sender._parsed) == 1  # every page: the same URL, parsed once
    for invoice_id in ids:
        assert gcore.invoices.get(invoice_id).id == str(invoice_id)  # the right URL each time, memo or not
        assert len(sender._parsed) <= 3
    assert [r.path for r in sandbox.requests][-len(ids) :] == [f"/billing/org/v1/erp-invoices/{n}" for n in ids]


def test_each_invoice_says_who_is_billed_and_who_pays(sandbox: Sandbox, gcore: GcoreBilling) -> None:
    sandbox.gcore.add_invoice(id=77, client_id=-5, payer_id=2**63 - 1, extra="a property the spec does not list")
    listed = {invoice.id: invoice for invoice in gcore.invoices.list()}  # the typed decoder, then the dict path
    assert (listed["1"].client_id, listed["1"].payer_id) == ("4242", "4242")
    assert (listed["2"].client_id, listed["2"].payer_id) == ("5151", "9090")
    assert (listed["77"].client_id, listed["77"].payer_id) == ("-5", str(2**63 - 1))
    one = gcore.invoices.get(2)
    assert (one.client_id, one.payer_id) == ("5151", "9090")
    assert [i.id for i in gcore.invoices.list(client_id=5151)] == [
        i.id for i in listed.values() if i.client_id == "5151"
    ]
