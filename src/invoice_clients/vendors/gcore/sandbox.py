"""The sandbox's Gcore Billing API: ERP invoices list, retrieve and PDF download.

Behaves as the (patched) spec describes, strictly: ``Authorization: apikey
<key>`` (401 without, 403 for the forbidden key), ``limit`` 1-100 and ``offset``
>= 0, every filter (dates inclusive; ``billing_period_from__from`` bounds the
period's start from below, ``billing_period_to__to`` its end from above),
``ordering`` as one comma-separated value (sending it repeated, which the spec's
``explode: false`` forbids, is a 400), newest first by default, ``count`` /
``next`` / ``previous`` in every page, DRF-style 400 bodies.  ``next_origin``
and ``count_override`` make the links and the count lie, to prove a client
trusts neither.
"""

from __future__ import annotations

import datetime
import itertools
import operator
import re
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from ..._generated.gcore_billing_client.models import (
    V1ErpInvoicesListMoveType,
    V1ErpInvoicesListOrderingItem,
    V1ErpInvoicesListPaymentState,
)
from ..._sandbox.http import SERVED_METHODS, Reply, SandboxRequest, json_reply, method_not_allowed
from ..._sandbox.pdf import invoice_pdf
from . import wire
from .wire import SANDBOX_PREFIX

__all__ = ["GcoreSandbox"]

PREFIX = SANDBOX_PREFIX
MOVE_TYPES = tuple(item.value for item in V1ErpInvoicesListMoveType)
PAYMENT_STATES = tuple(item.value for item in V1ErpInvoicesListPaymentState)
ORDER_FIELDS = tuple(item.value for item in V1ErpInvoicesListOrderingItem if not item.value.startswith("-"))
_DETAIL = re.compile(r"^/(\d+)/?$")
_DOWNLOAD = re.compile(r"^/(\d+)/download/?$")


def _amount(value: Decimal | str | int) -> str:
    return f"{Decimal(value):.12f}"


