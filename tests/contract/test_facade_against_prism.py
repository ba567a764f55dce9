"""Every facade operation against Prism mocking the patched specs (static examples).

Prism validates each request the facade sends: a float id, a malformed date or
a value outside an enum gets a 400 (the list's declared one) or 422, which the facade raises as
``BadRequestError``, failing the test.  The wire recorder in front of Prism
checks what Prism tolerates but the spec forbids, such as a repeated
``ordering`` parameter.  ``Prefer: code=N`` makes Prism answer with one of the
operation's documented error responses, to check the facade's error mapping
against the spec rather than against our own sandbox.
"""

from __future__ import annotations

import asyncio
import datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from invoice_clients import (
    AsyncGcoreBilling,
    AsyncVersori,
    AuthenticationError,
    BadRequestError,
    GcoreBilling,
    InconsistentListingError,
    InvoiceKind,
    NotFoundError,
    PaymentState,
    PermissionDeniedError,
    ResponseValidationError,
    RetryPolicy,
    ServerError,
    Versori,
)

from .conftest import Mocks
from .harness import WireRecorder

KEY = "contract-test-key"
FAST = RetryPolicy(max_attempts=3, initial_delay=0.01, max_delay=0.02)
LIST_PATH = "/billing/org/v1/erp-invoices"


def gcore(base_url: str, **headers: str) -> GcoreBilling:
    return GcoreBilling(
        KEY, base_url=base_url, retry=FAST, http_client=httpx.Client(headers=headers) if headers else None
    )


def test_list_with_every_filter_is_accepted_by_prism_and_sent_as_the_spec_says(recorder: WireRecorder) -> None:
    with gcore(recorder.base_url) as client:
        # The first page only: Prism's example claims 123 invoices (count, next) but holds one, so a whole
        # listing ends in InconsistentListingError (see the next test).
        first = next(
            client.invoices.list(
                invoice_date_from=datetime.date(2026, 1, 1),
                invoice_date_to=datetime.date(2026, 3, 31),
                billing_period_from=datetime.date(2025, 12, 1),
                billing_period_to=datetime.date(2026, 3, 31),
                currency="EUR",
                move_type="out_refund",
                payment_state="not_paid",
                client_id=4242,
                payer_id=77,
                ordering=["-invoice_date", "amount_total"],
            ).pages()
        )
    invoices = list(first)
    (request,) = recorder.requests  # its `next` link is never followed
    assert request.path == LIST_PATH
    assert sorted(request.query) == sorted(
        [
            ("invoice_date__from", "2026-01-01"),
            ("invoice_date__to", "2026-03-31"),
            ("billing_period_from__from", "2025-12-01"),
            ("billing_period_to__to", "2026-03-31"),
            ("currency", "EUR"),
            ("move_type", "out_refund"),
            ("payment_state", "not_paid"),
            ("client_id", "4242"),
            ("payer_id", "77"),
            ("ordering", "-invoice_date,amount_total,id"),
            ("limit", "100"),
            ("offset", "0"),
        ]
    )
    assert request.headers["Authorization"] == f"apikey {KEY}"
    (invoice,) = invoices
    assert invoice.number == "INV/2026/00042"
    assert invoice.currency == "EUR"
    assert invoice.total is not None and invoice.total.amount == Decimal("1512.500000000000")
    assert invoice.subtotal is not None and invoice.subtotal.amount + invoice.tax.amount == invoice.total.amount  # type: ignore[union-attr]
    assert invoice.kind is InvoiceKind.INVOICE and invoice.payment_state is PaymentState.NOT_PAID


def test_a_mock_that_ignores_offset_ends_the_listing_with_an_error_not_a_loop(recorder: WireRecorder) -> None:
    """Static Prism answers every offset with its one-invoice example (count=123, `next` at api.example.org).

    The page is short but claims more, so the facade asks for the following offsets itself, on the configured
    host; the same invoice coming back every time brings nothing new, which ends in an error (after a bounded
    number of pages) rather than an endless loop or a listing quietly cut short.
    """
    with gcore(recorder.base_url) as client:
        pages = client.invoices.list(page_size=1, prefetch=0).pages()  # one at a time: offsets in order
        first = next(pages)
        with pytest.raises(InconsistentListingError, match="pages in a row brought nothing new"):
            next(pages)
    assert (len(first), first.count) == (1, 123)
    offsets = [int(dict(r.query)["offset"]) for r in recorder.requests]
    assert offsets[:3] == [0, 1, 2] and len(offsets) <= 18
    assert all(dict(r.query)["ordering"] == "id" and dict(r.query)["limit"] == "2" for r in recorder.requests)
    # The default (adaptive prefetch) ends the same way; concurrent requests arrive in any order, and up to
    # 8 more may be in flight and 8 queued behind them (count 123 claims rows there) when the error is raised:
    # all discarded unparsed.
    recorder.requests.clear()
    with gcore(recorder.base_url) as client, pytest.raises(InconsistentListingError, match="brought nothing new"):
        list(client.invoices.list(page_size=1))
    assert 0 < len(recorder.requests) <= 18 + 8 + 8


def test_get_parses_the_specs_example_exactly(recorder: WireRecorder) -> None:
    with gcore(recorder.base_url) as client:
        invoice = client.invoices.get(42)
    (request,) = recorder.requests
    assert request.path == f"{LIST_PATH}/42" and request.query == []
    assert (invoice.number, invoice.currency) == ("INV/2026/00042", "EUR")
    assert invoice.tax is not None and invoice.tax.amount == Decimal("262.500000000000")
    assert invoice.raw.client_id == 4242


