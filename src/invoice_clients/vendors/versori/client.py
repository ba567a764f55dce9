"""Versori Organisations: ``Versori`` and ``AsyncVersori``.

    >>> from invoice_clients import Versori
    >>> with Versori() as versori:                         # key from VERSORI_API_KEY
    ...     for invoice in versori.invoices.list("org_123", start=date(2026, 1, 1)):
    ...         print(invoice.period_start, invoice.total)   # Money(Decimal('12.05'), 'GBP')
    ...     upcoming = versori.invoices.upcoming("org_123")

The key is sent as ``Authorization: Bearer <key>``.  ``list`` always sends both
dates: ``end`` defaults to today (UTC) and ``start`` to one calendar month
before ``end``, the API's own defaults made explicit; calling the API with no
dates (which returns the upcoming invoice instead) is what ``upcoming`` is for.
"""

from __future__ import annotations

import builtins
import datetime
from collections.abc import Callable

from ..._base import AsyncClientBase, SyncClientBase
from ..._http.sender import AsyncSender, RequestSpec, SyncSender, TimeoutTypes, aread_all, read_all
from ..._model.invoice import Invoice
from .decoder import parse_invoices
from .wire import (
    Selection,
    check_selection,
    list_request,
    resolve_range,
    selected,
    upcoming_request,
    utc_today,
)

__all__ = ["AsyncVersori", "AsyncVersoriInvoices", "Versori", "VersoriInvoices"]


def _invoices(body: bytes, sender: SyncSender | AsyncSender, spec: RequestSpec, organisation_id: str) -> list[Invoice]:
    request = sender.request_details(spec)
    return sender.parse(body, lambda data: parse_invoices(data, request, organisation_id), request)


class VersoriInvoices:
    """``client.invoices``: an organisation's invoices over a date range, or its upcoming one.

    ``today`` is the clock the date defaults use (UTC by default); replace it to
    pin "today" in your own tests.
    """

    def __init__(self, sender: SyncSender, today: Callable[[], datetime.date] = utc_today) -> None:
        self._sender = sender
        self.today = today

    def list(
        self,
        organisation_id: str,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
        *,
        select: Selection = "overlapping",
        timeout: TimeoutTypes | None = None,
        deadline: float | None = None,
    ) -> builtins.list[Invoice]:
        """Invoices from ``start`` to ``end``, inclusive (default: the calendar month up to today).

        Args:
            organisation_id: The organisation whose invoices to list (each invoice's ``client_id``).
            start: The range's first day (default: one calendar month before ``end``).
            end: The range's last day (default: today, in UTC, as the API's own default).
            select: ``"overlapping"`` (the default, the API's own meaning of ``from``/``to``) keeps every
                invoice whose billing period overlaps the range, so an invoice for 15 January to 14 February is
                in both January's and February's listing; ``"starting"`` keeps those whose period *starts* in
                the range, so consecutive ranges (monthly exports) hold each invoice exactly once.

        Returns:
            The invoices, in the API's order.  The API has no paging: the whole range comes back at once.

        Raises:
            InvalidArgumentError: a bad organisation id, ``start`` after ``end``, an unknown ``select``.
        """
        start, end = resolve_range(start, end, today=self.today())
        select = check_selection(select)
        spec = list_request(organisation_id, start, end)
        body = self._sender.request(spec, read_all, timeout=timeout, deadline=deadline)
        return selected(_invoices(body, self._sender, spec, organisation_id), select, start, end)

    def upcoming(
        self, organisation_id: str, *, timeout: TimeoutTypes | None = None, deadline: float | None = None
    ) -> Invoice | None:
        """The organisation's upcoming (not yet issued) invoice, or ``None`` if it has none."""
        spec = upcoming_request(organisation_id)
        body = self._sender.request(spec, read_all, timeout=timeout, deadline=deadline)
        invoices = _invoices(body, self._sender, spec, organisation_id)
        return invoices[0] if invoices else None


class AsyncVersoriInvoices:
    """The async twin of :class:`VersoriInvoices`."""

    def __init__(self, sender: AsyncSender, today: Callable[[], datetime.date] = utc_today) -> None:
        self._sender = sender
        self.today = today

    async def list(
        self,
        organisation_id: str,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
        *,
        select: Selection = "overlapping",
        timeout: TimeoutTypes | None = None,
        deadline: float | None = None,
    ) -> builtins.list[Invoice]:
        """As :meth:`VersoriInvoices.list`."""
        start, end = resolve_range(start, end, today=self.today())
        select = check_selection(select)
        spec = list_request(organisation_id, start, end)
        body = await self._sender.request(spec, aread_all, timeout=timeout, deadline=deadline)
        return selected(_invoices(body, self._sender, spec, organisation_id), select, start, end)

    async def upcoming(
        self, organisation_id: str, *, timeout: TimeoutTypes | None = None, deadline: float | None = None
    ) -> Invoice | None:
        """As :meth:`VersoriInvoices.upcoming`."""
        spec = upcoming_request(organisation_id)
        body = await self._sender.request(spec, aread_all, timeout=timeout, deadline=deadline)
        invoices = _invoices(body, self._sender, spec, organisation_id)
        return invoices[0] if invoices else None


class _Settings:
    """What the sync and async clients share: where the key and URL come from, and how the key is sent."""

    ENV_VAR = "VERSORI_API_KEY"
    BASE_URL_ENV_VAR = "VERSORI_BASE_URL"
    AUTH_SCHEME = "Bearer"
    DEFAULT_BASE_URL = "https://platform.versori.com/api/organisations/v1"


class Versori(_Settings, SyncClientBase):
    """Versori Organisations API (billing invoices).

    ``api_key`` defaults to ``VERSORI_API_KEY``, ``base_url`` to ``VERSORI_BASE_URL``; other options as
    :class:`~invoice_clients.GcoreBilling`.
    """

    invoices: VersoriInvoices

    def _attach_resources(self) -> None:
        self.invoices = VersoriInvoices(self._sender)


class AsyncVersori(_Settings, AsyncClientBase):
    """The asyncio twin of :class:`Versori`."""

    invoices: AsyncVersoriInvoices

    def _attach_resources(self) -> None:
        self.invoices = AsyncVersoriInvoices(self._sender)
