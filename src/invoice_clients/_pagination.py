"""Lazy offset pagination that loses nothing, optionally prefetching a few pages ahead.

Offsets are computed here from ``limit``/``offset``; the server's ``next`` link
is never followed (the spec's own example points at another origin, and
following it would send the key there), and ``count`` is never trusted to end a
listing: a page shorter than the page size (or empty) does.  Only a bounded
window of pages is held at a time, so memory does not grow with the number of
invoices.

Offset pagination shifts when rows are inserted ahead of the cursor, so an
invoice the previous page returned can come back on the next one: it is
dropped, not yielded twice.  A full page that brings nothing new means the
server is not advancing (it ignores ``offset``, as a mock serving one example
does); that raises instead of looping forever.

With ``prefetch=n`` up to ``n`` further pages are requested concurrently while
the current one is consumed; the first 429 the transport sees drops the window
back to one page at a time for the rest of the listing.  Pages past the end
fetched speculatively are discarded, including their errors.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from gcore_billing_client.models import PaginatedErpInvoiceExternalList

from ._models import Invoice

__all__ = ["AsyncPager", "InvoicePage", "SyncPager"]


@dataclass(frozen=True, slots=True)
class InvoicePage:
    """One page of a listing: its invoices, where it starts, and the generated page model as ``raw``."""

    invoices: tuple[Invoice, ...]
    offset: int
    limit: int
    count: int | None
    """The total the server claimed; informational only (it is never used to stop)."""
    raw: PaginatedErpInvoiceExternalList = field(repr=False, compare=False)

    @property
    def received(self) -> int:
        """How many invoices the server sent (``invoices`` omits repeats of the previous page)."""
        return len(self.raw.results)

    @property
    def is_last(self) -> bool:
        """Whether the server sent fewer invoices than the page size, so nothing follows."""
        return self.received < self.limit

    def __iter__(self) -> Iterator[Invoice]:
        return iter(self.invoices)

    def __len__(self) -> int:
        return len(self.invoices)


class _Continuity:
    """Drops invoices the previous page already returned; refuses a listing that stops advancing."""

    def __init__(self, stalled: Callable[[InvoicePage], Exception]) -> None:
        self._stalled = stalled
        self._previous: frozenset[str] = frozenset()

    def fresh(self, page: InvoicePage) -> InvoicePage:
        previous, self._previous = self._previous, frozenset(invoice.id for invoice in page.invoices)
        if not previous.intersection(self._previous):
            return page
        kept = tuple(invoice for invoice in page.invoices if invoice.id not in previous)
        if not kept and not page.is_last:
            raise self._stalled(page)
        return replace(page, invoices=kept)


class SyncPager:
    """Iterate a listing's invoices (``for invoice in pager``) or its pages (``pager.pages()``).

    Each iteration starts a fresh listing from offset 0.
    """

    def __init__(
        self,
        fetch: Callable[[int], Callable[[], InvoicePage]],
        *,
        page_size: int,
        prefetch: int,
        rate_limited: Callable[[], int],
        stalled: Callable[[InvoicePage], Exception],
    ) -> None:
        """``fetch(offset)`` does one page's I/O and returns what parses it into the page.

        With ``prefetch``, the I/O runs on pool threads and the parsing on the consumer's thread, a page at
        a time, as it is reached: the workers hold bytes, not thousands of objects (less garbage collection,
        less contention for the GIL), and a speculative page past the end is never parsed.
        """
        self._fetch = fetch
        self.page_size = page_size
        self.prefetch = prefetch
        self._rate_limited = rate_limited
        self._stalled = stalled

    def fetch_page(self, offset: int = 0) -> InvoicePage:
        """The single page starting at ``offset``."""
        return self._fetch(offset)()

    def __iter__(self) -> Iterator[Invoice]:
        for page in self.pages():
            yield from page.invoices

    def pages(self) -> Iterator[InvoicePage]:
        """Every non-empty page, in order."""
        continuity = _Continuity(self._stalled)
        with contextlib.closing(self._raw_pages()) as raw_pages:  # stops the prefetch pool at once
            for raw_page in raw_pages:
                page = continuity.fresh(raw_page)
                if page.invoices:
                    yield page
                if page.is_last:
                    return

    def _raw_pages(self) -> Generator[InvoicePage]:
        if self.prefetch <= 0:
            offset = 0
            while True:
                page = self._fetch(offset)()
                yield page
                offset += page.received
        yield from self._prefetched_pages()

    def _prefetched_pages(self) -> Generator[InvoicePage]:
        pool = ThreadPoolExecutor(max_workers=self.prefetch + 1, thread_name_prefix="invoice-clients-prefetch")
        pending: deque[Future[Callable[[], InvoicePage]]] = deque()
        window, seen_429, next_offset = self.prefetch + 1, self._rate_limited(), 0
        try:
            while True:
                while len(pending) < window:
                    pending.append(pool.submit(self._fetch, next_offset))
                    next_offset += self.page_size
                page = pending.popleft().result()()
                if self._rate_limited() != seen_429:
                    window = 1
                yield page
        finally:
            pool.shutdown(wait=False, cancel_futures=True)


class AsyncPager:
    """The async twin of :class:`SyncPager`: ``async for invoice in pager`` / ``pager.pages()``."""

    def __init__(
        self,
        fetch: Callable[[int], Awaitable[InvoicePage]],
        *,
        page_size: int,
        prefetch: int,
        rate_limited: Callable[[], int],
        stalled: Callable[[InvoicePage], Exception],
    ) -> None:
        self._fetch = fetch
        self.page_size = page_size
        self.prefetch = prefetch
        self._rate_limited = rate_limited
        self._stalled = stalled

    async def fetch_page(self, offset: int = 0) -> InvoicePage:
        """The single page starting at ``offset``."""
        return await self._fetch(offset)

    async def __aiter__(self) -> AsyncIterator[Invoice]:
        async for page in self.pages():
            for invoice in page.invoices:
                yield invoice

    async def pages(self) -> AsyncIterator[InvoicePage]:
        """Every non-empty page, in order."""
        continuity = _Continuity(self._stalled)
        pending: deque[asyncio.Task[InvoicePage]] = deque()
        window, seen_429, next_offset = max(self.prefetch, 0) + 1, self._rate_limited(), 0
        try:
            while True:
                while len(pending) < window:
                    pending.append(asyncio.ensure_future(self._fetch(next_offset)))
                    next_offset += self.page_size
                page = continuity.fresh(await pending.popleft())
                if self._rate_limited() != seen_429:
                    window = 1
                if page.invoices:
                    yield page
                if page.is_last:
                    return
        finally:
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
