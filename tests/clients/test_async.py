"""The async twins behave like the sync clients, over the same sandbox."""

from __future__ import annotations

import asyncio
import datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from invoice_clients import (
    APIConnectionError,
    AsyncGcoreBilling,
    AsyncVersori,
    Money,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from invoice_clients.testing import Fault, Sandbox
from tests.conftest import FAST, gcore_list_requests


def test_async_gcore(sandbox: Sandbox, tmp_path: Path) -> None:
    async def main() -> None:
        async with sandbox.async_gcore_client(retry=FAST) as gcore:
            ids = [invoice.id async for invoice in gcore.invoices.list(page_size=10, ordering=["-id"])]
            assert ids == [str(n) for n in range(31, 0, -1)]
            pages = [page async for page in gcore.invoices.list(page_size=10, currency="GBP").pages()]
            assert [len(page) for page in pages] == [10]
            invoice = await gcore.invoices.get(2)
            assert invoice.total.currency == "GBP"
            pdf = await gcore.invoices.download_pdf(2)
            assert pdf.startswith(b"%PDF")
            assert await gcore.invoices.download_pdf(2, to=tmp_path / "2.pdf") == len(pdf)
            with pytest.raises(NotFoundError):
                await gcore.invoices.get(999)

    asyncio.run(main())
    assert gcore_list_requests(sandbox)[0]["ordering"] == ["-id"]
    assert (tmp_path / "2.pdf").read_bytes().startswith(b"%PDF")


def test_async_retries_and_errors(sandbox: Sandbox) -> None:
    async def main() -> None:
        async with sandbox.async_gcore_client(retry=FAST) as gcore:
            sandbox.inject(Fault.rate_limit(retry_after=0.05))
            sandbox.inject(Fault.drop())
            sandbox.inject(Fault.truncate())
            assert (await gcore.invoices.get(1)).id == "1"
            assert len(sandbox.requests) == 4
            sandbox.inject(Fault.status(503), times=None)
            with pytest.raises(ServerError):
                await gcore.invoices.get(1)
            sandbox.clear_faults()
            sandbox.inject(Fault.rate_limit(retry_after=0), times=None)
            with pytest.raises(RateLimitError):
                await gcore.invoices.get(1)
            sandbox.clear_faults()
            sandbox.inject(Fault.timeout(0.5), times=None)
            with pytest.raises(APIConnectionError):
                await gcore.invoices.get(1, timeout=0.05)

    asyncio.run(main())


def test_async_prefetch(sandbox: Sandbox) -> None:
    async def main() -> list[str]:
        async with sandbox.async_gcore_client(retry=FAST) as gcore:
            return [invoice.id async for invoice in gcore.invoices.list(page_size=3, prefetch=3)]

    assert asyncio.run(main()) == [str(n) for n in range(1, 32)]


def test_async_early_exit_cancels_prefetch(sandbox: Sandbox) -> None:
    async def main() -> str:
        async with sandbox.async_gcore_client(retry=FAST) as gcore:
            pager = gcore.invoices.list(page_size=3, prefetch=2).pages()
            first = await anext(pager)
            await pager.aclose()
            return first.invoices[0].id

    assert asyncio.run(main()) == "1"


def test_async_versori(sandbox: Sandbox) -> None:
    async def main() -> None:
        async with sandbox.async_versori_client(retry=FAST) as versori:
            versori.invoices.today = lambda: datetime.date(2026, 3, 31)
            invoices = await versori.invoices.list("org_acme")
            assert [i.period_start for i in invoices] == [datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)]
            upcoming = await versori.invoices.upcoming("org_acme")
            assert upcoming is not None and upcoming.total == Money(Decimal("42.50"), "GBP")
            with pytest.raises(NotFoundError):
                await versori.invoices.upcoming("org_missing")

    asyncio.run(main())
    assert dict(sandbox.requests[0].query) == {"from": "2026-02-28", "to": "2026-03-31"}


def test_injected_http_clients_are_not_closed(sandbox: Sandbox) -> None:
    async def main() -> None:
        async with httpx.AsyncClient() as http:
            async with AsyncVersori("sandbox-versori-key", base_url=sandbox.versori_base_url, http_client=http) as v:
                await v.invoices.upcoming("org_acme")
            assert not http.is_closed
            async with AsyncGcoreBilling("sandbox-gcore-key", base_url=sandbox.url, http_client=http) as g:
                await g.invoices.get(1)
            assert not http.is_closed

    asyncio.run(main())
    with pytest.raises(TypeError):
        AsyncGcoreBilling("k", http_client=httpx.Client())  # type: ignore[arg-type]
