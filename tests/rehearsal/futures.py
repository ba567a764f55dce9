"""Upstream's next revisions, before anyone has seen them: synthetic changes made from the newest archived ones.

Every test that replays ``../shared/upstream`` replays revisions the loop has
already met.  These builders make the next ones, one of each kind the client
rules name, for each API, from whatever revision is newest in the archive (a
fresh copy each time; nothing is written into the project):

* :func:`non_breaking`: an optional query parameter on the operation the facade
  lists with, an optional property on the invoice it returns, and (Gcore) a new
  value of a response enum the overlay keeps open.  Merged, the suite must stay
  green; what the facade could learn is the pull request's next steps;
* :func:`breaking`: on top of that, a query parameter the client does not send
  made required.  Merged, the suite must fail, in bounded time, and the pull
  request must say what broke.
"""

from __future__ import annotations

import copy
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.specselect import find_operations

__all__ = ["FUTURES", "Future", "breaking", "newest_revision", "non_breaking"]


@dataclass(frozen=True)
class Future:
    """Where one API's next revision changes things: names no archived revision has."""

    operation: str  # the listing operation
    parameter: str  # an optional query parameter added to it
    invoice: str  # the schema of one invoice in its response
    property: str  # an optional property added to that schema
    required: str  # the breaking change: this query parameter made required (added if upstream lacks it)
    enum: tuple[str, str] = ("", "")  # (property, value): a value added to a response enum the overlay keeps open

    def locations(self, path: str) -> dict[str, str]:
        """The change locations the drift report gives for this future, by kind."""
        return {
            "parameter": f"GET {path} parameter query:{self.parameter}",
            "property": f"schema {self.invoice}.{self.property}",
            "required": f"GET {path} parameter query:{self.required}",
        }


FUTURES = {
    "gcore-billing": Future(
        operation="v1_erp_invoices_list",
        parameter="partner_id",
        invoice="ErpInvoiceExternal",
        property="amount_residual",
        required="move_type",  # the listing sends it only when the caller filters by it
        enum=("payment_state", "blocked"),
    ),
    "versori-organisations": Future(
        operation="GetInvoices",
        parameter="status",
        invoice="Invoice",
        property="invoiceNumber",
        required="period",
    ),
}


def newest_revision(archive: Path, into: Path) -> Path:
    """The newest revision (by file name: commit date) of an archive of ``../shared/upstream``, unpacked."""
    with tarfile.open(archive) as opened:
        opened.extractall(into, filter="data")
    return max(into.rglob("*.yaml"), key=lambda path: path.name)


def _operation(document: dict[str, Any], future: Future) -> tuple[str, dict[str, Any]]:
    path, _, operation = find_operations(document)[future.operation]
    return path, operation


def _query(operation: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next(
        (p for p in operation.get("parameters") or [] if p.get("name") == name and p.get("in") == "query"), None
    )


def non_breaking(api: str, document: dict[str, Any]) -> dict[str, Any]:
    """``document``'s next revision with only changes the client rules call non-breaking."""
    future, changed = FUTURES[api], copy.deepcopy(document)
    info = changed.setdefault("info", {})
    info["version"] = f"{info.get('version', '')}+future"
    _, operation = _operation(changed, future)
    assert _query(operation, future.parameter) is None, f"{api}: {future.parameter} is published already"
    operation.setdefault("parameters", []).append(
        {"name": future.parameter, "in": "query", "required": False, "schema": {"type": "string"}}
    )
    invoice = changed["components"]["schemas"][future.invoice]
    assert future.property not in invoice["properties"], f"{api}: {future.property} is published already"
    invoice["properties"][future.property] = {"type": "string", "description": "Added by a future revision"}
    name, value = future.enum
    if name:
        values = invoice["properties"][name]["enum"]
        assert value not in values, f"{api}: {name} has {value} already"
        values.append(value)
    return changed


def breaking(api: str, document: dict[str, Any]) -> dict[str, Any]:
    """:func:`non_breaking`'s revision, then a query parameter the client does not always send made required."""
    future, changed = FUTURES[api], non_breaking(api, document)
    changed["info"]["version"] += "+breaking"
    _, operation = _operation(changed, future)
    found = _query(operation, future.required)
    if found is None:
        found = {"name": future.required, "in": "query", "schema": {"type": "string"}}
        operation["parameters"].append(found)
    found["required"] = True
    return changed