class GcoreSandbox:
    """State and behaviour of the sandbox's Gcore API; mutate it freely from tests."""

    def __init__(self, *, api_key: str, forbidden_key: str) -> None:
        self.api_key = api_key
        self.forbidden_key = forbidden_key
        self.invoices: dict[int, dict[str, Any]] = {}
        self.next_origin: str | None = None
        """Origin of the ``next``/``previous`` links (default: the sandbox's own)."""
        self.count_override: int | None = None
        """If set, every page claims this ``count``."""
        self.pdf_unavailable = False
        """While true, downloads answer 502 as the spec documents."""
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._by_id: list[dict[str, Any]] | None = None
        """All invoices ordered by id, kept until the next add/remove: the default listing is then a slice,
        so a sandbox with 100,000 invoices still answers a page in well under a millisecond."""

    def add_invoice(self, **fields: Any) -> dict[str, Any]:
        """Add an invoice (wire-format JSON fields); unspecified fields get plausible values.

        Amounts may be given as ``Decimal``/``int``/``str``; ``id`` is the next free one.
        """
        with self._lock:
            invoice_id = fields.pop("id", None) or next(self._ids)
            while invoice_id in self.invoices:
                invoice_id = next(self._ids)
            untaxed = Decimal(fields.pop("amount_untaxed", "100"))
            tax = Decimal(fields.pop("amount_tax", untaxed * Decimal("0.2")))
            total = Decimal(fields.pop("amount_total", untaxed + tax))
            day = fields.get("invoice_date", "2026-01-31")
            invoice: dict[str, Any] = {
                "id": invoice_id,
                "name": f"INV/2026/{invoice_id:05d}",
                "move_type": "out_invoice",
                "currency": "EUR",
                "invoice_date": day,
                "invoice_date_due": day,
                "billing_period_from": "2026-01-01",
                "billing_period_to": "2026-01-31",
                "amount_untaxed": _amount(untaxed),
                "amount_tax": _amount(tax),
                "amount_total": _amount(total),
                "payment_state": "not_paid",
                "client_id": 4242,
                "payer_id": 4242,
                "invoice_id": None,
                "created_at": "2026-01-31T09:00:00Z",
                "updated_at": "2026-01-31T09:00:00Z",
            }
            invoice.update(fields)
            self.invoices[invoice_id] = invoice
            self._by_id = None
            return invoice

    def remove_invoice(self, invoice_id: int) -> None:
        """Delete an invoice (``KeyError`` if there is none)."""
        with self._lock:
            del self.invoices[invoice_id]
            self._by_id = None

    def clear(self) -> None:
        """Delete every invoice."""
        with self._lock:
            self.invoices.clear()
            self._by_id = None

    # -- request handling -------------------------------------------------------------------

    def handle(self, request: SandboxRequest, origin: str) -> Reply:
        """The reply to one request under the API's prefix (``origin`` is the server's, for ``next`` links)."""
        if request.authorization == f"apikey {self.forbidden_key}":
            return json_reply(403, {"detail": "You do not have permission to perform this action."})
        if request.authorization != f"apikey {self.api_key}":
            return json_reply(401, {"detail": "Authentication credentials were not provided or are invalid."})
        rest = request.path[len(PREFIX) :]
        detail, download = _DETAIL.match(rest), _DOWNLOAD.match(rest)
        if rest not in ("", "/") and detail is None and download is None:
            return json_reply(404, {"detail": "Not found."})
        if request.method not in SERVED_METHODS:  # after authentication, as Django REST framework does
            return method_not_allowed({"detail": f'Method "{request.method}" not allowed.'})
        with self._lock:
            if detail is not None:
                return self._retrieve(int(detail.group(1)))
            if download is not None:
                return self._download(int(download.group(1)))
            return self._list(request, origin)

    def _retrieve(self, invoice_id: int) -> Reply:
        invoice = self.invoices.get(invoice_id)
        if invoice is None:
            return json_reply(404, {"detail": "No ErpInvoice matches the given query."})
        return json_reply(200, invoice)

    def _download(self, invoice_id: int) -> Reply:
        invoice = self.invoices.get(invoice_id)
        if invoice is None:
            return json_reply(404, {"detail": "No ErpInvoice matches the given query."})
        if self.pdf_unavailable:
            return json_reply(502, {"detail": "Invoice PDF is temporarily unavailable"})
        headers = {"Content-Disposition": f'attachment; filename="invoice-{invoice_id}.pdf"'}
        return Reply(200, invoice_pdf(str(invoice["name"])), "application/pdf", headers)

    def _list(self, request: SandboxRequest, origin: str) -> Reply:
        errors: dict[str, list[str]] = {}
        single: dict[str, str] = {}
        for name in {key for key, _ in request.query}:
            values = request.params(name)
            if len(values) > 1:
                errors[name] = [f"Send {name} once, as comma-separated values; got {len(values)} values."]
            single[name] = values[-1]
        limit = _int(single, "limit", 100, 1, 100, errors)
        offset = _int(single, "offset", 0, 0, None, errors)
        ordering = _ordering(single.get("ordering"), errors)
        filters = wire.FILTERS  # read when asked: the declaration as it stands, not as it was at import
        if ordering == [("id", False)] and not {spec.query for spec in filters}.intersection(single):
            rows = self._ordered_by_id()  # unfiltered, by id: the common case, a slice of a cached list
        else:
            rows = self._filtered(filters, single, errors)
            for field, descending in reversed(ordering):
                rows.sort(key=_sort_key(field), reverse=descending)
        if errors:
            return json_reply(400, errors)
        page = rows[offset : offset + limit]
        return json_reply(
            200,
            {
                "count": self.count_override if self.count_override is not None else len(rows),
                "next": self._link(request, self.next_origin or origin, offset + limit, limit)
                if offset + limit < len(rows)
                else None,
                "previous": self._link(request, self.next_origin or origin, max(offset - limit, 0), limit)
                if offset > 0
                else None,
                "results": page,
            },
        )

    def _ordered_by_id(self) -> list[dict[str, Any]]:
        if self._by_id is None or len(self._by_id) != len(self.invoices):  # also catches direct edits of `invoices`
            self._by_id = sorted(self.invoices.values(), key=lambda row: row["id"])
        return self._by_id

    def _filtered(
        self, filters: tuple[wire.Filter, ...], single: dict[str, str], errors: dict[str, list[str]]
    ) -> list[dict[str, Any]]:
        rows = list(self.invoices.values())
        for spec in filters:  # the filters as declared once (wire.FILTERS): each keeps what its kind and op say
            if spec.query not in single:
                continue
            bound = _bound(spec, single, errors)
            if bound is None:
                continue
            keep, field = _COMPARE[spec.op], spec.field
            read = datetime.date.fromisoformat if spec.cli.kind == "date" else lambda value: value
            rows = [row for row in rows if row[field] is not None and keep(read(row[field]), bound)]
        return rows

    @staticmethod
    def _link(request: SandboxRequest, origin: str, offset: int, limit: int) -> str:
        query = [(k, v) for k, v in request.query if k not in ("offset", "limit")]
        return f"{origin}{request.path}?{urlencode([*query, ('limit', str(limit)), ('offset', str(offset))])}"


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {"ge": operator.ge, "le": operator.le, "eq": operator.eq}


