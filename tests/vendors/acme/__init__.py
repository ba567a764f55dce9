"""Acme, a third vendor living outside ``src/``: client, wire format, sandbox API, seed and plugin.

Its generated package (``acme_client``) is compiled from ``tests/vendors/acme.yaml`` by the real toolchain
into a temporary directory on ``sys.path`` before this module is imported.  Nothing in ``src/`` names it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, cast

from acme_client.api.invoices import list_invoices
from acme_client.models import InvoicePage
from acme_client.types import UNSET

from invoice_clients import InconsistentListingError, Invoice, InvoiceKind, Money
from invoice_clients._base import AsyncClientBase, SyncClientBase
from invoice_clients._http.sender import AsyncSender, RequestSpec, SyncSender, aread_all, read_all
from invoice_clients._model.parsing import json_parser
from invoice_clients._paging.cursor import AsyncCursorPager, CursorPage, CursorPager
from invoice_clients._sandbox.http import Reply, SandboxRequest, json_reply
from invoice_clients.vendors import CliOption, VendorPlugin

PREFIX = "/acme/v1/invoices"


# -- wire format --------------------------------------------------------------------------------------


def page_request(cursor: str | None, limit: int) -> RequestSpec:
    return RequestSpec.from_generated(
        list_invoices._get_kwargs(cursor=UNSET if cursor is None else cursor, limit=limit)
    )


def parse_page(data: object) -> CursorPage:
    page = InvoicePage.from_dict(cast(dict[str, Any], data))
    invoices = tuple(
        Invoice(
            vendor="acme",
            id=item.id,
            number=None,
            kind=InvoiceKind.INVOICE,
            currency=item.currency,
            issue_date=item.issued_on,
            due_date=None,
            period_start=None,
            period_end=None,
            subtotal=None,
            tax=None,
            total=Money(Decimal(item.total), item.currency),
            payment_state=None,
            document_url=None,
            line_items=(),
            raw=item,
        )
        for item in page.data
    )
    return CursorPage(invoices, page.next_cursor if isinstance(page.next_cursor, str) else None, raw=page)


# -- clients ------------------------------------------------------------------------------------------


def _inconsistent(sender: SyncSender | AsyncSender) -> Any:
    spec = page_request(None, 1)
    return lambda message: InconsistentListingError(message, method="GET", url=sender.url(spec), status_code=200)


class AcmeInvoices:
    def __init__(self, sender: SyncSender) -> None:
        self._sender = sender

    def list(self, *, page_size: int = 50) -> CursorPager:
        sender = self._sender

        def fetch(cursor: str | None) -> CursorPage:
            spec = page_request(cursor, page_size)
            return sender.parse(sender.request(spec, read_all), json_parser(parse_page), sender.request_details(spec))

        return CursorPager(fetch, inconsistent=_inconsistent(sender))


class AsyncAcmeInvoices:
    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender

    def list(self, *, page_size: int = 50) -> AsyncCursorPager:
        sender = self._sender

        async def fetch(cursor: str | None) -> CursorPage:
            spec = page_request(cursor, page_size)
            body = await sender.request(spec, aread_all)
            return sender.parse(body, json_parser(parse_page), sender.request_details(spec))

        return AsyncCursorPager(fetch, inconsistent=_inconsistent(sender))


class Acme(SyncClientBase):
    ENV_VAR = "ACME_API_KEY"
    BASE_URL_ENV_VAR = "ACME_BASE_URL"
    AUTH_SCHEME = "Bearer"
    DEFAULT_BASE_URL = "https://api.acme.example"
    invoices: AcmeInvoices

    def _attach_resources(self) -> None:
        self.invoices = AcmeInvoices(self._sender)


class AsyncAcme(AsyncClientBase):
    ENV_VAR, BASE_URL_ENV_VAR, AUTH_SCHEME, DEFAULT_BASE_URL = (
        Acme.ENV_VAR, Acme.BASE_URL_ENV_VAR, Acme.AUTH_SCHEME, Acme.DEFAULT_BASE_URL,
    )  # fmt: skip
    invoices: AsyncAcmeInvoices

    def _attach_resources(self) -> None:
        self.invoices = AsyncAcmeInvoices(self._sender)


# -- sandbox API and seed ----------------------------------------------------------------------------


class AcmeSandbox:
    def __init__(self, api_key: str, forbidden_key: str) -> None:
        self.api_key, self.forbidden_key = api_key, forbidden_key
        self.invoices: list[dict[str, Any]] = []

    def handle(self, request: SandboxRequest, origin: str) -> Reply:
        if request.authorization != f"Bearer {self.api_key}":
            return json_reply(401, {"error": "unauthorised"})
        cursor, limit = request.params("cursor"), request.params("limit")
        start = int(cursor[-1].removeprefix("after-")) if cursor else 0
        size = int(limit[-1]) if limit else 50
        body: dict[str, Any] = {"data": self.invoices[start : start + size]}
        if start + size < len(self.invoices):
            body["next_cursor"] = f"after-{start + size}"
        return json_reply(200, body)


def seed(api: AcmeSandbox) -> None:
    for n in range(1, 8):
        day = datetime.date(2026, n, 1).isoformat()
        api.invoices.append({"id": f"acme-{n}", "total": f"{10 * n}.50", "currency": "EUR", "issued_on": day})


def _cli_list(client: Acme, options: Mapping[str, Any]) -> Iterable[Invoice]:
    return client.invoices.list(page_size=options.get("page_size") or 50)


PLUGIN = VendorPlugin(
    name="acme",
    display_name="Acme",
    env_var=Acme.ENV_VAR,
    base_url_env_var=Acme.BASE_URL_ENV_VAR,
    default_base_url=Acme.DEFAULT_BASE_URL,
    client=Acme,
    async_client=AsyncAcme,
    sandbox_prefix=PREFIX,
    sandbox_base_path="",
    sandbox_api=AcmeSandbox,
    seed=seed,
    cli_options=(CliOption("page_size", "--page-size", "Acme: invoices per page (1-50).", "int", "N"),),
    cli_list=_cli_list,
)
