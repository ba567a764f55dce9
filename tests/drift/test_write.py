"""--write on a throw-away copy of the repository: absorb everything or change nothing."""

from __future__ import annotations

import datetime
import hashlib
import subprocess
import tomllib
from pathlib import Path

import pytest

from scripts.drift.write import vendored_text
from scripts.errors import ToolchainError
from scripts.fetch import fetch
from scripts.manifest import load_manifest, sha256_file, update_provenance
from scripts.regenerate import check
from scripts.specselect import select
from scripts.yamlio import load_yaml, load_yaml_text
from tests.shared import requires_group

from .conftest import Drift, tree_digest
from .upstream import RESIDUAL, UpstreamServer, aggregated_gcore, gcore, schema, to_yaml, unused, versori

requires_group("codegen", "openapi_python_client", "ruff")

MANIFEST = "specs/manifest.toml"
IDENTITY = ("-c", "user.name=A Maintainer", "-c", "user.email=maintainer@example.com")


def test_write_vendors_the_selection_records_provenance_and_regenerates(
    drift_cli: Drift, upstream: UpstreamServer, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = aggregated_gcore(3)
    schema(document, "ErpInvoiceExternal")["properties"][RESIDUAL] = {"type": "string"}
    url = upstream.serve("/write/gcore.yaml", document)
    raw_sha256 = hashlib.sha256(upstream.documents["/write/gcore.yaml"][1]).hexdigest()
    manifest_before = (repo / MANIFEST).read_text()
    versori_before = {k: v for k, v in tree_digest(repo).items() if "versori" in k}

    (vendored,) = load_manifest(repo / MANIFEST, repo).select("gcore-billing")
    day = datetime.date.fromisoformat(vendored.provenance.retrieved) + datetime.timedelta(days=1)
    monkeypatch.setenv("SPEC_DRIFT_TODAY", day.isoformat())
    result = drift_cli("--api", "gcore-billing", "--upstream", url, "--write", root=repo)

    assert result.status == 1, result.err
    report, _, written = result.out.partition("\n--write: vendored the upstream selection of gcore-billing;")
    assert f"optional property {RESIDUAL} was added" in report
    assert "M gcore_billing_client/models/erp_invoice_external.py" in written
    assert f"+    {RESIDUAL}: " in written
    # The vendored file: a provenance comment, then exactly the selection (no other billing operations).
    spec = repo / "specs" / "gcore-billing.yaml"
    text = spec.read_text()
    assert text.startswith(f"# Selected by `nox -s spec-drift -- --write` from {url}\n")
    assert text.splitlines()[1:3] == [
        "#   info.version 2026-11-13T06:37:28.230198+00:00",
        f"#   sha256 of the document {raw_sha256}",
    ]
    vendored = load_yaml(spec)
    assert RESIDUAL in vendored["components"]["schemas"]["ErpInvoiceExternal"]["properties"]
    assert len(vendored["paths"]) == 3 and "calc-rules" not in text and "OAuth2" not in text
    # The manifest: the three provenance values changed, every other line (comments included) as it was.
    (api,) = load_manifest(repo / MANIFEST, repo).select("gcore-billing")
    assert api.provenance.sha256 == sha256_file(spec)
    assert api.provenance.retrieved == day.isoformat()
    assert url in api.provenance.source and raw_sha256 in api.provenance.source
    before_lines, after_lines = manifest_before.splitlines(), (repo / MANIFEST).read_text().splitlines()
    assert len(before_lines) == len(after_lines)
    changed = [(old, new) for old, new in zip(before_lines, after_lines, strict=True) if old != new]
    assert [new.split(" = ")[0] for _, new in changed] == ["retrieved", "source", "sha256"]
    assert before_lines.index(changed[0][0]) > before_lines.index("[apis.gcore-billing.provenance]")
    # generated/ agrees with the new inputs, the other API was not touched, and the next check is quiet.
    outcome = check(repo)
    assert not outcome.changed and not outcome.warnings, outcome.warnings
    assert {k: v for k, v in tree_digest(repo).items() if "versori" in k} == versori_before
    again = drift_cli("--api", "gcore-billing", "--upstream", url, "--format", "json", root=repo)
    assert (again.status, again.json["changes"]) == (0, [])


def test_failed_write_changes_nothing(drift_cli: Drift, upstream: UpstreamServer, repo: Path) -> None:
    document = versori()
    schema(document, "Invoice")["required"].remove("currencyCode")  # the overlay's first action now matches nothing
    url = upstream.serve("/write/versori.yaml", document)
    before = tree_digest(repo)
    result = drift_cli("--api", "versori-organisations", "--upstream", url, "--write", root=repo)
    assert result.status == 3
    (line,) = result.err.splitlines()
    assert line.startswith("error: --write: overlays/versori-organisations.yaml:9: actions[0]: target ")
    assert "matches nothing upstream now (upstream: currencyCode is no longer required" in line
    assert line.endswith("; versori-organisations was not changed")
    assert tree_digest(repo) == before


def test_write_with_nothing_relevant_writes_nothing_and_json_stays_clean(
    drift_cli: Drift, upstream: UpstreamServer, repo: Path
) -> None:
    url = upstream.serve("/write/gcore-unchanged.yaml", aggregated_gcore(4))
    before = tree_digest(repo)
    result = drift_cli("--api", "gcore-billing", "--upstream", url, "--write", "--format", "json", root=repo)
    assert (result.status, result.json["changes"]) == (0, [])
    assert result.err == "\n--write: nothing to absorb, no relevant change\n"
    assert tree_digest(repo) == before


MANIFEST_TEXT = """\
# comment kept
[apis.a]
spec = "a.yaml"  # inline comment kept

[apis.a.provenance]
retrieved = "2026-01-01"  # old
sha256 = "00"

[apis.b.provenance]
retrieved = "2026-01-01"
"""


def test_update_provenance_edits_only_its_own_keys() -> None:
    text = update_provenance(MANIFEST_TEXT, "a", retrieved="2026-11-23", source='a "quoted" \\ source', sha256="ff")
    assert tomllib.loads(text)["apis"]["a"]["provenance"] == {
        "retrieved": "2026-11-23",
        "sha256": "ff",
        "source": 'a "quoted" \\ source',
    }
    assert tomllib.loads(text)["apis"]["b"]["provenance"] == {"retrieved": "2026-01-01"}
    assert text.startswith('# comment kept\n[apis.a]\nspec = "a.yaml"  # inline comment kept\n')
    with pytest.raises(ToolchainError, match=r"no \[apis\.c\.provenance\] table"):
        update_provenance(MANIFEST_TEXT, "c", sha256="ff")


def test_the_vendored_text_is_the_selection_and_round_trips() -> None:
    # Vendoring the selection of today's vendored spec keeps everything but the tags of other operations.
    (api,) = load_manifest().select("gcore-billing")
    fetched = fetch(str(api.spec_path))
    text = vendored_text(api, fetched, select(fetched.document, api.operations))
    vendored = gcore()
    assert load_yaml_text(text, "vendored") == {
        **vendored,
        "tags": [tag for tag in vendored["tags"] if tag["name"] == "erp-invoices"],
    }
    assert "&id" not in text and "*id" not in text  # no YAML anchors


def test_write_from_a_local_file_records_the_watched_url_not_the_path(
    drift_cli: Drift, repo: Path, tmp_path: Path
) -> None:
    document = aggregated_gcore(5)
    schema(document, "ErpInvoiceExternal")["properties"][RESIDUAL] = {"type": "string"}
    local = tmp_path / "downloads" / "billing_reseller_api.yaml"
    local.parent.mkdir()
    local.write_bytes(to_yaml(document))
    (before,) = load_manifest(repo / MANIFEST, repo).select("gcore-billing")
    result = drift_cli("--api", "gcore-billing", "--upstream", local, "--write", root=repo)
    assert result.status == 1, result.err
    (after,) = load_manifest(repo / MANIFEST, repo).select("gcore-billing")
    assert after.upstream == before.upstream
    watched = f"a local copy (billing_reseller_api.yaml) of {before.upstream}"
    assert watched in after.provenance.source
    assert (
        (repo / "specs" / "gcore-billing.yaml")
        .read_text()
        .startswith(f"# Selected by `nox -s spec-drift -- --write` from {watched}\n")
    )
    assert str(tmp_path) not in (repo / MANIFEST).read_text() + (repo / "specs" / "gcore-billing.yaml").read_text()


def test_a_second_write_of_the_same_document_changes_nothing_on_any_day(
    drift_cli: Drift, upstream: UpstreamServer, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = aggregated_gcore(6)
    schema(document, "ErpInvoiceExternal")["properties"][RESIDUAL] = {"type": "string"}
    url = upstream.serve("/write/gcore-twice.yaml", document)
    monkeypatch.setenv("SPEC_DRIFT_TODAY", "2031-01-01")
    assert drift_cli("--api", "gcore-billing", "--upstream", url, "--write", root=repo).status == 1
    written = tree_digest(repo)
    monkeypatch.setenv("SPEC_DRIFT_TODAY", "2031-01-02")
    again = drift_cli("--api", "gcore-billing", "--upstream", url, "--write", root=repo)
    assert (again.status, tree_digest(repo)) == (0, written)
    monkeypatch.setenv("SPEC_DRIFT_TODAY", "January the first")
    other = aggregated_gcore(7)
    properties = schema(other, "ErpInvoiceExternal")["properties"]
    properties[unused(properties, "amount_paid")] = {"type": "string"}
    bad = drift_cli(
        "--api", "gcore-billing", "--upstream", upstream.serve("/write/other.yaml", other), "--write", root=repo
    )
    assert bad.status == 3
    assert bad.err.strip().endswith(
        "SPEC_DRIFT_TODAY: 'January the first' is not a date (YYYY-MM-DD); nothing was changed"
    )
    assert tree_digest(repo) == written


def test_a_document_written_again_after_a_detour_keeps_the_day_it_was_taken(
    drift_cli: Drift, upstream: UpstreamServer, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Upstream goes elsewhere and comes back: the files are byte for byte what a commit holds, date included."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *IDENTITY, *args], cwd=repo, capture_output=True, text=True, check=True)
        return done.stdout

    def write(url: str, day: str) -> None:
        monkeypatch.setenv("SPEC_DRIFT_TODAY", day)
        result = drift_cli("--api", "gcore-billing", "--upstream", url, "--write", root=repo)
        assert result.status in {1, 2}, result.err

    def retrieved() -> str:
        (api,) = load_manifest(repo / MANIFEST, repo).select("gcore-billing")
        return api.provenance.retrieved

    first, detour = aggregated_gcore(8), aggregated_gcore(9)
    schema(first, "ErpInvoiceExternal")["properties"][RESIDUAL] = {"type": "string"}
    properties = schema(detour, "ErpInvoiceExternal")["properties"]
    properties[unused(properties, "amount_paid")] = {"type": "string"}
    first_url, detour_url = upstream.serve("/write/first.yaml", first), upstream.serve("/write/detour.yaml", detour)
    git("init", "-q", "-b", "main")
    git("add", "--all")
    git("commit", "-q", "-m", "main")
    write(first_url, "2031-02-01")
    git("commit", "-q", "-am", "first")
    write(detour_url, "2031-02-02")
    assert retrieved() == "2031-02-02"
    git("commit", "-q", "-am", "detour")
    write(first_url, "2031-02-03")  # back: as the commit "first" recorded it, the day it was taken
    assert retrieved() == "2031-02-01"
    assert git("status", "--porcelain") != "" and git("diff", "HEAD~1", "--stat") == ""
    write(detour_url, "2031-02-04")  # and back again: as HEAD holds it
    assert (retrieved(), git("status", "--porcelain")) == ("2031-02-02", "")
