"""The facade against Prism's dynamic mode: schema-valid but adversarial responses.

``prism mock --dynamic`` fabricates every body from the schema: counts that are
negative or huge, ``next`` links to random foreign hosts, extra properties,
nulls where nullable, amounts of any size and sign, currencies that are any
string.  Whatever it sends, the facade must end the listing (complete, or with
``InconsistentListingError``: fabricated pages are in no order and their counts
claim rows that never come), turn every invoice it yields into an ``Invoice``
with exact amounts, yield none twice, and send every
request (and so the key) only to the configured host.  Prism is not seeded: a
seed makes it repeat one body for every request, which would hide paging.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from decimal import Decimal, localcontext
from urllib.parse import urlsplit

import httpx
import pytest

from invoice_clients import (
    AsyncGcoreBilling,
    GcoreBilling,
    InconsistentListingError,
    InvoicePage,
    ResponseValidationError,
    RetryPolicy,
    Versori,
)
from invoice_clients._model.money import minor_unit_exponent

from .conftest import Mocks

KEY = "dynamic-key"
FAST = RetryPolicy(max_attempts=2, initial_delay=0.01, max_delay=0.02)
MAX_PAGES = 200  # pages of 1-5 fabricated invoices end a listing within a few pages; 200 means it never would


class HostLog:
    """Every host the facade's HTTP client connected to."""

    def __init__(self) -> None:
        self.hosts: set[str] = set()

    def sync_client(self) -> httpx.Client:
        return httpx.Client(event_hooks={"request": [self._record]})

    def async_client(self) -> httpx.AsyncClient:
        async def record(request: httpx.Request) -> None:
            self._record(request)

        return httpx.AsyncClient(event_hooks={"request": [record]})

    def _record(self, request: httpx.Request) -> None:
        self.hosts.add(f"{request.url.host}:{request.url.port}")


def host_of(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.hostname}:{parts.port}"


def check_page(page: InvoicePage) -> None:
    """Every fabricated invoice yielded is an ``Invoice`` whose amounts are exactly the strings sent.

    ``invoices`` are the page's rows after the last invoice already yielded: a tail of ``raw.results``.
    """
    assert 0 < len(page.invoices) <= page.received == len(page.raw.results)
    assert page.count is None or page.count >= 0
    for invoice, raw in zip(page.invoices, page.raw.results[page.received - len(page.invoices) :], strict=True):
        assert invoice.id == str(raw.id)
        assert invoice.total is not None and invoice.total.amount == Decimal(raw.amount_total)
        assert invoice.tax is not None and invoice.tax.amount == Decimal(raw.amount_tax)
        assert invoice.currency == raw.currency


@pytest.mark.parametrize(("page_size", "prefetch"), [(2, 0), (2, 3), (3, 1), (100, 0)])
def test_gcore_listings_end_parse_everything_and_stay_on_host(mocks: Mocks, page_size: int, prefetch: int) -> None:
    base_url = mocks.dynamic["gcore"].base_url
    log = HostLog()
    with log.sync_client() as http, GcoreBilling(KEY, base_url=base_url, http_client=http, retry=FAST) as client:
        for _ in range(5):
            pages: list[InvoicePage] = []
            with contextlib.suppress(InconsistentListingError):
                pages.extend(
                    itertools.islice(client.invoices.list(page_size=page_size, prefetch=prefetch).pages(), MAX_PAGES)
                )
            assert len(pages) < MAX_PAGES, "the listing did not end"
            for page in pages:
                check_page(page)
            ids = [invoice.id for page in pages for invoice in page.invoices]
            assert len(ids) == len(set(ids)), "an invoice was yielded twice"
    assert log.hosts == {host_of(base_url)}


def test_gcore_get_and_download_with_fabricated_bodies(mocks: Mocks) -> None:
    base_url = mocks.dynamic["gcore"].base_url
    log = HostLog()
    with log.sync_client() as http, GcoreBilling(KEY, base_url=base_url, http_client=http, retry=FAST) as client:
        for invoice_id in range(1, 11):
            invoice = client.invoices.get(invoice_id)
            assert invoice.total is not None and invoice.total.amount == Decimal(invoice.raw.amount_total)
            with pytest.raises(ResponseValidationError, match="PDF"):  # Prism fabricates text, not a PDF
                client.invoices.download_pdf(invoice_id)
    assert log.hosts == {host_of(base_url)}


def test_async_gcore_listing_with_prefetch(mocks: Mocks) -> None:
    base_url = mocks.dynamic["gcore"].base_url
    log = HostLog()

    async def run() -> None:
        async with (
            log.async_client() as http,
            AsyncGcoreBilling(KEY, base_url=base_url, http_client=http, retry=FAST) as client,
        ):
            seen = 0
            with contextlib.suppress(InconsistentListingError):
                async for page in client.invoices.list(page_size=2, prefetch=2).pages():
                    check_page(page)
                    seen += 1
                    assert seen < MAX_PAGES, "the listing did not end"

    asyncio.run(run())  # the first page may be empty: then there are no pages at all
    assert log.hosts == {host_of(base_url)}


def test_versori_fabricated_money_is_converted_exactly_or_rejected_as_invalid(mocks: Mocks) -> None:
    """The schema allows any ``fractional`` >= 0; only values below the currency's minor-unit range are money.

    Prism fabricates huge ``fractional`` values and arbitrary three-letter codes, so most bodies hold an
    amount that cannot be read (GBP with 4,000,000 pence past the pound).  Those must be a
    ``ResponseValidationError`` that says why; everything else must convert exactly.
    """
    base_url = mocks.dynamic["versori"].base_url
    log = HostLog()
    parsed, rejections = 0, []
    with log.sync_client() as http, Versori(KEY, base_url=base_url, http_client=http, retry=FAST) as client:
        for _ in range(30):
            try:
                invoices = client.invoices.list("org_acme")
            except ResponseValidationError as exc:
                rejections.append(str(exc))
                continue
            parsed += 1
            for invoice in invoices:
                money, raw = invoice.total, invoice.raw.total_amount
                assert money is not None
                exponent = minor_unit_exponent(raw.currency_code) or 0
                with localcontext(prec=60):  # int64 parts: exact
                    magnitude = Decimal(raw.integral) + Decimal(raw.fractional).scaleb(-exponent)
                assert money.amount == (magnitude.copy_negate() if raw.is_negative else magnitude)
                assert money.currency == raw.currency_code
    assert parsed + len(rejections) == 30
    assert all("fractional" in message and KEY not in message for message in rejections), rejections
    print(f"versori dynamic: {parsed} bodies parsed, {len(rejections)} rejected")
    assert log.hosts == {host_of(base_url)}
