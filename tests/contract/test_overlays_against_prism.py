"""What the overlays change, as an independent implementation (Prism) sees it."""

from __future__ import annotations

import httpx
import pytest

from .conftest import Mocks
from .harness import WireRecorder, wire_problems

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
    # Prism refuses an invalid request with the operation's declared 400 (the overlay declares the list's).
    assert httpx.get(url, headers=headers, params={"client_id": 42}).status_code == 200
    assert httpx.get(url, headers=headers, params={"client_id": "42.5"}).status_code == 400
    assert httpx.get(url, headers=headers, params={"limit": 101}).status_code == 400
    assert httpx.get(url, headers=headers, params={"ordering": "-invoice_date,id"}).status_code == 200
    assert httpx.get(url, headers=headers, params={"ordering": "-invoice_date,bogus"}).status_code == 400


@pytest.mark.parametrize(
    "bad",
    [
        "/4.5",
        "/4.5/download",
        "?invoice_date__from=2026-13-01",
        "?billing_period_to__to=01/02/2026",
        "?move_type=bogus",
    ],
)
def test_prism_rejects_what_a_careless_client_would_send(mocks: Mocks, bad: str) -> None:
    """The facade tests rely on these refusals: a facade sending such a request would raise and fail its test.

    Prism answers with the operation's declared 400 (the list's), else 422 (get and download declare none).
    """
    url = mocks.static["gcore"].base_url + "/billing/org/v1/erp-invoices" + bad
    expected = 400 if bad.startswith("?") else 422
    assert httpx.get(url, headers={"Authorization": "apikey key"}).status_code == expected


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ({"ordering": ["id", "-invoice_date"]}, "ordering sent 2 times"),
        ({"client_id": "42.0"}, "client_id=42.0 is not an integer"),
    ],
)
def test_the_wire_recorder_catches_what_prism_tolerates(
    recorder: WireRecorder, query: dict[str, object], problem: str
) -> None:
    response = httpx.get(
        recorder.base_url + "/billing/org/v1/erp-invoices", params=query, headers={"Authorization": "apikey k"}
    )
    assert response.status_code == 200  # Prism lets it through...
    (request,) = recorder.requests
    assert wire_problems(request) == [problem]  # ...the recorder does not
    recorder.requests.clear()  # keep the fixture's own end-of-test check about the facade's requests