def _bound(spec: wire.Filter, single: dict[str, str], errors: dict[str, list[str]]) -> Any:
    """The filter's value as its kind reads it, or ``None`` (and an error) when it does not parse."""
    name, value = spec.query, single[spec.query]
    if spec.cli.kind == "date":
        return _date(value, name, errors)
    if spec.cli.kind == "int":
        number = _int(single, name, 0, None, None, errors)
        return None if name in errors else number
    if spec.cli.kind in ("str", "choice"):
        if spec.cli.choices and value not in spec.cli.choices:
            errors[name] = [f'Select a valid choice. "{value}" is not one of the available choices.']
            return None
        return value
    raise ValueError(f"the sandbox cannot filter {name}: its declared kind {spec.cli.kind} is not one it reads")


def _int(
    single: dict[str, str], name: str, default: int, low: int | None, high: int | None, errors: dict[str, list[str]]
) -> int:
    if name not in single:
        return default
    try:
        value = int(single[name])
    except ValueError:
        errors[name] = ["A valid integer is required."]
        return default
    if low is not None and value < low:  # Django REST framework's words, as the rest of the API's messages
        errors[name] = [f"Ensure this value is greater than or equal to {low}."]
        return default
    if high is not None and value > high:
        errors[name] = [f"Ensure this value is less than or equal to {high}."]
        return default
    return value


def _date(value: str, name: str, errors: dict[str, list[str]]) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        errors[name] = ["Enter a valid date."]
        return None


def _ordering(value: str | None, errors: dict[str, list[str]]) -> list[tuple[str, bool]]:
    if not value:  # absent, or `ordering=`: the empty array, which the spec allows (no minItems)
        return [("invoice_date", True), ("id", True)]
    fields = []
    for part in value.split(","):
        name = part.strip()
        field = name.removeprefix("-")
        if field not in ORDER_FIELDS:
            errors["ordering"] = [f'Select a valid choice. "{name}" is not one of the available choices.']
            return []
        fields.append((field, name.startswith("-")))
    return fields


def _sort_key(field: str) -> Callable[[dict[str, Any]], tuple[bool, Any]]:
    def key(row: dict[str, Any]) -> tuple[bool, Any]:
        value = row[field]
        if field == "amount_total":
            value = Decimal(value)
        return (value is None, value if value is not None else 0)

    return key
