"""The failures Schemathesis may report against the sandbox that are not defects: the one allowance list.

``nox -s schemathesis`` (:mod:`scripts.schemathesis_gate`) fails on every other failure, and on an allowance that
no failure needed any more: an allowance that stops applying is removed, not kept "just in case".  Each entry
says why it is not a defect and matches as narrowly as it can (document, operation, check code, status, and a
predicate on the request), so it cannot hide a real defect on the same operation.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ALLOWANCES", "Allowance"]


@dataclass(frozen=True, slots=True)
class Allowance:
    """Failures of ``code`` on ``operation`` of ``api``'s document, answered ``status``, when ``applies``."""

    name: str
    api: str
    """The manifest's name of the document (``specs/manifest.toml``)."""
    operation: str
    """Schemathesis's label of the operation: ``METHOD /path/{template}``."""
    code: str
    """The check's code (``st explain CODE``): ST202 is "Schema-valid request rejected"."""
    status: int
    applies: Callable[[Mapping[str, Any]], bool]
    """Whether the request's query parameters are the ones this allowance is for."""
    reason: str

    def covers(self, api: str, code: str, operation: str, status: int, query: Mapping[str, Any] | None) -> bool:
        """Whether this allowance accepts that failure."""
        key = (self.api, self.code, self.operation, self.status)
        return key == (api, code, operation, status) and self.applies(query or {})


def _date(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _from_after_to(query: Mapping[str, Any]) -> bool:
    """``from`` after ``to``, or after today when ``to`` is absent (Versori's default ``to`` is today, UTC)."""
    start = _date(query.get("from"))
    end = _date(query.get("to")) if "to" in query else datetime.datetime.now(datetime.UTC).date()
    return start is not None and end is not None and start > end


def _empty_ordering(query: Mapping[str, Any]) -> bool:
    """``ordering`` sent as ``ordering=`` (Schemathesis hands the hook the serialised value), the empty array's
    wire form too."""
    value = query.get("ordering")
    return value == "" or (isinstance(value, list) and ",".join(str(item) for item in value) == "")


ALLOWANCES: tuple[Allowance, ...] = (
    Allowance(
        name="versori-from-after-to",
        api="versori-organisations",
        operation="GET /organisations/{organisation_id}/billing/invoices",
        code="ST202",
        status=400,
        applies=_from_after_to,
        # Each date alone is valid, so Schemathesis sends a `from` after `to` (or, with no `to`, after today,
        # `to`'s default) as a valid request.  Versori refuses it with 400 (its documented `default` error
        # response), as the sandbox does: a rule across two parameters, which OpenAPI 3.1 has no way to
        # state, so no overlay can fix the document.
        reason="Versori refuses `from` after `to` (400): a rule across two parameters OpenAPI cannot state",
    ),
    Allowance(
        name="gcore-empty-ordering",
        api="gcore-billing",
        operation="GET /billing/org/v1/erp-invoices",
        code="ST201",
        status=200,
        applies=_empty_ordering,
        # `ordering` is an array sent `style: form, explode: false`, so the empty array (valid: no minItems) and
        # the array of one empty string (invalid: "" is no field) are both `ordering=` on the wire.  No server
        # can tell them apart; the sandbox takes the valid reading, the default ordering, as django-filter
        # does.  Schemathesis then reports the second as a schema-violating request accepted: its mistake.
        reason='`ordering=` is both the valid empty array and the invalid [""] on the wire; the valid reading wins',
    ),
)
"""Every allowance."""
