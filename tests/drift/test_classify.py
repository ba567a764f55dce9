"""What counts as a change, and whether it breaks a client of these operations: upstream variants on loopback."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from scripts.documents import load_overlay
from scripts.manifest import ROOT

from .conftest import Drift, Result
from .upstream import (
    ERP,
    RESIDUAL,
    UpstreamServer,
    aggregated_gcore,
    aggregated_versori,
    gcore,
    parameter,
    schema,
    to_json,
    to_yaml,
    unused,
    versori,
)

GCORE, VERSORI = "gcore-billing", "versori-organisations"
_names = itertools.count()


@pytest.fixture
def check(drift_cli: Drift, upstream: UpstreamServer) -> Any:
    """Serve ``document`` as ``api``'s upstream and return the JSON report (exit status checked against it)."""

    def run(api: str, document: dict[str, Any] | bytes, root: Path = ROOT) -> Result:
        url = upstream.serve(f"/{api}/{next(_names)}.yaml", document)
        result = drift_cli("--api", api, "--upstream", url, "--format", "json", root=root)
        assert result.json["exit_status"] == result.status, result.err
        return result

    return run


# -- churn that cannot affect the client is not a change ----------------------------------------------------


def test_daily_republications_of_the_aggregated_document_are_no_change(check: Any) -> None:
    for revision in (1, 2):  # new timestamp, other operations' parameters and schemas changed, an OAuth URL moved
        result = check(GCORE, aggregated_gcore(revision))
        actions = len(load_overlay(ROOT / "overlays" / "gcore-billing.yaml").actions)
        assert (result.status, result.json["changes"], result.overlay("applies")) == (0, [], list(range(actions)))


def test_timestamp_only_revision_is_no_change(check: Any) -> None:
    document = gcore()
    document["info"]["version"] = "2026-11-23T06:37:28.230198+00:00"
    assert check(GCORE, document).status == 0


def test_documentation_key_order_and_serialisation_are_no_change(check: Any) -> None:
    document = versori()
    document["info"]["description"] = "Republished."
    schema(document, "Invoice")["properties"]["invoiceURL"]["description"] = "Where to download it."
    document["components"]["schemas"] = dict(reversed(document["components"]["schemas"].items()))
    assert check(VERSORI, to_yaml(document, integer_codes=False)).status == 0
    assert check(VERSORI, to_json(aggregated_versori())).status == 0  # JSON, and the whole document


def test_renaming_a_component_is_no_change_but_the_overlay_must_follow(check: Any) -> None:
    text = to_yaml(gcore()).decode().replace("ErpInvoiceExternal", "ErpInvoice")
    result = check(GCORE, text.encode())
    assert result.json["changes"] == []
    assert result.overlay("no-match") and result.status == 1  # the actions naming the old schema


def test_change_in_a_component_only_other_operations_use_is_no_change(check: Any) -> None:
    document = aggregated_versori()
    del schema(document, "Organisation")["properties"]["owner"]
    assert check(VERSORI, document).status == 0


def test_change_in_a_component_shared_with_other_operations_is_a_change(check: Any) -> None:
    document = aggregated_versori()
    schema(document, "Error")["properties"]["code"]["type"] = "integer"
    assert check(VERSORI, document).changes() == [("schema Error.code", "type", True)]


# -- breaking -----------------------------------------------------------------------------------------------


def test_removed_operation_is_breaking(check: Any) -> None:
    document = aggregated_gcore()
    del document["paths"][f"{ERP}/{{id}}"]
    result = check(GCORE, document)
    assert result.changes() == [(f"GET {ERP}/{{id}}", "operation-removed", True)]
    assert result.status == 2


def test_renamed_operation_is_breaking_and_the_report_names_the_new_id(check: Any) -> None:
    document = gcore()
    document["paths"][f"{ERP}/{{id}}"]["get"]["operationId"] = "v2_erp_invoices_retrieve"
    (change,) = check(GCORE, document).json["changes"]
    assert change["breaking"] and "is now operation v2_erp_invoices_retrieve" in change["message"]


def test_removed_parameter_is_breaking(check: Any) -> None:
    document = gcore()
    operation = document["paths"][ERP]["get"]
    operation["parameters"] = [p for p in operation["parameters"] if p["name"] != "payer_id"]
    result = check(GCORE, document)
    assert result.changes() == [(f"GET {ERP} parameter query:payer_id", "parameter-removed", True)]
    assert result.status == 2


def test_removed_response_property_and_response_code_are_breaking(check: Any) -> None:
    document = gcore()
    del schema(document, "ErpInvoiceExternal")["properties"]["amount_tax"]
    schema(document, "ErpInvoiceExternal")["required"].remove("amount_tax")
    del document["paths"][f"{ERP}/{{id}}/download"]["get"]["responses"]["200"]
    assert sorted(check(GCORE, document).changes()) == [
        (f"GET {ERP}/{{id}}/download response 200", "response-removed", True),
        ("schema ErpInvoiceExternal.amount_tax", "property-removed", True),
    ]


