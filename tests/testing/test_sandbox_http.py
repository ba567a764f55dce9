"""The sandbox as an HTTP server, seen with a plain httpx client: what an independent tester would check.

Undeclared methods get ``405`` with ``Allow`` in the vendor's error shape (not the standard library's 501
HTML page), ``HEAD`` is served as ``GET`` without a body, an empty ``ordering=`` is the default ordering,
and every error message is in the vendor's words (no Python ``None`` or repr).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from invoice_clients.testing import Sandbox

GCORE = {"Authorization": "apikey sandbox-gcore-key"}
VERSORI = {"Authorization": "Bearer sandbox-versori-key"}
LIST = "/billing/org/v1/erp-invoices"
INVOICES = "/api/organisations/v1/organisations/org_acme/billing/invoices"
UNDECLARED = ("POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY", "PROPFIND")


@pytest.fixture
def http(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, timeout=5) as client:
        yield client


def test_gcore_answers_an_undeclared_method_405_with_allow(http: httpx.Client) -> None:
    for path in (LIST, f"{LIST}/1", f"{LIST}/1/download"):
        for method in UNDECLARED:
            response = http.request(method, path, headers=GCORE)
            assert response.status_code == 405, (method, path)
            assert response.headers["allow"] == "GET, HEAD"
            assert response.headers["content-type"] == "application/json"
            assert response.json() == {"detail": f'Method "{method}" not allowed.'}


def test_versori_answers_an_undeclared_method_405_with_allow(http: httpx.Client) -> None:
    for method in UNDECLARED:
        response = http.request(method, INVOICES, headers=VERSORI)
        assert response.status_code == 405, method
        assert response.headers["allow"] == "GET, HEAD"
        assert response.json() == {"code": "method_not_allowed", "message": f"method {method} is not allowed; use GET"}


def test_an_undeclared_method_is_still_authenticated_first(http: httpx.Client) -> None:
    assert http.post(LIST).status_code == 401  # as Django REST framework: authentication, then the method
    assert http.post(INVOICES).status_code == 401


def test_an_undeclared_method_on_an_unknown_path_is_404(http: httpx.Client) -> None:
    assert http.post(f"{LIST}/1/unknown", headers=GCORE).status_code == 404
    assert http.post("/elsewhere").status_code == 404


@pytest.mark.parametrize(("path", "headers"), [(LIST, GCORE), (f"{LIST}/1/download", GCORE), (INVOICES, VERSORI)])
def test_head_is_get_without_a_body(http: httpx.Client, path: str, headers: dict[str, str]) -> None:
    get = http.get(path, headers=headers)
    head = http.head(path, headers=headers)
    assert (head.status_code, head.headers["content-type"]) == (get.status_code, get.headers["content-type"])
    assert head.headers["content-length"] == get.headers["content-length"] != "0"
    assert head.content == b""
    assert http.get(path, headers=headers).content == get.content  # the connection is still in step


def test_an_empty_ordering_is_the_default_ordering(http: httpx.Client) -> None:
    default = http.get(LIST, headers=GCORE)
    empty = http.get(LIST, params={"ordering": ""}, headers=GCORE)
    assert empty.status_code == 200
    assert [row["id"] for row in empty.json()["results"]] == [row["id"] for row in default.json()["results"]]


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"limit": "0"}, {"limit": ["Ensure this value is greater than or equal to 1."]}),
        ({"limit": "101"}, {"limit": ["Ensure this value is less than or equal to 100."]}),
        ({"offset": "-1"}, {"offset": ["Ensure this value is greater than or equal to 0."]}),
        ({"limit": "ten"}, {"limit": ["A valid integer is required."]}),
        ({"client_id": "4.2"}, {"client_id": ["A valid integer is required."]}),
        ({"invoice_date__from": "2026-13-01"}, {"invoice_date__from": ["Enter a valid date."]}),
        ({"ordering": "id,,name"}, {"ordering": ['Select a valid choice. "" is not one of the available choices.']}),
        ({"move_type": "x"}, {"move_type": ['Select a valid choice. "x" is not one of the available choices.']}),
    ],
)
def test_gcore_errors_are_in_django_rest_frameworks_words(
    http: httpx.Client, query: dict[str, str], errors: dict[str, list[str]]
) -> None:
    response = http.get(LIST, params=query, headers=GCORE)
    assert response.status_code == 400
    assert response.json() == errors


def test_no_sandbox_message_leaks_a_python_repr(http: httpx.Client) -> None:
    bad = [
        (LIST, {"limit": "0", "offset": "-1", "client_id": "x", "payer_id": "", "currency": "", "ordering": "x"}),
        (LIST, {"ordering": ["id", "name"], "move_type": "", "payment_state": "x", "invoice_date__to": "x"}),
        (f"{LIST}/999999", {}),
        (f"{LIST}/999999/download", {}),
    ]
    for path, query in bad:
        text = http.get(path, params=query, headers=GCORE).text
        for leak in ("None", "True", "False", "'", "[]", "<"):
            assert leak not in text, (path, query, text)
    for query in ({"from": "x"}, {"from": "2026-02-01", "to": "2026-01-01"}, {}):
        body = http.get(INVOICES.replace("org_acme", "org_x"), params=query, headers=VERSORI).json()
        assert set(body) == {"code", "message"} and "None" not in json.dumps(body)
