"""Lazy offset pagination that loses nothing: the sync and async drivers around :class:`.listing.Listing`.

:class:`SyncPager` and :class:`AsyncPager` differ only in their I/O (threads or asyncio tasks for prefetch); what
to fetch and what a page means is the listing's.  Offsets are computed locally; the server's ``next`` link is
never followed (it could send the key to another origin), only read as a claim that more rows exist.  A bounded
window of pages is held, requested ahead at the offsets the listing predicts (``prefetch``; adaptive by default,
one page at a time after a 429): docs/maintainers/design.md, "Prefetch".  Each iteration runs under a
:class:`~invoice_clients._http.cancel.Cancellation` of its own: however it ends, the pages still in flight are
cancelled and their connections closed; a listing whose client is closed raises
:class:`~invoice_clients.ClientClosedError` at its next page.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator, Iterator
from concurrent.futures import CancelledError
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from .._http.cancel import Cancellation
from .._model.invoice import Invoice
from .._model.lazy import make_lazy
from .listing import Listing, SortKey, kept_in_flight
from .workers import Workers

if TYPE_CHECKING:
    import asyncio  # at run time, imported by the async pager only: sync users never need it

__all__ = ["AUTO_PREFETCH", "AsyncPager", "InvoicePage", "Owner", "PagingPlan", "SyncPager"]

AUTO_PREFETCH = 8
"""The most pages the default (adaptive) prefetch has in flight beyond the one being waited for."""


@dataclass(frozen=True, slots=True)
class InvoicePage:
    """One page of a listing: its invoices, where it starts, and the vendor's generated page model as ``raw``."""

    invoices: tuple[Invoice, ...]
    """The invoices new on this page, in the listing's order (those it shares with the page before are left out:
    pages overlap, see ``received``)."""
    offset: int
    """Where the page starts in the listing (``offset`` sent)."""
    limit: int
    """The page size asked for (``limit`` sent)."""
    count: int | None
    """The total the server claimed (``None`` if negative); more than ``offset + received`` keeps a short page
    from ending the listing."""
    received: int
    """How many invoices the server sent (``invoices`` omits those already yielded: the overlap)."""
    next_link: bool
    """Whether the response carries a link to a next page."""
    raw: object = field(repr=False, compare=False)
    """The vendor's generated page model, built on first read."""

    @property
    def more_claimed(self) -> bool:
        """Whether the response says rows exist beyond it: ``count`` above ``offset + received``, or a ``next`` link."""
        beyond = self.count is not None and self.count > self.offset + self.received
        return beyond or self.next_link

    @property
    def is_last(self) -> bool:
        """Whether nothing follows: fewer invoices than the page size, and no claim of more."""
        return self.received < self.limit and not self.more_claimed

    def __iter__(self) -> Iterator[Invoice]:
        return iter(self.invoices)

    def __len__(self) -> int:
        return len(self.invoices)


_PAGE_RAW = make_lazy(InvoicePage, "raw")  # built on first read (see _model.lazy)


FetchT = TypeVar("FetchT")


class Owner(Protocol):
    """What a pager needs of the client it lists through: its lifetime, and the error once it is closed."""

    @property
    def lifetime(self) -> Cancellation: ...

    def closed_error(self) -> Exception: ...


@dataclass(frozen=True, slots=True)
class PagingPlan:
    """What a vendor's ``list`` tells its pager besides the fetch function (the I/O): the same for both pagers."""

    page_size: int
    """Invoices per page asked for."""
    limit: int
    """The ``limit`` sent (the page size the server is asked for)."""
    prefetch: int | None
    """Pages fetched ahead (``None``: adaptive)."""
    key: Callable[[Invoice], SortKey]
    """The listing's order, as a sort key of an invoice."""
    rate_limited: Callable[[], int]
    """How many 429s the client has met so far (a change throttles the listing)."""
    inconsistent: Callable[[int, int, str], Exception]
    """``(offset, limit, message)`` -> the error for pages that do not fit together."""
    owner: Owner
    """The client listed through."""