def test_changed_type_is_breaking(check: Any) -> None:
    document = gcore()
    schema(document, "ErpInvoiceExternal")["properties"]["id"]["type"] = "string"
    (change,) = check(GCORE, document).json["changes"]
    assert (change["location"], change["kind"], change["breaking"]) == ("schema ErpInvoiceExternal.id", "type", True)
    assert change["message"] == "type changed from integer to string"


def test_narrowed_request_type_and_format_are_breaking(check: Any) -> None:
    document = gcore()
    parameter(document, "currency")["schema"]["enum"] = ["EUR", "USD"]  # was any string
    parameter(document, "invoice_date__from")["schema"]["format"] = "date-time"
    result = check(GCORE, document)
    assert sorted(result.changes()) == [
        (f"GET {ERP} parameter query:currency", "enum", True),
        (f"GET {ERP} parameter query:invoice_date__from", "format", True),
    ]


def test_newly_required_request_input_is_breaking(check: Any) -> None:
    document = gcore()
    parameter(document, "currency")["required"] = True
    document["paths"][ERP]["get"]["parameters"].append(
        {"in": "query", "name": "tenant", "required": True, "schema": {"type": "string"}}
    )
    result = check(GCORE, document)
    assert sorted(result.changes()) == [
        (f"GET {ERP} parameter query:currency", "required", True),
        (f"GET {ERP} parameter query:tenant", "parameter-added", True),
    ]
    assert result.status == 2


def test_response_property_that_may_now_be_null_is_breaking(check: Any) -> None:
    document = gcore()
    schema(document, "ErpInvoiceExternal")["properties"]["currency"]["nullable"] = True
    assert check(GCORE, document).changes() == [("schema ErpInvoiceExternal.currency", "type", True)]


def test_request_enum_value_removed_and_request_bound_narrowed_are_breaking(check: Any) -> None:
    document = gcore()
    parameter(document, "payment_state")["schema"]["enum"].remove("reversed")
    parameter(document, "limit")["schema"]["maximum"] = 50  # the overlay's own bound is 100: the client may send 100
    result = check(GCORE, document)
    assert sorted(result.changes()) == [
        (f"GET {ERP} parameter query:limit", "constraint", True),
        (f"GET {ERP} parameter query:payment_state", "enum-value-removed", True),
    ]
    (limit,) = [c for c in result.json["changes"] if c["kind"] == "constraint"]
    assert "against the client's effective spec: maximum changed from 100 to 50" in limit["message"]


def test_security_and_servers_changes_are_breaking(check: Any) -> None:
    document = gcore()
    document["components"]["securitySchemes"]["APIKey"]["in"] = "query"
    document["servers"] = [{"url": "https://api.gcore.com/v2"}]
    assert sorted(check(GCORE, document).changes()) == [
        ("securitySchemes.APIKey", "security", True),
        ("servers", "server-added", False),
        ("servers", "server-removed", True),
    ]


# -- non-breaking -------------------------------------------------------------------------------------------


def test_added_optional_property_parameter_and_response_are_non_breaking(check: Any) -> None:
    document = aggregated_gcore()
    schema(document, "ErpInvoiceExternal")["properties"][RESIDUAL] = {"type": "string", "format": "decimal"}
    parameters = document["paths"][ERP]["get"]["parameters"]
    name = unused([p["name"] for p in parameters], "invoice_date_due__from")
    parameters.append({"in": "query", "name": name, "schema": {"type": "string", "format": "date"}})
    document["paths"][ERP]["get"]["responses"]["429"] = {"description": "Too many requests"}
    result = check(GCORE, document)
    assert sorted(result.changes()) == [
        (f"GET {ERP} parameter query:{name}", "parameter-added", False),
        (f"GET {ERP} response 429", "response-added", False),
        (f"schema ErpInvoiceExternal.{RESIDUAL}", "property-added", False),
    ]
    assert result.status == 1


def test_added_operation_is_non_breaking(check: Any, repo: Path) -> None:
    # The vendored copy predates the download operation the manifest lists; upstream now has it.
    spec = repo / "specs" / "gcore-billing.yaml"
    vendored = gcore()
    del vendored["paths"][f"{ERP}/{{id}}/download"]
    spec.write_bytes(to_yaml(vendored))
    result = check(GCORE, gcore(), root=repo)
    assert result.changes() == [(f"GET {ERP}/{{id}}/download", "operation-added", False)]


def test_widened_request_bound_and_optional_parameter_are_non_breaking(check: Any) -> None:
    document = versori()
    document["components"]["parameters"]["from"]["required"] = False  # already optional: no change
    document["components"]["schemas"]["Invoice"]["properties"]["usageStatistics"]["additionalProperties"] = {
        "type": "integer",
        "minimum": 0,  # a response constraint
    }
    gcore_document = gcore()
    parameter(gcore_document, "limit")["schema"]["maximum"] = 500  # upstream's bound, wider than the overlay's 100
    assert check(VERSORI, document).changes() == [("schema Invoice.usageStatistics{*}", "constraint", False)]
    assert check(GCORE, gcore_document).changes() == [(f"GET {ERP} parameter query:limit", "constraint", False)]


