"""The listing algorithm, with no I/O: which offsets to fetch, and what a fetched page means.

Offset paging over a table that changes skips rows or repeats them; :class:`Listing` makes it checkable by
trusting keys, never offsets.  Pages overlap by at least one row and each is checked against the *anchor*, the
sort key (the vendor's ``sort_key``, recomputed locally) of the last invoice yielded: a page that does not reach
it makes the listing step back; rows out of order, repeated, or coming back are errors; so is a run of pages that
bring nothing new.  Every invoice is yielded once or a typed error is raised, holding one key and one page's ids.
The rules in full: docs/maintainers/design.md, "The listing's rules".  The drivers in :mod:`.pagination` fetch
the offsets ``schedule()`` lists and hand each page to ``take()`` in order.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter, lt
from typing import Any

from .._model.invoice import Invoice

__all__ = ["MAX_IDLE_PAGES", "Listing", "SortKey", "Verdict", "kept_in_flight", "wire_limit"]

SortKey = tuple[Any, ...]
"""A tuple of per-field parts; a later invoice in the listing has a strictly greater key."""
_invoice_id = attrgetter("id")

MAX_IDLE_PAGES = 16
"""Pages in a row that may bring nothing new before the listing is declared inconsistent.

Enough to step back over a run of deletes many pages long (doubling) and walk forward again, or to walk
past a burst of over a thousand rows inserted behind the cursor between two requests; far fewer than
a cycling server would need to look endless.
"""


def wire_limit(page_size: int) -> int:
    """The ``limit`` sent for a page size: at least 2, since a page must overlap the previous one and advance."""
    return max(page_size, 2)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a fetched page means for the listing."""

    fresh: tuple[Invoice, ...]
    """The page's invoices to yield, in order (none when the page was only a probe)."""
    done: bool
    """Nothing follows: the listing is complete."""


