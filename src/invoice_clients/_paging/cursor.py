"""Cursor pagination, for vendors whose pages link by an opaque cursor instead of offsets.

No vendor is named here: a vendor's client gives a pager the function that fetches the page after a cursor
(``None``: the first page).  The rules are the same for the blocking and the asyncio pager and live in
:class:`CursorListing` (no I/O): a listing follows ``next_cursor`` until there is none; a cursor that comes
back (a cycle), an id seen twice in a row of pages, or more than ``MAX_IDLE_PAGES`` pages in a row that bring
nothing but promise more raise :class:`~invoice_clients.InconsistentListingError`.  Unlike offsets, a cursor
is the server's own position, so inserts and deletes move nothing the client must re-check.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field

from .._model.invoice import Invoice
from .listing import MAX_IDLE_PAGES

__all__ = ["AsyncCursorPager", "CursorListing", "CursorPage", "CursorPager"]


@dataclass(frozen=True, slots=True)
class CursorPage:
    """One page of a cursor listing: its invoices, the cursor of the next page, the generated model."""

    invoices: tuple[Invoice, ...]
    """The page's invoices, in the server's order."""
    next_cursor: str | None
    """The cursor of the next page; ``None`` on the last page."""
    raw: object = field(repr=False, compare=False)
    """The vendor's generated page model."""

    def __iter__(self) -> Iterator[Invoice]:
        return iter(self.invoices)

    def __len__(self) -> int:
        return len(self.invoices)


class CursorListing:
    """The state of one listing: which cursor is next, and whether the pages fit together."""

    def __init__(self, inconsistent: Callable[[str], Exception]) -> None:
        self.cursor: str | None = None
        self.done = False
        self._inconsistent = inconsistent
        self._cursors: set[str] = set()
        self._previous_ids: frozenset[str] = frozenset()
        self._idle = 0

    def take(self, page: CursorPage) -> tuple[Invoice, ...]:
        """Judge ``page`` (the answer for :attr:`cursor`) and move on; its invoices, or raise."""
        ids = [invoice.id for invoice in page.invoices]
        if len(set(ids)) != len(ids) or self._previous_ids.intersection(ids):
            raise self._inconsistent("an invoice came back on the next page (or twice on one page)")
        self._previous_ids = frozenset(ids)
        self._idle = 0 if ids else self._idle + 1
        if page.next_cursor is None:
            self.done = True
        elif page.next_cursor in self._cursors or page.next_cursor == self.cursor:
            raise self._inconsistent(f"the cursor {page.next_cursor!r} came back: the pages go round in a circle")
        elif self._idle > MAX_IDLE_PAGES:
            raise self._inconsistent(f"{self._idle} pages in a row brought nothing but claimed more")
        else:
            if self.cursor is not None:
                self._cursors.add(self.cursor)
            self.cursor = page.next_cursor
        return page.invoices


class CursorPager:
    """Every invoice of a cursor listing, lazily (``for invoice in pager``); ``.pages()`` gives the pages."""

    def __init__(self, fetch: Callable[[str | None], CursorPage], *, inconsistent: Callable[[str], Exception]) -> None:
        self._fetch = fetch
        self._inconsistent = inconsistent

    def pages(self) -> Iterator[CursorPage]:
        """The pages as they come, each judged before it is yielded (a cursor that comes back, an invoice seen on
        the page before, endless empty pages: :class:`~invoice_clients.InconsistentListingError`)."""
        listing = CursorListing(self._inconsistent)
        while not listing.done:
            page = self._fetch(listing.cursor)
            listing.take(page)
            yield page

    def __iter__(self) -> Iterator[Invoice]:
        for page in self.pages():
            yield from page.invoices


class AsyncCursorPager:
    """The asyncio twin of :class:`CursorPager` (``async for invoice in pager``)."""

    def __init__(
        self, fetch: Callable[[str | None], Awaitable[CursorPage]], *, inconsistent: Callable[[str], Exception]
    ) -> None:
        self._fetch = fetch
        self._inconsistent = inconsistent

    async def pages(self) -> AsyncIterator[CursorPage]:
        """As :meth:`CursorPager.pages`: ``async for page in pager.pages()``."""
        listing = CursorListing(self._inconsistent)
        while not listing.done:
            page = await self._fetch(listing.cursor)
            listing.take(page)
            yield page

    async def __aiter__(self) -> AsyncIterator[Invoice]:
        async for page in self.pages():
            for invoice in page.invoices:
                yield invoice
