"""Gcore Billing: ``GcoreBilling`` and ``AsyncGcoreBilling``.

    >>> from invoice_clients import GcoreBilling
    >>> with GcoreBilling() as gcore:                      # key from GCORE_API_KEY
    ...     for invoice in gcore.invoices.list(currency="EUR", payment_state="not_paid"):
    ...         print(invoice.number, invoice.total)
    ...     pdf = gcore.invoices.download_pdf(42)

The key is sent as ``Authorization: apikey <key>`` (the generated client would
send ``Bearer``, which Gcore rejects).  ``list`` is lazy and computes offsets
itself, ordered by ``id`` unless told otherwise (``id`` is appended as a tie
breaker to any other ordering), so invoices created during a long listing are
neither skipped nor returned twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar, overload

from ..._base import AsyncClientBase, SyncClientBase
from ..._download import Destination, Spool
from ..._exceptions import InconsistentListingError, InvalidArgumentError
from ..._http.sender import AsyncSender, RequestSpec, SyncSender, TimeoutTypes, aread_all, read_all
from ..._model.invoice import Invoice, PaymentState
from ..._paging.listing import wire_limit
from ..._paging.pagination import AsyncPager, InvoicePage, PagingPlan, SyncPager
from .decoder import parse_invoice, parse_page
from .sort_keys import sort_key
from .wire import (
    MAX_PAGE_SIZE,
    GcoreFilters,
    MoveType,
    PaymentStateFilter,
    download_request,
    get_request,
)

__all__ = ["AsyncGcoreBilling", "AsyncGcoreInvoices", "GcoreBilling", "GcoreInvoices"]

_MAX_PREFETCH = 8


def _check_paging(page_size: int, prefetch: int | None) -> None:
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidArgumentError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size!r}")
    if prefetch is None:  # adaptive (the default): see _paging.pagination
        return
    if isinstance(prefetch, bool) or not isinstance(prefetch, int) or not 0 <= prefetch <= _MAX_PREFETCH:
        raise InvalidArgumentError(f"prefetch must be None or between 0 and {_MAX_PREFETCH}, got {prefetch!r}")


def _page(body: bytes, sender: SyncSender | AsyncSender, spec: RequestSpec, offset: int, limit: int) -> InvoicePage:
    request = sender.request_details(spec)
    return sender.parse(body, lambda data: parse_page(data, request, offset, limit), request)


def _invoice(body: bytes, sender: SyncSender | AsyncSender, spec: RequestSpec) -> Invoice:
    request = sender.request_details(spec)
    return sender.parse(body, lambda data: parse_invoice(data, request), request)


def _inconsistent(sender: SyncSender | AsyncSender, filters: GcoreFilters) -> Callable[[int, int, str], Exception]:
    def error(offset: int, limit: int, message: str) -> Exception:
        spec = filters.page_request(offset=offset, limit=limit)
        return InconsistentListingError(message, method=spec.method, url=sender.url(spec), status_code=200)

    return error


@dataclass(frozen=True, slots=True)
class _PageRequests:
    """How one listing asks for its pages: the request for an offset, and the call's timeout and deadline."""

    spec: Callable[[int], RequestSpec]
    timeout: TimeoutTypes | None
    deadline: float | None


SenderT = TypeVar("SenderT", SyncSender, AsyncSender)
PagerT = TypeVar("PagerT", SyncPager, AsyncPager)


