"""The report: Markdown for people, a fixed JSON shape for machines, and --report FILE."""

from __future__ import annotations

import hashlib
import json
import re
import urllib.request
from pathlib import Path

import pytest

from scripts.documents import load_overlay
from scripts.manifest import ROOT, load_manifest

from .conftest import Drift
from .upstream import RESIDUAL, UpstreamServer, aggregated_versori, gcore, parameter, schema, versori


def _recorded_document(source: str) -> str:
    """The sha256 of the upstream document the provenance names, if it names one (``--write`` records it)."""
    found = re.search(r"document sha256 ([0-9a-f]{64})", source)
    return found.group(1) if found else ""


CHANGE_KEYS = {"api": str, "location": str, "kind": str, "breaking": bool, "message": str}
OVERLAY_KEYS = {"api": str, "index": int, "target": str, "status": str, "advice": str}
GCORE_ACTIONS = len(load_overlay(ROOT / "overlays" / "gcore-billing.yaml").actions)


@pytest.fixture(scope="module")
def drifted(upstream: UpstreamServer) -> str:
    """A Gcore upstream with one breaking and one non-breaking change."""
    document = gcore()
    schema(document, "ErpInvoiceExternal")["properties"][RESIDUAL] = {"type": "string"}
    parameter(document, "currency")["required"] = True
    return upstream.serve("/report/gcore.yaml", document)


def test_json_report_shape(drift_cli: Drift, drifted: str) -> None:
    result = drift_cli("--api", "gcore-billing", "--upstream", drifted, "--format", "json")
    data = json.loads(result.out)
    assert set(data) == {"exit_status", "apis", "changes", "overlays", "errors"}
    assert data["exit_status"] == result.status == 2 and data["errors"] == []
    raw = urllib.request.urlopen(drifted).read()
    version = gcore()["info"]["version"]
    (api,) = load_manifest().select("gcore-billing")
    assert data["apis"] == [
        {
            "api": "gcore-billing",
            "upstream": drifted,
            "info_version": version,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "changes": 2,
            "breaking": 1,
            "exit_status": 2,
            "error": "",
            "vendored": {
                "info_version": version,
                "document_sha256": _recorded_document(api.provenance.source),
                "sha256": api.provenance.sha256,
                "retrieved": api.provenance.retrieved,
            },
            "rot": [],
        }
    ]
    for entry, keys in [*((c, CHANGE_KEYS) for c in data["changes"]), *((o, OVERLAY_KEYS) for o in data["overlays"])]:
        assert {key: type(value) for key, value in entry.items()} == keys
    assert data["changes"] == [
        {
            "api": "gcore-billing",
            "location": "GET /billing/org/v1/erp-invoices parameter query:currency",
            "kind": "required",
            "breaking": True,
            "message": "parameter query:currency is now required",
        },
        {
            "api": "gcore-billing",
            "location": f"schema ErpInvoiceExternal.{RESIDUAL}",
            "kind": "property-added",
            "breaking": False,
            "message": f"optional property {RESIDUAL} was added",
        },
    ]
    assert [o["index"] for o in data["overlays"]] == list(range(GCORE_ACTIONS))
    assert {o["status"] for o in data["overlays"]} == {"applies"}


def test_markdown_report_leads_with_the_verdict_and_breaking_changes(drift_cli: Drift, drifted: str) -> None:
    result = drift_cli("--api", "gcore-billing", "--upstream", drifted)
    lines = result.out.splitlines()
    assert lines[:3] == ["# Spec drift", "", "**breaking changes (exit 2)**"]
    assert "## gcore-billing: 1 breaking, 1 non-breaking" in lines
    rows = [line for line in lines if line.startswith("| **breaking**") or line.startswith("| non-breaking")]
    assert [row.split(" | ")[0] for row in rows] == ["| **breaking**", "| non-breaking"]
    assert f"Overlay: all {GCORE_ACTIONS} actions still apply." in lines


@pytest.mark.parametrize("form", ["markdown", "json"])
def test_report_file_holds_what_stdout_shows(drift_cli: Drift, drifted: str, tmp_path: Path, form: str) -> None:
    target = tmp_path / f"drift.{form}"
    result = drift_cli("--api", "gcore-billing", "--upstream", drifted, "--format", form, "--report", target)
    assert result.status == 2
    assert target.read_text(encoding="utf-8") == result.out != ""


def test_every_api_of_the_manifest_in_one_report(drift_cli: Drift, upstream: UpstreamServer, repo: Path) -> None:
    # The manifest's own upstream URLs, pointed at loopback: Gcore unchanged, Versori with an added property.
    document = aggregated_versori()
    schema(document, "Invoice")["properties"]["status"] = {"type": "string"}
    manifest = repo / "specs" / "manifest.toml"
    text = manifest.read_text()
    for name, body in [("gcore-billing", gcore()), ("versori-organisations", document)]:
        (api,) = load_manifest(manifest, repo).select(name)
        text = text.replace(api.upstream, upstream.serve(f"/all/{name}.yaml", body))
    manifest.write_text(text)
    result = drift_cli("--format", "json", root=repo)
    assert [(api["api"], api["changes"]) for api in result.json["apis"]] == [
        ("gcore-billing", 0),
        ("versori-organisations", 1),
    ]
    assert result.status == 1
    assert {o["api"] for o in result.json["overlays"]} == {"gcore-billing", "versori-organisations"}


def test_unwritable_report_file_is_exit_3(drift_cli: Drift, upstream: UpstreamServer, tmp_path: Path) -> None:
    url = upstream.serve("/report/versori.yaml", versori())
    result = drift_cli("--api", "versori-organisations", "--upstream", url, "--report", tmp_path / "no" / "x.md")
    assert result.status == 3 and result.err.startswith(f"error: {tmp_path / 'no' / 'x.md'}: cannot write the report")
