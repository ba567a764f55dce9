"""Your process, close(): nothing of a closed client or an abandoned listing keeps running, and a closed client
says so in the library's own words.

Pages are in flight to a server that holds them for a minute; the server, not
the client, tells whether their connections were closed.  Bounds
(:data:`BOUND`) make a hang fail; they are not measurements.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from invoice_clients import (
    AsyncGcoreBilling,
    AsyncVersori,
    ClientClosedError,
    GcoreBilling,
    InvoiceClientsError,
    Versori,
)
from tests.servers.paging import PagingServer
from tests.servers.stalled import StalledServer, wait_until

pytestmark = pytest.mark.adversarial

BOUND = 3.0
KEY = "sk-test-close-0123456789"


def _prefetch_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("invoice-clients-prefetch")]


def _listing_into_page_two(gcore: GcoreBilling) -> Iterator[object]:
    """A listing suspended in its second page, with the pages after it in flight (the server holds them)."""
    it = iter(gcore.invoices.list())
    for _ in range(150):
        next(it)
    return it


def _drop(it: Iterator[object]) -> None:
    del it  # the last reference: the iteration is finalised here


ENDINGS: dict[str, Callable[[GcoreBilling, Any], object]] = {
    "the client closed": lambda gcore, it: gcore.close(),
    "the iterator closed": lambda gcore, it: it.close(),
    "the iterator dropped": lambda gcore, it: None,  # the test drops its reference
}


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_pages_in_flight_end_with_their_listing_or_client(ending: str) -> None:
    before = len(_prefetch_threads())
    with StalledServer(answered=(0, 99)) as server:
        gcore = GcoreBilling(KEY, base_url=server.url)
        try:
            holder = [_listing_into_page_two(gcore)]
            assert wait_until(lambda: server.open >= 8, 10), f"{server.open} pages in flight"
            ENDINGS[ending](gcore, holder[0])
            holder.clear()
            assert wait_until(lambda: server.open == 0, BOUND), f"{server.open} connections still open"
            assert wait_until(lambda: len(_prefetch_threads()) == before, BOUND), _prefetch_threads()
        finally:
            gcore.close()


def test_close_from_another_thread_ends_the_listing_with_client_closed_error() -> None:
    with StalledServer() as server:
        gcore = GcoreBilling(KEY, base_url=server.url)
        outcome: list[BaseException | None] = []

        def consume() -> None:
            try:
                for _ in gcore.invoices.list():
                    pass
                outcome.append(None)
            except BaseException as exc:
                outcome.append(exc)

        consumer = threading.Thread(target=consume)
        consumer.start()
        try:
            in_flight = wait_until(lambda: server.open >= 8 or not consumer.is_alive(), 10)
            assert in_flight and consumer.is_alive(), f"{server.open} pages in flight; the listing ended: {outcome}"
        finally:
            gcore.close()
        assert not _prefetch_threads()  # close() returns once they are gone
        consumer.join(BOUND)
        assert not consumer.is_alive(), "the listing still waits for a page of a closed client"
        assert isinstance(outcome[0], ClientClosedError), outcome
        assert wait_until(lambda: server.open == 0, BOUND), f"{server.open} connections still open"


def test_aclose_ends_an_async_listing_with_client_closed_error() -> None:
    async def main(server: StalledServer) -> BaseException | None:
        gcore = AsyncGcoreBilling(KEY, base_url=server.url)

        async def consume() -> None:
            async for _ in gcore.invoices.list():
                pass

        consumer = asyncio.ensure_future(consume())
        ends_at = asyncio.get_running_loop().time() + 10
        while server.open < 8 and not consumer.done():
            assert asyncio.get_running_loop().time() < ends_at, f"{server.open} pages in flight after 10 s"
            await asyncio.sleep(0.02)
        assert not consumer.done(), f"the listing ended before its pages were in flight: {consumer.exception()!r}"
        await gcore.aclose()
        try:
            await asyncio.wait_for(consumer, BOUND)
        except BaseException as exc:
            return exc
        return None

    with StalledServer() as server:
        outcome = asyncio.run(main(server))
        assert isinstance(outcome, ClientClosedError), repr(outcome)
        assert wait_until(lambda: server.open == 0, BOUND), f"{server.open} connections still open"


def test_every_call_after_close_raises_client_closed_error(tmp_path: Path) -> None:
    with StalledServer() as server:
        with GcoreBilling(KEY, base_url=server.url) as gcore:
            pass
        with Versori(KEY, base_url=server.url) as versori:
            pass
        calls: dict[str, Callable[[], object]] = {
            "gcore get": lambda: gcore.invoices.get(1),
            "gcore list": lambda: list(gcore.invoices.list()),
            "gcore list prefetch=0": lambda: list(gcore.invoices.list(prefetch=0)),
            "gcore pages": lambda: next(gcore.invoices.list().pages()),
            "gcore fetch_page": lambda: gcore.invoices.list().fetch_page(0),
            "gcore download_pdf": lambda: gcore.invoices.download_pdf(1),
            "gcore download_pdf to a path": lambda: gcore.invoices.download_pdf(1, to=tmp_path / "x.pdf"),
            "versori list": lambda: versori.invoices.list("org_1"),
            "versori upcoming": lambda: versori.invoices.upcoming("org_1"),
        }
        for name, call in calls.items():
            with pytest.raises(ClientClosedError) as caught:
                call()
            assert isinstance(caught.value, InvoiceClientsError) and isinstance(caught.value, RuntimeError), name
            assert KEY not in str(caught.value)
        assert server.stalled == 0  # nothing was sent
        assert list(tmp_path.iterdir()) == []


def test_every_async_call_after_aclose_raises_client_closed_error() -> None:
    async def main(url: str) -> list[str]:
        async with AsyncGcoreBilling(KEY, base_url=url) as gcore:
            pass
        async with AsyncVersori(KEY, base_url=url) as versori:
            pass

        async def listed() -> object:
            return [invoice async for invoice in gcore.invoices.list()]

        calls: dict[str, Callable[[], Any]] = {
            "gcore get": lambda: gcore.invoices.get(1),
            "gcore list": listed,
            "gcore pages": lambda: gcore.invoices.list().pages().__anext__(),
            "gcore fetch_page": lambda: gcore.invoices.list().fetch_page(0),
            "gcore download_pdf": lambda: gcore.invoices.download_pdf(1),
            "versori list": lambda: versori.invoices.list("org_1"),
            "versori upcoming": lambda: versori.invoices.upcoming("org_1"),
        }
        wrong = []
        for name, call in calls.items():
            try:
                await call()
                wrong.append(f"{name}: no error")
            except ClientClosedError:
                pass
            except BaseException as exc:
                wrong.append(f"{name}: {type(exc).__module__}.{type(exc).__name__}")
        return wrong

    with StalledServer() as server:
        assert asyncio.run(main(server.url)) == []


def test_a_listing_open_across_close_ends_with_client_closed_error() -> None:
    with StalledServer(answered=(0, 99, 198, 297, 396)) as server:  # five pages answer at once, the rest stall
        gcore = GcoreBilling(KEY, base_url=server.url)
        it = _listing_into_page_two(gcore)  # 150 invoices yielded; pages 3 to 5 arrive meanwhile
        assert wait_until(lambda: server.open >= 4, 10), f"{server.open} pages in flight"
        gcore.close()
        after: list[object] = []
        with pytest.raises(ClientClosedError):
            after.extend(it)
        assert len(after) <= 49  # the rest of the page in hand at most: pages fetched but not reached are not yielded


def test_a_closed_http_client_of_your_own_is_a_client_closed_error() -> None:
    with StalledServer() as server, httpx.Client() as mine:
        gcore = GcoreBilling(KEY, base_url=server.url, http_client=mine)
        mine.close()
        with pytest.raises(ClientClosedError, match="http_client"):
            gcore.invoices.get(1)


def test_sixteen_threads_share_one_client_and_each_lists_everything() -> None:
    with (
        PagingServer(rows=1000, keep_alive=True, max_requests=10**6) as server,
        GcoreBilling(KEY, base_url=server.base_url) as gcore,
    ):
        results: list[list[int] | BaseException] = []

        def listing() -> None:
            try:
                results.append([int(invoice.id) for invoice in gcore.invoices.list()])
            except BaseException as exc:
                results.append(exc)

        threads = [threading.Thread(target=listing) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert [result for result in results if not isinstance(result, list)] == []
        assert len(results) == 16 and all(result == list(range(1, 1001)) for result in results)


def _open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0


def test_clients_opened_and_closed_leave_nothing_behind() -> None:
    with StalledServer(answered=(0,), rows=50) as server:  # one short page: the whole listing
        with GcoreBilling(KEY, base_url=server.url) as gcore:  # warm up: lazy imports, the first SSL context
            assert len(list(gcore.invoices.list())) == 50
        descriptors, threads = _open_descriptors(), threading.active_count()
        for _ in range(30):  # a descriptor or a thread left per client would show as 30
            with GcoreBilling(KEY, base_url=server.url) as gcore:
                assert len(list(gcore.invoices.list())) == 50
        assert _open_descriptors() <= descriptors + 2  # the server's last connection may still be closing
        assert wait_until(lambda: threading.active_count() <= threads, BOUND)
