"""``--base OLD --upstream NEW`` on any two documents, and ``--history`` on small made-up series."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from scripts.documents import load_overlay
from scripts.drift.history import read_revisions
from scripts.errors import ToolchainError
from scripts.manifest import ROOT

from .conftest import Drift
from .upstream import ERP, gcore, parameter, to_yaml, unused, versori


def _doc(path: str = "/books/{bookId}", op_id: str | None = None, **query: Any) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "parameters": [
            {"name": path.split("{")[1].rstrip("}"), "in": "path", "required": True, "schema": {"type": "string"}},
            *({"name": name, "in": "query", "schema": schema} for name, schema in query.items()),
        ],
        "responses": {"200": {"description": "OK"}, "404": {"description": "not found"}},
    }
    if op_id:
        operation["operationId"] = op_id
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {path: {"get": operation}}}


def _write(tmp_path: Path, name: str, document: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def test_operations_without_id_are_keyed_by_method_and_normalised_path(drift_cli: Drift, tmp_path: Path) -> None:
    old = _write(tmp_path, "old.json", _doc(limit={"type": "integer", "default": 20}))
    new = _write(tmp_path, "new.json", _doc("/books/{id}", limit={"type": "integer", "default": 50}))
    result = drift_cli("--base", old, "--upstream", new, "--format", "json")
    assert result.status == 2
    assert [(c["kind"], c["breaking"]) for c in result.json["changes"]] == [
        ("parameter-renamed", False),
        ("default", True),
    ]
    named = drift_cli("--base", old, "--upstream", new, "--operation", "get /books/{x}", "--format", "json")
    assert named.json["changes"] == result.json["changes"]


def test_an_id_on_one_side_only_still_matches_by_method_and_path(drift_cli: Drift, tmp_path: Path) -> None:
    old = _write(tmp_path, "old.json", _doc())
    new = _write(tmp_path, "new.json", _doc(op_id="getBook"))
    result = drift_cli("--base", old, "--upstream", new, "--format", "json")
    assert (result.status, result.json["changes"]) == (0, [])


def test_error_response_removed_is_not_breaking_success_removed_is(drift_cli: Drift, tmp_path: Path) -> None:
    old = _write(tmp_path, "old.json", _doc())
    document = _doc()
    del document["paths"]["/books/{bookId}"]["get"]["responses"]["404"]
    assert drift_cli("--base", old, "--upstream", _write(tmp_path, "a.json", document)).status == 1
    del document["paths"]["/books/{bookId}"]["get"]["responses"]["200"]
    assert drift_cli("--base", old, "--upstream", _write(tmp_path, "b.json", document)).status == 2


def test_gcore_and_versori_against_themselves_and_a_named_operation(drift_cli: Drift, tmp_path: Path) -> None:
    old = _write(tmp_path, "g.json", gcore())
    changed = gcore()
    limit = parameter(changed, "limit")["schema"]
    limit["default"] = 25 if limit.get("default") == 20 else 20
    new = _write(tmp_path, "g2.json", changed)
    assert drift_cli("--base", old, "--upstream", old).status == 0
    result = drift_cli("--base", old, "--upstream", new, "--operation", "v1_erp_invoices_list", "--format", "json")
    assert result.status == 2
    ((location, kind),) = [(c["location"], c["kind"]) for c in result.json["changes"]]
    assert (location, kind) == (f"GET {ERP} parameter query:limit", "default")
    # Versori's docs rendering (security: []) against the published shape (no security key): no change.
    rendering, published = {**versori(), "security": []}, versori()
    published.pop("security", None)
    versori_old, versori_new = _write(tmp_path, "v.json", rendering), _write(tmp_path, "v2.json", published)
    assert drift_cli("--base", versori_old, "--upstream", versori_new).status == 0


def test_compare_mistakes_are_one_line(drift_cli: Drift, tmp_path: Path) -> None:
    old = _write(tmp_path, "old.json", _doc())
    result = drift_cli("--base", old, "--upstream", old, "--operation", "nope")
    assert result.status == 3 and result.err == "error: --operation: nope: in neither document\n"
    with pytest.raises(SystemExit):
        drift_cli("--base", old)
    with pytest.raises(SystemExit):
        drift_cli("--operation", "x")


EXTRA = unused([p.get("name", "") for p in gcore()["paths"][ERP]["get"]["parameters"]], "sort_hint")
"""A query parameter the vendored spec does not have."""


def _with_parameter(document: dict[str, Any]) -> dict[str, Any]:
    parameters = document["paths"][ERP]["get"]["parameters"]
    parameters.append({"name": EXTRA, "in": "query", "schema": {}})
    return document


def _archive(path: Path, members: dict[str, bytes], symlink: str | None = None) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        if symlink:
            link = tarfile.TarInfo(symlink)
            link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
            archive.addfile(link)
    return path


def test_history_orders_by_file_name_across_folders_and_folds_runs(drift_cli: Drift, tmp_path: Path) -> None:
    same, other = gcore(), gcore()
    other["info"]["version"] = "later"
    with_order = _with_parameter(gcore())
    archive = _archive(
        tmp_path / "gcore-billing-history.tar.gz",
        {
            "x/new/20260103T000000-c.yaml": to_yaml(with_order),
            "x/old/20260101T000000-a.yaml": to_yaml(same),
            "x/new/20260102T000000-b.yaml": to_yaml(other),
            "x/new/20260104T000000-d.yaml": b"openapi: [",
            "x/README.md": b"not a revision",
        },
        symlink="x/new/20260105T000000-e.yaml",
    )
    assert [r.name for r in read_revisions(archive)] == [
        "x/old/20260101T000000-a.yaml",
        "x/new/20260102T000000-b.yaml",
        "x/new/20260103T000000-c.yaml",
        "x/new/20260104T000000-d.yaml",
    ]
    result = drift_cli("--history", archive, "--format", "json")
    steps = [(s["revisions"], s["exit_status"], s["events"]) for s in result.json["timeline"]]
    # A changelog: each revision against the one before; the move between folders is an event of its own.
    assert steps == [
        (1, 0, ["first revision: 3 of the 3 operations"]),
        (1, 0, ["moved from `x/old/` to `x/new/`"]),
        (1, 1, []),
        (1, 3, []),
    ]
    assert [c["message"] for c in result.json["timeline"][2]["changes"]] == [
        f"optional parameter query:{EXTRA} was added"
    ]
    assert "malformed YAML" in result.json["timeline"][-1]["error"]
    assert result.status == 3  # the newest revision cannot be judged
    markdown = drift_cli("--history", archive)
    assert (
        "| 1 | `x/new/20260102T000000-b.yaml` | `x/new/20260102T000000-b.yaml` | 0 | moved from `x/old/` to `x/new/` |"
        in (markdown.out)
    )
    # Against the vendored spec, on request: runs with the same verdict fold.
    vendored = drift_cli("--history", archive, "--against-vendored", "--format", "json")
    steps = [(s["revisions"], s["exit_status"], s["last_version"]) for s in vendored.json["timeline"]]
    assert steps == [(2, 0, "later"), (1, 1, gcore()["info"]["version"]), (1, 3, "")]
    markdown = drift_cli("--history", archive, "--against-vendored")
    assert "| 2 | `x/old/20260101T000000-a.yaml` | `x/new/20260102T000000-b.yaml` | 0 | no relevant change |" in (
        markdown.out
    )


def test_history_changelog_reports_changes_against_the_previous_revision_not_the_vendored_spec(
    drift_cli: Drift, tmp_path: Path
) -> None:
    """Upstream adds a parameter, then removes it: the changelog says added, then removed (breaking)."""
    plain, with_order = gcore(), _with_parameter(gcore())
    archive = _archive(
        tmp_path / "gcore-billing-history.tar.gz",
        {
            "a/20260101T000000-a.yaml": to_yaml(with_order),
            "a/20260102T000000-b.yaml": to_yaml(plain),
            "a/20260103T000000-c.yaml": to_yaml(plain),
        },
    )
    result = drift_cli("--history", archive, "--format", "json")
    rows = [(s["revisions"], s["exit_status"], [c["message"] for c in s["changes"]]) for s in result.json["timeline"]]
    assert rows == [(1, 0, []), (2, 2, [f"parameter query:{EXTRA} was removed"])]
    assert result.status == 0  # the newest means what is vendored
    with pytest.raises(SystemExit):
        drift_cli("--against-vendored")


def test_history_reads_a_directory_and_needs_to_know_the_api(drift_cli: Drift, tmp_path: Path) -> None:
    folder = tmp_path / "revisions"
    folder.mkdir()
    (folder / "1.yaml").write_bytes(to_yaml(versori()))
    assert drift_cli("--history", folder).status == 3  # the name does not say which API
    assert drift_cli("--history", folder, "--api", "versori-organisations").status == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ToolchainError, match="holds no"):
        read_revisions(empty)


def test_bench_reports_history_speed_on_its_own() -> None:
    from benchmarks.bench import drift_history
    from tests.shared import shared_path

    shared_path("upstream", "versori-organisations-history.tar.xz")
    figures = drift_history(quick=True)
    assert (figures["revisions"], figures["timeline_lines"]) == (4, 1)
    assert figures["history_revisions_per_second"] == pytest.approx(4 / figures["seconds"])


def test_versori_published_without_security_is_no_change_and_the_overlay_holds(
    drift_cli: Drift, tmp_path: Path
) -> None:
    published = versori()
    published.pop("security", None)  # the published file has no top-level security; the docs page renders []
    upstream = _write(tmp_path, "versori.json", published)
    result = drift_cli("--api", "versori-organisations", "--upstream", upstream, "--format", "json")
    assert (result.status, result.json["changes"], result.overlay("no-match")) == (0, [], [])
    version = published["info"]["version"]
    assert result.json["apis"][0]["info_version"] == version
    markdown = drift_cli("--api", "versori-organisations", "--upstream", upstream)
    assert f"(info.version `{version}`, sha256 `" in markdown.out
    actions = len(load_overlay(ROOT / "overlays" / "versori-organisations.yaml").actions)
    assert f"Overlay: all {actions} actions still apply." in markdown.out