class _Invoices(Generic[SenderT, PagerT]):
    """What :class:`GcoreInvoices` and :class:`AsyncGcoreInvoices` share: ``list``, whose I/O is the pager's."""

    _sender: SenderT

    def __init__(self, sender: SenderT) -> None:
        self._sender = sender

    def list(
        self,
        *,
        invoice_date_from: datetime.date | None = None,
        invoice_date_to: datetime.date | None = None,
        billing_period_from: datetime.date | None = None,
        billing_period_to: datetime.date | None = None,
        currency: str | None = None,
        move_type: MoveType | None = None,
        payment_state: PaymentStateFilter | PaymentState | None = None,
        client_id: int | None = None,
        payer_id: int | None = None,
        ordering: str | Sequence[str] | None = None,
        page_size: int = MAX_PAGE_SIZE,
        prefetch: int | None = None,
        timeout: TimeoutTypes | None = None,
        deadline: float | None = None,
    ) -> PagerT:
        """Every matching invoice, lazily, across all pages.

        Dates are inclusive ``datetime.date`` values (a ``datetime`` is refused:
        pass its ``.date()``); ``invoice_date_from``/``_to`` bound the invoice date;
        ``billing_period_from`` is a lower bound on the period's start and
        ``billing_period_to`` an upper bound on its end; a range whose start is
        after its end is an :class:`~invoice_clients.InvalidArgumentError`.
        ``currency`` is an ISO 4217 code in any case (``"eur"`` is sent as ``EUR``).
        ``payment_state`` is a string or a :class:`~invoice_clients.PaymentState`.
        ``ordering`` is a sequence of field names (``["-invoice_date"]``, any
        ``Sequence[str]``, checked at run time) or one comma-separated string,
        ``-`` for descending; it is sent comma-joined with ``id`` appended as tie breaker.  ``page_size``
        is 1-100; ``prefetch`` (0-8) fetches that many pages ahead concurrently, and queues as many more
        where the latest ``count`` says rows remain, sent as requests end; the default (``None``) fetches the
        first page alone and then as many pages ahead (and queued) as its ``count`` says remain, at most 8
        in flight besides the one awaited (one at a time after a 429); ``prefetch=0`` is strictly one request
        at a time.
        Every invoice that exists throughout the listing is yielded exactly
        once, or :class:`~invoice_clients.InconsistentListingError` is raised
        (pages that do not fit together); see docs/guarantees.md, "Listings".

        >>> for page in client.invoices.list(move_type="out_refund").pages():
        ...     print(page.offset, len(page))
        """
        filters = GcoreFilters.build(locals())
        _check_paging(page_size, prefetch)
        limit = wire_limit(page_size)
        sender = self._sender
        plan = PagingPlan(
            page_size=page_size,
            limit=limit,
            prefetch=prefetch,
            key=sort_key([item.value for item in filters.ordering]),
            rate_limited=lambda: sender.rate_limited,
            inconsistent=_inconsistent(sender, filters),
            owner=sender,
        )
        pages = _PageRequests(lambda offset: filters.page_request(offset=offset, limit=limit), timeout, deadline)
        return self._pager(pages, plan)

    def _pager(self, pages: _PageRequests, plan: PagingPlan) -> PagerT:
        """The pager over ``pages``, sent by this resource's sender."""
        raise NotImplementedError


class GcoreInvoices(_Invoices[SyncSender, SyncPager]):
    """``client.invoices``: list, get and download ERP invoices and credit notes."""

    def _pager(self, pages: _PageRequests, plan: PagingPlan) -> SyncPager:
        sender = self._sender

        def fetch(offset: int) -> Callable[[], InvoicePage]:
            spec = pages.spec(offset)
            body = sender.request(spec, read_all, timeout=pages.timeout, deadline=pages.deadline)
            return lambda: _page(body, sender, spec, offset, plan.limit)

        return SyncPager(fetch, plan)

    def get(self, invoice_id: int, *, timeout: TimeoutTypes | None = None, deadline: float | None = None) -> Invoice:
        """One invoice by id; :class:`~invoice_clients.NotFoundError` if there is none."""
        spec = get_request(invoice_id)
        body = self._sender.request(spec, read_all, timeout=timeout, deadline=deadline)
        return _invoice(body, self._sender, spec)

    @overload
    def download_pdf(
        self, invoice_id: int, *, to: None = None, timeout: TimeoutTypes | None = None, deadline: float | None = None
    ) -> bytes: ...
    @overload
    def download_pdf(
        self, invoice_id: int, *, to: Destination, timeout: TimeoutTypes | None = None, deadline: float | None = None
    ) -> int: ...
    def download_pdf(
        self,
        invoice_id: int,
        *,
        to: Destination | None = None,
        timeout: TimeoutTypes | None = None,
        deadline: float | None = None,
    ) -> bytes | int:
        """The invoice's PDF as bytes or, with ``to`` (a path or binary file), streamed there; returns its size.

        A 502 (the PDF service is temporarily unavailable) is retried.  Only a
        complete PDF is delivered (``%PDF-`` signature, ``application/pdf`` or
        ``application/octet-stream``, at most ``max_pdf_bytes``); a path is
        written as ``-o`` writes it (docs/guarantees.md, "Output files"): a regular file
        atomically (an existing one keeps its mode, a new one gets your umask's),
        a link's target, a device or FIFO in place, never replaced; a local
        failure is a :class:`~invoice_clients.LocalFileError`.

        >>> client.invoices.download_pdf(42, to="invoice-42.pdf")
        18234
        """
        spec = download_request(invoice_id)
        if to is None:
            return self._sender.request(spec, read_all, timeout=timeout, deadline=deadline)
        spool = Spool(to)
        try:
            size = self._sender.request(spec, spool.consume, timeout=timeout, deadline=deadline)
            spool.deliver(to)
        finally:
            spool.close()
        return size


