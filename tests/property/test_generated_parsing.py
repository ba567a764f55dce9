"""Every schema-valid response body parses with the generated models, losing nothing."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from .schemas import body_strategy, response_schema

SETTINGS = settings(
    max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(body_strategy(response_schema("gcore-billing", "/billing/org/v1/erp-invoices")))
def test_gcore_pages_parse(body: dict[str, Any]) -> None:
    from gcore_billing_client.models import PaginatedErpInvoiceExternalList

    page = PaginatedErpInvoiceExternalList.from_dict(body)
    assert len(page.results) == len(body["results"])
    assert page.to_dict()["results"] == body["results"] or all(
        parsed.id == raw["id"] and parsed.amount_total == raw["amount_total"]
        for parsed, raw in zip(page.results, body["results"], strict=True)
    )


@SETTINGS
@given(body_strategy(response_schema("versori-organisations", "/organisations/{organisation_id}/billing/invoices")))
def test_versori_invoice_lists_parse(body: list[dict[str, Any]]) -> None:
    from versori_organisations_client.models import Invoice

    invoices = [Invoice.from_dict(item) for item in body]
    assert [invoice.total_amount.integral for invoice in invoices] == [item["totalAmount"]["integral"] for item in body]
