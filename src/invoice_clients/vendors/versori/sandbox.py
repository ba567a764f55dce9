"""The sandbox's Versori Organisations API: ``GetInvoices``.

``Authorization: Bearer <key>`` (401 without, 403 for the forbidden key); an
unknown organisation is a 404; errors are the spec's ``Error`` object.  Dates
behave as the operation documents: neither ``from`` nor ``to`` returns the
upcoming invoice (an empty array if there is none); one bound defaults the
other (``to`` = :attr:`VersoriSandbox.today`, ``from`` = one calendar month
before ``to``).  An invoice is in range when its period overlaps ``[from, to]``.
"""

from __future__ import annotations

import datetime
import re
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from ..._sandbox.http import SERVED_METHODS, Reply, SandboxRequest, json_reply, method_not_allowed

__all__ = ["VersoriSandbox", "monetary_value"]

PREFIX = "/api/organisations/v1"  # the base path; the clients' default base URL ends with it
_PATH = re.compile(r"^/organisations/([^/]+)/billing/invoices/?$")


def utc_today() -> datetime.date:
    """Today in UTC, as the API's server sees it."""
    return datetime.datetime.now(datetime.UTC).date()


def one_month_before(day: datetime.date) -> datetime.date:
    """The API's default ``from``: one calendar month before ``to``, clamped to the month's end.

    Written here again on purpose: the sandbox is the facade's oracle, so it does not import the code it checks.
    """
    first_of_month = day.replace(day=1)
    last_of_previous = first_of_month - datetime.timedelta(days=1)
    return last_of_previous.replace(day=min(day.day, last_of_previous.day))


def monetary_value(integral: int, fractional: int, currency: str = "GBP", *, negative: bool = False) -> dict[str, Any]:
    """A ``MonetaryValue`` as the API sends it; ``fractional`` is in minor units (GBP 12, 5 is 12.05)."""
    return {"integral": integral, "fractional": fractional, "currencyCode": currency, "isNegative": negative}


class VersoriSandbox:
    """State and behaviour of the sandbox's Versori API; mutate it freely from tests."""

    def __init__(self, *, api_key: str, forbidden_key: str) -> None:
        self.api_key = api_key
        self.forbidden_key = forbidden_key
        self.invoices: dict[str, list[dict[str, Any]]] = {}
        """Issued invoices (wire-format JSON) per organisation id."""
        self.upcoming: dict[str, dict[str, Any]] = {}
        """The upcoming invoice per organisation id."""
        self.today: Callable[[], datetime.date] = utc_today
        self._lock = threading.RLock()
        self._serial = 0

    def add_organisation(self, organisation_id: str) -> None:
        """Make ``organisation_id`` known (with no invoices yet): unknown ones are a 404."""
        with self._lock:
            self.invoices.setdefault(organisation_id, [])

    def add_invoice(
        self,
        organisation_id: str,
        start: datetime.date,
        end: datetime.date,
        total: dict[str, Any] | None = None,
        *,
        products: list[tuple[str, int, dict[str, Any]]] | None = None,
        upcoming: bool = False,
        **extra: Any,
    ) -> dict[str, Any]:
        """Add an invoice (or, with ``upcoming=True``, set the upcoming one); returns its JSON.

        ``total`` is a :func:`monetary_value`; ``products`` are ``(name, quantity, total)``.
        """
        with self._lock:
            self._serial += 1
            invoice: dict[str, Any] = {
                "invoiceStartDate": start.isoformat(),
                "invoiceEndDate": end.isoformat(),
                "totalAmount": total or monetary_value(12, 5),
                "invoiceURL": f"https://platform.versori.com/billing/invoices/in_sandbox{self._serial:04d}.pdf",
                "productBreakdowns": [
                    {"productName": name, "quantity": quantity, "total": value}
                    for name, quantity, value in (products or [])
                ],
                **extra,
            }
            self.add_organisation(organisation_id)
            if upcoming:
                self.upcoming[organisation_id] = invoice
            else:
                self.invoices[organisation_id].append(invoice)
            return invoice

    def clear(self) -> None:
        """Delete every invoice and upcoming invoice (the organisations stay known)."""
        with self._lock:
            self.invoices.clear()
            self.upcoming.clear()

    def handle(self, request: SandboxRequest, origin: str = "") -> Reply:
        """The reply to one request under the API's prefix."""
        if request.authorization == f"Bearer {self.forbidden_key}":
            return _error(403, "permission_denied", "the key may not read this organisation's billing")
        if request.authorization != f"Bearer {self.api_key}":
            return _error(401, "unauthenticated", "missing or invalid bearer token")
        match = _PATH.match(request.path[len(PREFIX) :])
        if match is None:
            return _error(404, "not_found", "no such route")
        if request.method not in SERVED_METHODS:
            return method_not_allowed(
                {"code": "method_not_allowed", "message": f"method {request.method} is not allowed; use GET"}
            )
        organisation_id = unquote(match.group(1))
        with self._lock:
            if organisation_id not in self.invoices:
                return _error(404, "not_found", f"organisation {organisation_id} not found")
            start, end = request.params("from"), request.params("to")
            if not start and not end:
                upcoming = self.upcoming.get(organisation_id)
                return json_reply(200, [upcoming] if upcoming else [])
            try:
                to = datetime.date.fromisoformat(end[-1]) if end else self.today()
                since = datetime.date.fromisoformat(start[-1]) if start else one_month_before(to)
            except ValueError:
                return _error(400, "invalid_argument", "from and to must be dates (YYYY-MM-DD)")
            if since > to:
                return _error(400, "invalid_argument", "from must not be after to")
            rows = [
                invoice
                for invoice in self.invoices[organisation_id]
                if datetime.date.fromisoformat(invoice["invoiceStartDate"]) <= to
                and datetime.date.fromisoformat(invoice["invoiceEndDate"]) >= since
            ]
            return json_reply(200, rows)


def _error(status: int, code: str, message: str) -> Reply:
    return json_reply(status, {"code": code, "message": message})
