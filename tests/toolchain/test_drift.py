"""Spec drift against upstream variants served on loopback: what changed, does it break us, do overlays still fit."""

from __future__ import annotations

import copy
import json
import re
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts import drift
from scripts.manifest import ROOT, load_manifest, sha256_file
from scripts.regenerate import check

from .conftest import tree_digest
from .upstream import UpstreamServer, aggregated_gcore, gcore, to_yaml, versori

ERP = "/billing/org/v1/erp-invoices"


@pytest.fixture(scope="module")
def upstream() -> Iterator[UpstreamServer]:
    server = UpstreamServer()
    yield server
    server.close()


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``drift.main`` in-process: (exit status, stdout, stderr)."""

    def call(*args: str | Path) -> tuple[int, str, str]:
        status = drift.main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return call


def report(run: Run, upstream: UpstreamServer, api: str, document: dict[str, Any] | bytes) -> dict[str, Any]:
    """The JSON report for ``api`` against ``document``, with the exit status under ``status``."""
    url = upstream.serve(f"/{api}/{id(document)}.yaml", document)
    status, out, _ = run("--api", api, "--upstream", url, "--format", "json")
    data: dict[str, Any] = json.loads(out)
    assert data["exit_status"] == status
    return data


def changes(data: dict[str, Any]) -> list[tuple[str, str, bool]]:
    return [(c["location"], c["kind"], c["breaking"]) for c in data["changes"]]


def schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"][name]
    return found


def parameter(document: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [p for p in document["paths"][ERP]["get"]["parameters"] if p["name"] == name]
    return found


# -- no relevant change --------------------------------------------------------------------------------------


def test_whole_aggregated_document_with_only_unrelated_churn_is_no_change(run: Run, upstream: UpstreamServer) -> None:
    for revision in (1, 2):  # two daily republications: timestamps and other operations differ
        data = report(run, upstream, "gcore-billing", aggregated_gcore(revision))
        assert data["exit_status"] == 0
        assert data["changes"] == []
        assert {o["status"] for o in data["overlays"]} == {"applies"}


def test_timestamp_only_revision_is_no_change(run: Run, upstream: UpstreamServer) -> None:
    document = versori()
    document["info"]["version"] = "2026-11-23T00:00:00Z"
    document["info"]["description"] = "Republished."
    url = upstream.serve("/versori-ts.yaml", to_yaml(document, integer_codes=False))
    status, out, _ = run("--api", "versori-organisations", "--upstream", url)
    assert status == 0
    assert "## versori-organisations: no relevant change" in out
    assert "Overlay: all 10 actions still apply." in out


def test_renaming_a_component_is_not_a_change(run: Run, upstream: UpstreamServer) -> None:
    text = to_yaml(gcore()).decode().replace("ErpInvoiceExternal", "ErpInvoice")
    data = report(run, upstream, "gcore-billing", text.encode())
    assert data["changes"] == []
    # The overlay targets the old name, so the report says which actions to retarget.
    stale = {o["index"] for o in data["overlays"] if o["status"] == "no-match"}
    assert stale and data["exit_status"] == 1


# -- breaking -----------------------------------------------------------------------------------------------


def test_removed_operation_is_breaking(run: Run, upstream: UpstreamServer) -> None:
    document = aggregated_gcore()
    del document["paths"][f"{ERP}/{{id}}"]
    data = report(run, upstream, "gcore-billing", document)
    assert changes(data) == [(f"GET {ERP}/{{id}}", "operation-removed", True)]
    assert data["exit_status"] == 2


def test_removed_parameter_is_breaking(run: Run, upstream: UpstreamServer) -> None:
    document = gcore()
    operation = document["paths"][ERP]["get"]
    operation["parameters"] = [p for p in operation["parameters"] if p["name"] != "payer_id"]
    data = report(run, upstream, "gcore-billing", document)
    assert (f"GET {ERP} parameter query:payer_id", "parameter-removed", True) in changes(data)
    assert data["exit_status"] == 2


def test_removed_response_property_is_breaking(run: Run, upstream: UpstreamServer) -> None:
    document = gcore()
    del schema(document, "ErpInvoiceExternal")["properties"]["amount_tax"]
    schema(document, "ErpInvoiceExternal")["required"].remove("amount_tax")
    data = report(run, upstream, "gcore-billing", document)
    assert ("schema ErpInvoiceExternal.amount_tax", "property-removed", True) in changes(data)
    assert data["exit_status"] == 2


def test_changed_type_is_breaking(run: Run, upstream: UpstreamServer) -> None:
    document = gcore()
    schema(document, "ErpInvoiceExternal")["properties"]["id"]["type"] = "string"
    data = report(run, upstream, "gcore-billing", document)
    (change,) = data["changes"]
    assert (change["location"], change["kind"], change["breaking"]) == ("schema ErpInvoiceExternal.id", "type", True)
    assert change["message"] == "type changed from integer to string"


def test_narrowed_request_type_is_breaking_and_makes_the_overlay_fix_a_no_op(
    run: Run, upstream: UpstreamServer
) -> None:
    document = gcore()
    for name in ("client_id", "payer_id"):
        parameter(document, name)["schema"] = {"type": "integer"}  # upstream fixes what our overlay patches
    data = report(run, upstream, "gcore-billing", document)
    assert (f"GET {ERP} parameter query:client_id", "type", True) in changes(data)
    (action,) = [o for o in data["overlays"] if "client_id" in o["target"]]
    assert action["status"] == "no-op"
    assert "delete the action" in action["advice"]


def test_newly_required_request_input_is_breaking(run: Run, upstream: UpstreamServer) -> None:
    document = gcore()
    parameter(document, "currency")["required"] = True
    operation = document["paths"][ERP]["get"]
    operation["parameters"].append({"in": "query", "name": "tenant", "required": True, "schema": {"type": "string"}})
    data = report(run, upstream, "gcore-billing", document)
    assert (f"GET {ERP} parameter query:currency", "required", True) in changes(data)
    assert (f"GET {ERP} parameter query:tenant", "parameter-added", True) in changes(data)
    assert data["exit_status"] == 2


def test_response_property_that_may_now_be_null_is_breaking(run: Run, upstream: UpstreamServer) -> None:
    document = gcore()
    schema(document, "ErpInvoiceExternal")["properties"]["currency"]["nullable"] = True
    data = report(run, upstream, "gcore-billing", document)
    assert changes(data) == [("schema ErpInvoiceExternal.currency", "type", True)]


# -- non-breaking -------------------------------------------------------------------------------------------


def test_added_optional_property_and_parameter_are_non_breaking(run: Run, upstream: UpstreamServer) -> None:
    document = aggregated_gcore()
    schema(document, "ErpInvoiceExternal")["properties"]["amount_residual"] = {"type": "string", "format": "decimal"}
    document["paths"][ERP]["get"]["parameters"].append(
        {"in": "query", "name": "invoice_date_due__from", "schema": {"type": "string", "format": "date"}}
    )
    data = report(run, upstream, "gcore-billing", document)
    assert sorted(changes(data)) == [
        (f"GET {ERP} parameter query:invoice_date_due__from", "parameter-added", False),
        ("schema ErpInvoiceExternal.amount_residual", "property-added", False),
    ]
    assert data["exit_status"] == 1


def test_enum_value_added_to_a_response_is_non_breaking_with_a_reason(run: Run, upstream: UpstreamServer) -> None:
    document = gcore()
    schema(document, "ErpInvoiceExternal")["properties"]["payment_state"]["enum"].append("blocked")
    data = report(run, upstream, "gcore-billing", document)
    (change,) = data["changes"]
    assert (change["kind"], change["breaking"]) == ("enum-value-added", False)
    assert "passes unknown values through as strings" in change["message"]
    assert data["exit_status"] == 1


def test_enum_value_removed_from_a_request_filter_is_breaking(run: Run, upstream: UpstreamServer) -> None:
    document = gcore()
    enum = parameter(document, "payment_state")["schema"]["enum"]
    enum.remove("reversed")
    data = report(run, upstream, "gcore-billing", document)
    assert (f"GET {ERP} parameter query:payment_state", "enum-value-removed", True) in changes(data)


# -- overlay health -----------------------------------------------------------------------------------------


def test_upstream_fixing_currency_code_makes_the_overlay_action_obsolete(run: Run, upstream: UpstreamServer) -> None:
    document = versori()
    schema(document, "Invoice")["required"].remove("currencyCode")
    url = upstream.serve("/versori-fixed.yaml", document)
    status, out, _ = run("--api", "versori-organisations", "--upstream", url)
    assert status == 1
    assert "currencyCode is no longer required (it was never a defined property" in out
    assert re.search(
        r"\| 0 \| `\$\.components\.schemas\.Invoice\.required\[\?@ == 'currencyCode'\]` \| no-match \|", out
    )
    assert "delete or retarget the action" in out


# -- could not run ------------------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (lambda up: f"http://127.0.0.1:{_closed_port()}/spec.yaml", r"unreachable: \[Errno 111\] Connection refused"),
        (lambda up: up.base_url + "/missing.yaml", r"HTTP 404 Not Found"),
        (lambda up: up.serve("/broken.yaml", b"openapi: 3.1.0\npaths: [\n"), r"malformed YAML"),
        (lambda up: up.serve("/not-openapi.yaml", b"- just\n- a list\n"), r"not an OpenAPI document"),
    ],
)
def test_failures_exit_3_with_one_line(
    run: Run, upstream: UpstreamServer, source: Callable[[UpstreamServer], str], reason: str
) -> None:
    url = source(upstream)
    status, out, err = run("--api", "versori-organisations", "--upstream", url)
    assert status == 3
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(f"error: {url}")
    assert re.search(reason, err), err


def test_upstream_override_needs_one_api(run: Run, upstream: UpstreamServer) -> None:
    status, _, err = run("--upstream", upstream.serve("/any.yaml", versori()))
    assert status == 3 and "needs --api NAME" in err


# -- report formats -----------------------------------------------------------------------------------------


def test_json_and_report_file(run: Run, upstream: UpstreamServer, tmp_path: Path) -> None:
    document = gcore()
    schema(document, "ErpInvoiceExternal")["properties"]["amount_residual"] = {"type": "string"}
    url = upstream.serve("/gcore-json.yaml", document)
    target = tmp_path / "drift.json"
    status, out, _ = run("--api", "gcore-billing", "--upstream", url, "--format", "json", "--report", target)
    assert target.read_text() == out
    data = json.loads(out)
    assert status == data["exit_status"] == 1
    assert data["changes"] == [
        {
            "api": "gcore-billing",
            "location": "schema ErpInvoiceExternal.amount_residual",
            "kind": "property-added",
            "breaking": False,
            "message": "optional property amount_residual was added",
        }
    ]
    assert len(data["overlays"]) == len(load_manifest().select("gcore-billing")) * 13
    assert set(data["overlays"][0]) == {"api", "index", "target", "status", "advice"}


# -- --write ------------------------------------------------------------------------------------------------


def test_write_vendors_the_selection_records_provenance_and_regenerates(
    repo: Path, upstream: UpstreamServer, run_script: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    document = aggregated_gcore(3)
    schema(document, "ErpInvoiceExternal")["properties"]["amount_residual"] = {
        "type": "string",
        "description": "Amount still due",
    }
    url = upstream.serve("/gcore-write.yaml", document)
    result = run_script("drift", "--root", repo, "--api", "gcore-billing", "--upstream", url, "--write")
    assert result.returncode == 1, result.stderr
    assert "generated/ changes:" in result.stdout
    assert "+    amount_residual" in result.stdout  # the generated model gained the field
    vendored = (repo / "specs" / "gcore-billing.yaml").read_text()
    assert "calc-rules" not in vendored and "amount_residual" in vendored  # the selection, not the aggregate
    (api,) = load_manifest(repo / "specs" / "manifest.toml", repo).select("gcore-billing")
    assert api.provenance.sha256 == sha256_file(api.spec_path)
    assert "info.version 2026-11-13T06:37:28" in api.provenance.source and url in api.provenance.source
    manifest_text = (repo / "specs" / "manifest.toml").read_text()
    assert manifest_text.startswith("# One entry per vendored API.")  # comments kept
    outcome = check(repo)
    assert not outcome.changed and not [w for w in outcome.warnings if "provenance" in w or "stale" in w]


def test_failed_write_changes_nothing(
    repo: Path, upstream: UpstreamServer, run_script: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    document = copy.deepcopy(versori())
    schema(document, "Invoice")["required"].remove("currencyCode")  # the overlay's first action now matches nothing
    url = upstream.serve("/versori-write.yaml", document)
    before = tree_digest(repo)
    result = run_script("drift", "--root", repo, "--api", "versori-organisations", "--upstream", url, "--write")
    assert result.returncode == 3
    (line,) = result.stderr.splitlines()
    assert "actions[0]" in line and "matches nothing" in line and line.endswith("nothing was changed")
    assert tree_digest(repo) == before


def test_real_upstream_url_from_the_manifest_is_used_by_default(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    fetched: list[str] = []

    def fake_fetch(source: str, root: Path = ROOT) -> drift.Fetched:
        fetched.append(source)
        raise drift.ToolchainError(source, "unreachable: offline test")

    monkeypatch.setattr(drift, "fetch", fake_fetch)
    status, _, err = run("--api", "versori-organisations")
    assert status == 3 and "offline test" in err
    assert fetched == ["https://docs.versori.com/openapi/organisations-api-v1.yaml"]