class Listing:
    """One listing's state: the anchor, the next offset, the overlap and the patience left.

    ``fail(offset, message)`` builds the exception raised when the pages cannot be made to fit together.
    """

    def __init__(
        self,
        *,
        limit: int,
        window: int,
        key: Callable[[Invoice], SortKey],
        fail: Callable[[int, str], Exception],
        ahead_unclaimed: bool = True,
    ) -> None:
        if limit < 2:
            raise ValueError("a listing needs pages of at least 2 rows to overlap them")
        self._limit = limit
        self._window = max(window, 1)
        self._throttled = False
        self._ahead_unclaimed = ahead_unclaimed
        self._claimed: int | None = None
        self._key = key
        self._fail = fail
        self._offset = 0
        self._anchor: SortKey | None = None
        self._recent: frozenset[str] = frozenset()
        self._overlap = 1
        self._max_overlap = max(limit // 4, 1)
        self._rows = limit  # the page size the server actually sends, learned from capped pages
        self._first_step_back = max(limit // 4, 1)
        self._step_back = self._first_step_back
        self._idle = 0
        self._done = False

    @property
    def offset(self) -> int:
        """The offset of the next page to take."""
        return self._offset

    def schedule(self) -> tuple[int, ...]:
        """Offsets to have requested, in the order they will be taken: the next page, the window's speculative
        pages (with ``ahead_unclaimed`` false, only where rows are claimed to exist), then as many again queued
        behind them, only where rows are claimed to exist.

        The driver sends at most ``window`` of them at once; a queued page is sent as soon as any request ends,
        rather than when the consumer takes a page: with latency, a request no longer waits on the consumer's
        turn, and no request goes past the end of a listing whose ``count`` is right that the window alone
        would not send."""
        if self._done:
            return ()
        if self._idle:  # searching for the anchor again: pages predicted from here would mostly be wasted
            return (self._offset,)
        stride = self._rows - min(self._overlap, self._rows - 1)
        window, claimed = self._window, -1 if self._claimed is None else self._claimed
        offsets = [self._offset + i * stride for i in range(2 * window - 1)]
        ahead = offsets[1:window]
        if not self._ahead_unclaimed:
            ahead = [offset for offset in ahead if offset < claimed]
        return (offsets[0], *ahead, *(offset for offset in offsets[window:] if offset < claimed))

    def throttle(self) -> None:
        """The server rate-limited us: one page in flight at a time from now on."""
        self._window = 1
        self._throttled = True

    def widen(self, window: int) -> int:
        """Have up to ``window`` pages in flight from now on (adaptive prefetch); never undoes :meth:`throttle`.

        Returns the window now in force."""
        if not self._throttled:
            self._window = max(window, 1)
        return self._window

    def claim(self, rows: int | None) -> None:
        """The ``count`` the latest page claims (``None``: none): pages are queued behind the window, and with
        ``ahead_unclaimed`` false requested ahead at all, only at offsets below it.

        Only which pages are requested ahead changes; what a page means is decided by :meth:`take` alone."""
        self._claimed = rows

    def take(self, offset: int, invoices: Sequence[Invoice], more_claimed: bool) -> Verdict:
        """Judge the page fetched at ``offset`` (which must be :attr:`offset`) and move the listing on.

        ``more_claimed``: the same response's ``count`` or ``next`` says rows exist beyond this page.
        """
        if offset != self._offset or self._done:
            raise ValueError(f"page at offset {offset} taken out of turn (expected {self._offset})")
        keys = list(map(self._key, invoices))
        self._check_page(offset, invoices, keys)
        anchor = self._anchor
        if offset > 0 and (anchor is None or not keys or keys[0] > anchor):
            return self._shifted(offset, received=len(invoices))
        start = 0 if anchor is None else bisect_right(keys, anchor)
        fresh = tuple(invoices[start:])
        if fresh:
            self._advance(offset, fresh, keys[-1])
        else:
            self._idle_page(offset, "brought no invoice after the last one yielded")
        received = len(invoices)
        if received < self._limit and not more_claimed:
            self._done = True
            return Verdict(fresh, True)
        self._rows = max(received, 2)  # predict later pages with the size the server sends (it may cap them)
        self._offset = offset + received - min(self._overlap, max(received - 1, 0))
        return Verdict(fresh, False)

    def _check_page(self, offset: int, invoices: Sequence[Invoice], keys: list[SortKey]) -> None:
        if all(map(lt, keys, keys[1:])) and len(set(map(_invoice_id, invoices))) == len(invoices):
            return  # in order, ids distinct (checked in C); below, find what is wrong to say it
        for index in range(1, len(keys)):
            if not keys[index - 1] < keys[index]:
                before, after = invoices[index - 1].id, invoices[index].id
                raise self._fail(
                    offset,
                    f"the page at offset {offset} is not in the requested order: invoice {after} follows {before}"
                    + (" twice" if before == after else ""),
                )
        seen: set[str] = set()
        for invoice in invoices:
            if invoice.id in seen:
                raise self._fail(offset, f"the page at offset {offset} holds invoice {invoice.id} twice")
            seen.add(invoice.id)

    def _advance(self, offset: int, fresh: tuple[Invoice, ...], last_key: SortKey) -> None:
        ids = frozenset(map(_invoice_id, fresh))
        back = ids & self._recent
        if back:
            raise self._fail(
                offset,
                f"invoice {min(back)} came back on the page at offset {offset} after the listing had passed it (its"
                " sort fields changed or the server is inconsistent): it would be yielded twice",
            )
        self._recent = ids
        self._anchor = last_key
        self._idle = 0
        self._step_back = self._first_step_back

    def _shifted(self, offset: int, *, received: int) -> Verdict:
        """Rows moved back over ``offset`` (deletes before it): look again further back."""
        self._idle_page(offset, "did not reach back to the last invoice yielded" if received else "was empty")
        self._overlap = min(self._overlap * 2, self._max_overlap)
        self._offset = max(offset - self._step_back, 0)
        self._step_back *= 2
        return Verdict((), False)

    def _idle_page(self, offset: int, what: str) -> None:
        self._idle += 1
        if self._idle > MAX_IDLE_PAGES:
            raise self._fail(
                offset,
                f"{self._idle} pages in a row brought nothing new (the page at offset {offset} {what}): the server's"
                " pages repeat, cycle or keep shifting, so the listing stops rather than risk a lost or repeated"
                " invoice",
            )


def kept_in_flight(in_flight: Sequence[int], schedule: Sequence[int]) -> int:
    """How many of the pages in flight (their offsets, oldest first) are still wanted: the common prefix."""
    kept = 0
    for flying, wanted in zip(in_flight, schedule, strict=False):
        if flying != wanted:
            break
        kept += 1
    return kept