class _Pager(Generic[FetchT]):
    """What both pagers share: the page size, the prefetch window, and a fresh :class:`Listing` per iteration."""

    def __init__(self, fetch: FetchT, plan: PagingPlan) -> None:
        self._fetch = fetch
        self._plan = plan

    @property
    def page_size(self) -> int:
        """Invoices per page asked for."""
        return self._plan.page_size

    @property
    def prefetch(self) -> int | None:
        """Pages fetched ahead (``None``: adaptive)."""
        return self._plan.prefetch

    def _listing(self) -> Listing:
        plan = self._plan
        return Listing(
            limit=plan.limit,
            window=1 if self.prefetch is None else self._most_in_flight(),  # adaptive: widened after a page
            key=plan.key,
            fail=lambda offset, message: plan.inconsistent(offset, plan.limit, message),
            ahead_unclaimed=self.prefetch is not None,
        )

    def _most_in_flight(self) -> int:
        """Requests at once: the widest window this listing can have (the pool's size, the async gate's)."""
        return AUTO_PREFETCH + 1 if self.prefetch is None else max(self.prefetch, 0) + 1

    def _progress(self) -> _Progress:
        return _Progress(self._listing(), adapt=self.prefetch is None, seen_429=self._plan.rate_limited())

    def _receive(self, progress: _Progress, page: InvoicePage) -> tuple[InvoicePage | None, bool, bool]:
        """Take a page into the listing: the page to yield (its fresh invoices only; ``None`` if there are none),
        whether the listing ended, and whether the window just widened (adaptive prefetch, after the first page:
        up to :data:`AUTO_PREFETCH` pages ahead, only below the ``count`` the latest page claims)."""
        listing = progress.listing
        if self._plan.rate_limited() != progress.seen_429:
            listing.throttle()
        listing.claim(page.count)
        verdict = listing.take(page.offset, page.invoices, page.more_claimed)
        fresh = None
        if verdict.fresh:  # not dataclasses.replace: that would read (build) ``raw``
            fresh = InvoicePage(
                verdict.fresh, page.offset, page.limit, page.count, page.received, page.next_link, _PAGE_RAW.peek(page)
            )
        widened = False
        if progress.adapt and progress.first and not verdict.done:
            widened = listing.widen(AUTO_PREFETCH + 1) > 1
            progress.first = False
        return fresh, verdict.done, widened


@dataclass(slots=True)
class _Progress:
    """One iteration's listing, and what the pager remembers between its pages."""

    listing: Listing
    adapt: bool
    seen_429: int
    first: bool = True


