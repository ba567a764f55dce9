"""The project's overlays fix what their descriptions say upstream gets wrong."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

from scripts.documents import load_openapi, load_overlay
from scripts.manifest import ROOT, load_manifest
from scripts.overlay import apply_overlay

MANIFEST = load_manifest()


def effective(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    (api,) = MANIFEST.select(name)
    spec = load_openapi(api.spec_path)
    patched, reports = apply_overlay(spec, load_overlay(api.overlay_path))
    assert all(report.status == "applies" for report in reports)
    return spec, patched


@pytest.mark.parametrize("api", MANIFEST.apis, ids=lambda api: api.name)
def test_every_action_says_what_upstream_gets_wrong(api: Any) -> None:
    for action in load_overlay(api.overlay_path).actions:
        assert len(action.get("description", "")) > 40, action["target"]


def test_versori_invoice_no_longer_requires_an_undefined_property() -> None:
    spec, patched = effective("versori-organisations")
    invoice = spec["components"]["schemas"]["Invoice"]
    assert "currencyCode" in invoice["required"] and "currencyCode" not in invoice["properties"]
    fixed = patched["components"]["schemas"]["Invoice"]
    assert set(fixed["required"]) <= set(fixed["properties"])


def test_versori_requires_bearer_auth() -> None:
    _, patched = effective("versori-organisations")
    assert patched["security"] == [{"bearerAuth": []}]
    assert patched["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A Versori API key, sent as `Authorization: Bearer <key>`.",
    }


def test_versori_currency_is_any_iso_code() -> None:
    _, patched = effective("versori-organisations")
    currency = patched["components"]["schemas"]["MonetaryValue"]["properties"]["currencyCode"]
    assert "enum" not in currency
    assert re.match(currency["pattern"], "JPY") and not re.match(currency["pattern"], "yen")


def test_gcore_amount_pattern_accepts_real_amounts() -> None:
    spec, patched = effective("gcore-billing")
    upstream = spec["components"]["schemas"]["ErpInvoiceExternal"]["properties"]["amount_total"]["pattern"]
    pattern = patched["components"]["schemas"]["ErpInvoiceExternal"]["properties"]["amount_total"]["pattern"]
    for amount in ("1234.500000000000", "-12.000000000000"):
        assert not re.match(upstream, amount)
        assert re.match(pattern, amount)
    assert not re.match(pattern, "12,50") and not re.match(pattern, "abc")


def test_gcore_nullable_is_expressed_the_31_way() -> None:
    _, patched = effective("gcore-billing")
    properties = patched["components"]["schemas"]["ErpInvoiceExternal"]["properties"]
    assert properties["invoice_date"]["type"] == ["string", "null"]
    assert properties["invoice_id"]["type"] == ["integer", "null"]
    assert "nullable" not in str(patched)


def test_gcore_descriptions_are_not_the_leaked_framework_docstring() -> None:
    _, patched = effective("gcore-billing")
    assert "Mixin for viewsets" not in str(patched["paths"])


def test_generated_gcore_client_sends_integer_ids_and_has_real_docstrings() -> None:
    from invoice_clients._generated.gcore_billing_client.api.erp_invoices import v1_erp_invoices_list

    kwargs = v1_erp_invoices_list._get_kwargs(client_id=42, payer_id=7, limit=100)
    assert kwargs["params"] == {"client_id": 42, "payer_id": 7, "limit": 100}
    signature = inspect.signature(v1_erp_invoices_list.sync)
    assert "int" in str(signature.parameters["client_id"].annotation)
    assert "List the reseller's ERP invoices" in (v1_erp_invoices_list.sync.__doc__ or "")


def test_generated_models_accept_values_the_spec_does_not_list() -> None:
    from invoice_clients._generated.gcore_billing_client.models import ErpInvoiceExternal
    from invoice_clients._generated.versori_organisations_client.models import MonetaryValue

    invoice = ErpInvoiceExternal.from_dict(
        {
            "id": 1, "name": "INV/2026/00001", "move_type": "out_receipt", "currency": "CHF",
            "invoice_date": None, "invoice_date_due": None, "billing_period_from": None, "billing_period_to": None,
            "amount_untaxed": "1500.000000000000", "amount_tax": "0.000000000000", "amount_total": "1500.000000000000",
            "payment_state": "blocked", "client_id": 1, "payer_id": 2, "invoice_id": None,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
        }
    )  # fmt: skip
    assert (invoice.move_type, invoice.payment_state) == ("out_receipt", "blocked")
    money = MonetaryValue.from_dict({"integral": 1, "fractional": 5, "isNegative": False, "currencyCode": "KWD"})
    assert money.currency_code == "KWD"


def test_effective_specs_are_committed_beside_the_packages() -> None:
    for api in MANIFEST.apis:
        assert (ROOT / "generated" / api.effective_spec_name).is_file()
        assert (ROOT / "generated" / api.package / "py.typed").is_file()