def test_upstream_adopting_an_overlay_fix_breaks_nothing_and_the_action_is_a_no_op(check: Any) -> None:
    document = gcore()
    for name in ("client_id", "payer_id"):
        parameter(document, name)["schema"] = {"type": "integer"}  # number -> integer, as the overlay says
    result = check(GCORE, document)
    assert result.changes() == [
        (f"GET {ERP} parameter query:client_id", "type", False),
        (f"GET {ERP} parameter query:payer_id", "type", False),
    ]
    assert "the client already works this way" in result.json["changes"][0]["message"]
    assert result.overlay("no-op") == [0]
    assert result.status == 1


# -- enum values added to responses: breaking only where the client's enum is closed ------------------------


def test_response_enum_value_added_where_the_overlay_opens_the_enum_is_non_breaking(check: Any) -> None:
    document = gcore()
    values = schema(document, "ErpInvoiceExternal")["properties"]["payment_state"]["enum"]
    value = unused(values, "blocked")
    values.append(value)
    result = check(GCORE, document)
    (change,) = result.json["changes"]
    assert (change["kind"], change["breaking"]) == ("enum-value-added", False)
    assert change["message"].startswith(f"enum value '{value}' added to a response; not breaking: the overlay keeps")
    assert "passes it through as a plain string" in change["message"]
    assert result.status == 1


def test_response_enum_value_added_where_the_client_enum_is_closed_is_breaking(check: Any, repo: Path) -> None:
    # Suppose the overlay opened payment_state only: move_type would stay a closed enum in the generated model.
    overlay = repo / "overlays" / "gcore-billing.yaml"
    text = overlay.read_text()
    assert "properties['move_type', 'payment_state'].enum" in text
    overlay.write_text(text.replace("properties['move_type', 'payment_state'].enum", "properties.payment_state.enum"))
    document = gcore()
    schema(document, "ErpInvoiceExternal")["properties"]["move_type"]["enum"].append("in_invoice")
    (change,) = check(GCORE, document, root=repo).json["changes"]
    assert (change["location"], change["kind"], change["breaking"]) == (
        "schema ErpInvoiceExternal.move_type",
        "enum-value-added",
        True,
    )
    assert (
        "the generated model raises on it" in change["message"] and "open the enum in the overlay" in change["message"]
    )


def test_request_enum_value_added_is_non_breaking(check: Any) -> None:
    document = gcore()
    parameter(document, "move_type")["schema"]["enum"].append("in_invoice")
    assert check(GCORE, document).changes() == [(f"GET {ERP} parameter query:move_type", "enum-value-added", False)]


# -- overlay health -----------------------------------------------------------------------------------------


def test_upstream_fixing_currency_code_makes_the_versori_overlay_action_obsolete(
    check: Any, drift_cli: Drift, upstream: UpstreamServer
) -> None:
    document = aggregated_versori()
    schema(document, "Invoice")["required"].remove("currencyCode")
    result = check(VERSORI, document)
    (change,) = result.json["changes"]
    assert (change["location"], change["kind"], change["breaking"]) == ("schema Invoice.required", "required", False)
    assert "it was never a defined property" in change["message"]
    assert result.overlay("no-match") == [0]
    (action,) = [o for o in result.json["overlays"] if o["index"] == 0]
    assert "delete or retarget the action" in action["advice"]
    assert result.status == 1
    # The Markdown report says the same for people.
    markdown = drift_cli("--api", VERSORI, "--upstream", upstream.serve("/versori-fixed.yaml", document))
    assert markdown.status == 1
    assert "| `schema Invoice.required` | currencyCode is no longer required (it was never" in markdown.out
    assert (
        "| 0 | `$.components.schemas.Invoice.required[?@ == 'currencyCode']` | no-match | matches nothing upstream"
        in markdown.out
    )


def test_upstream_fixing_the_currency_code_enum_makes_that_action_a_no_op_target(check: Any) -> None:
    document = versori()
    del schema(document, "MonetaryValue")["properties"]["currencyCode"]["enum"]
    result = check(VERSORI, document)
    assert result.changes() == [("schema MonetaryValue.currencyCode", "enum", False)]  # absorbed by the overlay
    assert result.overlay("no-match") == [3]


@pytest.mark.parametrize("api", [GCORE, VERSORI])
def test_every_action_of_the_real_overlays_applies_to_the_vendored_specs(check: Any, api: str) -> None:
    result = check(api, gcore() if api == GCORE else versori())
    assert result.status == 0 and result.json["overlays"] and not result.overlay("no-match") + result.overlay("no-op")