class SyncPager(_Pager[Callable[[int], Callable[[], InvoicePage]]]):
    """Iterate a listing's invoices (``for invoice in pager``) or its pages (``pager.pages()``).

    Each iteration starts a fresh listing from offset 0.  ``fetch(offset)`` does one page's I/O and returns
    what parses it into the page.  With ``prefetch``, the I/O runs on pool threads and the parsing on the
    consumer's thread, a page at a time, as it is reached: the workers hold bytes, not thousands of objects
    (less garbage collection, less contention for the GIL), and a speculative page that is discarded is never
    parsed.
    """

    def fetch_page(self, offset: int = 0) -> InvoicePage:
        """The single page starting at ``offset``, unchecked."""
        return self._fetch(offset)()

    def __iter__(self) -> Iterator[Invoice]:
        pages = self.pages()
        try:
            for page in pages:
                yield from page.invoices
        finally:
            pages.close()  # now, not when the garbage collector gets to it: the pages in flight are cancelled

    def pages(self) -> Generator[InvoicePage, None, None]:
        """Every page that brings new invoices, in order."""
        progress = self._progress()
        lifetime = self._plan.owner.lifetime
        scope = lifetime.child()
        pool = Workers(self._most_in_flight(), scope) if self.prefetch else None
        # Each page in flight: its offset, what waits for it and parses it, what abandons it.
        in_flight: deque[tuple[int, Callable[[], InvoicePage], Callable[[], object]]] = deque()
        try:
            while True:
                if lifetime.cancelled:
                    raise self._plan.owner.closed_error()
                schedule = progress.listing.schedule()
                kept = kept_in_flight([offset for offset, _, _ in in_flight], schedule)
                while len(in_flight) > kept:
                    in_flight.pop()[2]()
                for offset in schedule[kept:]:
                    in_flight.append(self._start(pool, offset))
                fresh, done, widened = self._receive(progress, in_flight.popleft()[1]())
                if widened:
                    pool = Workers(self._most_in_flight(), scope)
                if fresh is not None:
                    yield fresh
                if done:
                    return
        finally:
            scope.cancel()  # the pool stops; requests still in flight end within a slice

    def _start(self, pool: Workers | None, offset: int) -> tuple[int, Callable[[], InvoicePage], Callable[[], object]]:
        fetch = self._fetch
        if pool is None:  # one page at a time: nothing is sent until the page is needed (lazy)
            return offset, lambda: fetch(offset)(), lambda: None
        closed_error = self._plan.owner.closed_error
        try:
            future = pool.submit(fetch, offset)
        except RuntimeError:  # the pool was shut down: close() came from another thread
            raise closed_error() from None

        def page() -> InvoicePage:
            try:
                return future.result()()
            except CancelledError:  # cancelled before it started: close() came from another thread
                raise closed_error() from None

        return offset, page, future.cancel


class AsyncPager(_Pager[Callable[[int], Awaitable[Callable[[], InvoicePage]]]]):
    """The async twin of :class:`SyncPager`: ``async for invoice in pager`` / ``pager.pages()``.

    As there, ``fetch(offset)`` does the I/O (in a task, with prefetch) and returns what parses the page,
    which runs when the page is reached: a speculative page that is discarded is never parsed.
    """

    async def fetch_page(self, offset: int = 0) -> InvoicePage:
        """The single page starting at ``offset``, unchecked."""
        return (await self._fetch(offset))()

    async def __aiter__(self) -> AsyncIterator[Invoice]:
        pages = self.pages()
        try:
            async for page in pages:
                for invoice in page.invoices:
                    yield invoice
        finally:
            await pages.aclose()  # now: the pages in flight are cancelled

    async def pages(self) -> AsyncGenerator[InvoicePage, None]:
        """Every page that brings new invoices, in order."""
        import asyncio

        progress = self._progress()
        lifetime = self._plan.owner.lifetime
        in_flight: deque[tuple[int, asyncio.Task[Callable[[], InvoicePage]]]] = deque()
        gate = asyncio.Semaphore(self._most_in_flight())  # the pool's size in the sync pager: queued pages wait

        async def fetch(offset: int) -> Callable[[], InvoicePage]:
            async with gate:
                return await self._fetch(offset)

        try:
            while True:
                if lifetime.cancelled:
                    raise self._plan.owner.closed_error()
                schedule = progress.listing.schedule()
                kept = kept_in_flight([offset for offset, _ in in_flight], schedule)
                while len(in_flight) > kept:
                    await _abandon(in_flight.pop()[1])
                for offset in schedule[kept:]:
                    in_flight.append((offset, asyncio.ensure_future(fetch(offset))))
                fresh, done, _ = self._receive(progress, (await in_flight.popleft()[1])())
                if fresh is not None:
                    yield fresh
                if done:
                    return
        finally:
            for _, task in in_flight:
                task.cancel()
            for _, task in in_flight:
                await _abandon(task)


async def _abandon(task: asyncio.Task[Callable[[], InvoicePage]]) -> None:
    """Cancel a page no longer wanted and wait for it, so that neither it nor its error is left behind."""
    import asyncio

    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