class AsyncGcoreInvoices(_Invoices[AsyncSender, AsyncPager]):
    """The async twin of :class:`GcoreInvoices` (``list`` returns an :class:`~invoice_clients.AsyncPager`:
    ``async for invoice in client.invoices.list(...)``)."""

    def _pager(self, pages: _PageRequests, plan: PagingPlan) -> AsyncPager:
        sender = self._sender

        async def fetch(offset: int) -> Callable[[], InvoicePage]:
            spec = pages.spec(offset)
            body = await sender.request(spec, aread_all, timeout=pages.timeout, deadline=pages.deadline)
            return lambda: _page(body, sender, spec, offset, plan.limit)

        return AsyncPager(fetch, plan)

    async def get(
        self, invoice_id: int, *, timeout: TimeoutTypes | None = None, deadline: float | None = None
    ) -> Invoice:
        """One invoice by id; :class:`~invoice_clients.NotFoundError` if there is none."""
        spec = get_request(invoice_id)
        body = await self._sender.request(spec, aread_all, timeout=timeout, deadline=deadline)
        return _invoice(body, self._sender, spec)

    @overload
    async def download_pdf(
        self, invoice_id: int, *, to: None = None, timeout: TimeoutTypes | None = None, deadline: float | None = None
    ) -> bytes: ...
    @overload
    async def download_pdf(
        self, invoice_id: int, *, to: Destination, timeout: TimeoutTypes | None = None, deadline: float | None = None
    ) -> int: ...
    async def download_pdf(
        self,
        invoice_id: int,
        *,
        to: Destination | None = None,
        timeout: TimeoutTypes | None = None,
        deadline: float | None = None,
    ) -> bytes | int:
        """As :meth:`GcoreInvoices.download_pdf` (delivery to ``to`` is a blocking local write)."""
        spec = download_request(invoice_id)
        if to is None:
            return await self._sender.request(spec, aread_all, timeout=timeout, deadline=deadline)
        spool = Spool(to)
        try:
            size = await self._sender.request(spec, spool.aconsume, timeout=timeout, deadline=deadline)
            spool.deliver(to)
        finally:
            spool.close()
        return size


class _Settings:
    """What the sync and async clients share: where the key and URL come from, and how the key is sent."""

    ENV_VAR = "GCORE_API_KEY"
    BASE_URL_ENV_VAR = "GCORE_BASE_URL"
    AUTH_SCHEME = "apikey"
    DEFAULT_BASE_URL = "https://api.gcore.com"


class GcoreBilling(_Settings, SyncClientBase):
    """Gcore Billing Reseller API (ERP invoices).

    ``api_key`` defaults to ``GCORE_API_KEY``; ``base_url`` to ``GCORE_BASE_URL``, else Gcore's.
    ``timeout`` is seconds or an ``httpx.Timeout`` (per socket operation); ``deadline`` the seconds a whole
    call may take, retries included (also per call; ``retry.max_elapsed`` bounds every call too);
    ``max_response_bytes`` / ``max_pdf_bytes`` cap decoded bodies; ``retry`` a :class:`~invoice_clients.RetryPolicy`;
    ``http_client`` an ``httpx.Client`` of your own (not closed by this client).
    Plain HTTP is refused except to loopback unless ``allow_insecure_http=True``.
    ``proxy`` a proxy URL (or ``httpx.Proxy``) for every request; by default ``HTTPS_PROXY``, ``ALL_PROXY`` and
    ``NO_PROXY`` are read as httpx reads them (``trust_env=False``: no proxy or CA variable is read);
    ``system_certs=True`` verifies against the operating system's certificate store (default:
    ``INVOICE_CLIENTS_SYSTEM_CERTS``).  See the docs' "Company networks" page.
    """

    invoices: GcoreInvoices

    def _attach_resources(self) -> None:
        self.invoices = GcoreInvoices(self._sender)


class AsyncGcoreBilling(_Settings, AsyncClientBase):
    """The asyncio twin of :class:`GcoreBilling` (``http_client`` is an ``httpx.AsyncClient``)."""

    invoices: AsyncGcoreInvoices

    def _attach_resources(self) -> None:
        self.invoices = AsyncGcoreInvoices(self._sender)