def test_download_pdf_as_bytes_and_to_a_file(recorder: WireRecorder, tmp_path: Path) -> None:
    # The spec says only `type: string, format: binary`: Prism answers with a text that is no PDF, which the
    # facade must refuse (no %PDF- signature) without writing anything. The request is what Prism can vouch for.
    target = tmp_path / "invoice.pdf"
    with gcore(recorder.base_url) as client:
        with pytest.raises(ResponseValidationError, match="%PDF-"):
            client.invoices.download_pdf(42)
        with pytest.raises(ResponseValidationError, match="%PDF-"):
            client.invoices.download_pdf(42, to=target)
    assert list(tmp_path.iterdir()) == []
    assert [r.path for r in recorder.requests] == [f"{LIST_PATH}/42/download"] * 2
    assert all(r.headers["Accept"] == "application/pdf" for r in recorder.requests)


@pytest.mark.parametrize(
    ("code", "error"), [(401, AuthenticationError), (403, PermissionDeniedError), (404, NotFoundError)]
)
def test_documented_error_responses_map_to_typed_exceptions(recorder: WireRecorder, code: int, error: type) -> None:
    with gcore(recorder.base_url, Prefer=f"code={code}") as client, pytest.raises(error) as caught:
        client.invoices.get(42)
    assert caught.value.status_code == code
    assert KEY not in str(caught.value) and KEY not in repr(caught.value)
    assert len(recorder.requests) == 1  # 4xx is never retried


def test_the_newly_declared_list_400_and_download_404_map_as_before(recorder: WireRecorder, tmp_path: Path) -> None:
    # overlays/gcore-billing.yaml declares them; Prism serves only a declared status for `Prefer: code=N`.
    with gcore(recorder.base_url, Prefer="code=400") as client, pytest.raises(BadRequestError) as bad:
        next(iter(client.invoices.list()))
    with gcore(recorder.base_url, Prefer="code=404") as client, pytest.raises(NotFoundError) as missing:
        client.invoices.download_pdf(42, to=tmp_path / "invoice.pdf")
    assert (bad.value.status_code, missing.value.status_code) == (400, 404)
    assert len(recorder.requests) == 2  # neither is retried
    assert list(tmp_path.iterdir()) == []


def test_pdf_temporarily_unavailable_is_retried_then_raised(recorder: WireRecorder) -> None:
    with gcore(recorder.base_url, Prefer="code=502") as client, pytest.raises(ServerError) as caught:
        client.invoices.download_pdf(42)
    assert caught.value.status_code == 502
    assert len(recorder.requests) == FAST.max_attempts


def test_async_twin_sends_the_same_requests(recorder: WireRecorder) -> None:
    async def run() -> tuple[int, str | None]:
        async with AsyncGcoreBilling(KEY, base_url=recorder.base_url, retry=FAST) as client:
            # The first page only: the example's count claims 123 invoices, so a whole listing raises.
            first = await anext(client.invoices.list(ordering=["-invoice_date"]).pages())
            one = await client.invoices.get(42)
            return len(first), one.number

    assert asyncio.run(run()) == (1, "INV/2026/00042")
    assert [dict(r.query).get("ordering") for r in recorder.requests] == ["-invoice_date,id", None]


def test_versori_list_sends_explicit_dates_and_converts_minor_units(versori_recorder: WireRecorder) -> None:
    with Versori(KEY, base_url=versori_recorder.base_url, retry=FAST) as client:
        invoices = client.invoices.list("org_acme", start=datetime.date(2026, 1, 1), end=datetime.date(2026, 2, 1))
        upcoming = client.invoices.upcoming("org_acme")
    listed, next_one = versori_recorder.requests
    assert listed.path == "/organisations/org_acme/billing/invoices"
    assert sorted(listed.query) == [("from", "2026-01-01"), ("to", "2026-02-01")]
    assert next_one.query == []  # the upcoming invoice is the API's no-dates form
    assert all(r.headers["Authorization"] == f"Bearer {KEY}" for r in versori_recorder.requests)
    (invoice,) = invoices
    assert invoice.total is not None and str(invoice.total) == "12.05 GBP"
    assert invoice.document_url == "https://platform.versori.com/billing/invoices/in_1Q2w3E4r5T6y.pdf"
    assert upcoming is not None and upcoming.total == invoice.total


def test_versori_async_twin(mocks: Mocks) -> None:
    async def run() -> str:
        async with AsyncVersori(KEY, base_url=mocks.static["versori"].base_url, retry=FAST) as client:
            (invoice,) = await client.invoices.list("org_acme")
            return str(invoice.total)

    assert asyncio.run(run()) == "12.05 GBP"


def test_versori_overlay_is_what_makes_the_facade_work(mocks: Mocks) -> None:
    """Against the unpatched spec Prism rejects its own invoices; the overlay fixes exactly that."""
    unpatched = Versori(KEY, base_url=mocks.static["versori-unpatched"].base_url, retry=FAST)
    with unpatched as client, pytest.raises(ServerError) as caught:
        client.invoices.list("org_acme")
    assert caught.value.status_code == 500
    assert "currencyCode" in str(caught.value.body)
    with Versori(KEY, base_url=mocks.static["versori"].base_url, retry=FAST) as client:
        assert len(client.invoices.list("org_acme")) == 1
