"""What the overlays change, as an independent implementation (Prism) sees it."""

from __future__ import annotations

import httpx

from .conftest import Mocks

INVOICES = "/organisations/org_1/billing/invoices"


def test_unpatched_versori_spec_rejects_every_invoice(mocks: Mocks) -> None:
    response = httpx.get(mocks.static["versori-unpatched"].base_url + INVOICES)
    assert response.status_code == 500
    violations = response.json()["validation"]
    assert [v["message"] for v in violations] == ["Response body property 0 must have required property 'currencyCode'"]


def test_patched_versori_spec_serves_valid_invoices(mocks: Mocks) -> None:
    response = httpx.get(mocks.static["versori"].base_url + INVOICES, headers={"Authorization": "Bearer key"})
    assert response.status_code == 200, response.text
    (invoice,) = response.json()
    assert invoice["totalAmount"] == {"isNegative": False, "currencyCode": "GBP", "integral": 12, "fractional": 5}
    assert "sl-violations" not in response.headers


def test_patched_versori_spec_requires_the_bearer_key(mocks: Mocks) -> None:
    assert httpx.get(mocks.static["versori"].base_url + INVOICES).status_code == 401


def test_patched_gcore_spec_rejects_fractional_ids_and_oversized_pages(mocks: Mocks) -> None:
    url = mocks.static["gcore"].base_url + "/billing/org/v1/erp-invoices"
    headers = {"Authorization": "apikey key"}
    assert httpx.get(url, headers=headers, params={"client_id": 42}).status_code == 200
    assert httpx.get(url, headers=headers, params={"client_id": "42.5"}).status_code == 422
    assert httpx.get(url, headers=headers, params={"limit": 101}).status_code == 422
    assert httpx.get(url, headers=headers, params={"ordering": "-invoice_date,id"}).status_code == 200
    assert httpx.get(url, headers=headers, params={"ordering": "-invoice_date,bogus"}).status_code == 422
