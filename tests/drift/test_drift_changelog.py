"""The drift bot's changelog entry and version bump (scripts/drift/changelog.py): users' words, from the report."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from scripts.drift.body import ApiDrift, Run, pr_body
from scripts.drift.changelog import entry, fragment_name, fragment_type, release_note, write_fragment
from scripts.drift.tests import TestOutcome

ORDER_BY = {
    "api": "gcore-billing",
    "location": "GET /billing/org/v1/erp-invoices parameter query:order_by",
    "kind": "parameter-added",
    "breaking": False,
    "message": "optional parameter query:order_by was added",
}
LIMIT = {
    "api": "gcore-billing",
    "location": "GET /billing/org/v1/erp-invoices parameter query:limit",
    "kind": "parameter-removed",
    "breaking": True,
    "message": "parameter query:limit was removed",
}
FIELD = {
    "api": "versori-organisations",
    "location": "schema Invoice.status",
    "kind": "property-added",
    "breaking": False,
    "message": "optional property status was added",
}


def _drift(api: str, *changes: dict[str, Any], sha: str = "ab" * 32) -> ApiDrift:
    return ApiDrift(api, 2 if any(c["breaking"] for c in changes) else 1, sha256=sha, changes=changes)


def test_an_upstream_change_is_said_in_users_words() -> None:
    assert entry(_drift("gcore-billing", ORDER_BY)) == "Gcore's invoice list accepts `order_by`."
    both = _drift("gcore-billing", ORDER_BY, LIMIT)
    assert entry(both) == "Gcore's invoice list no longer accepts `limit`. Gcore's invoice list accepts `order_by`."
    assert entry(_drift("versori-organisations", FIELD)) == "Versori's `Invoice` has a new field `status`."
    odd = {**ORDER_BY, "location": "GET /billing/org/v1/erp-invoices response 200", "kind": "media-type-removed",
           "message": "media type text/csv was removed"}  # fmt: skip
    assert entry(_drift("gcore-billing", odd)) == "Gcore's invoice list: media type text/csv was removed."


def test_the_fragment_type_is_the_bump_the_policy_makes() -> None:
    assert fragment_type(_drift("gcore-billing", ORDER_BY)) == "added"
    assert fragment_type(_drift("gcore-billing", ORDER_BY, LIMIT)) == "breaking"
    changed = {**ORDER_BY, "kind": "required", "message": "parameter query:x is no longer required"}
    assert fragment_type(_drift("gcore-billing", changed)) == "changed"
    assert fragment_name(_drift("gcore-billing", LIMIT)) == f"drift-gcore-billing-{'ab' * 6}.breaking.md"


def test_a_new_upstream_replaces_the_bots_older_fragment_for_that_api_only(tmp_path: Path) -> None:
    directory = tmp_path / "changelog.d"
    first = write_fragment(_drift("gcore-billing", ORDER_BY, sha="11" * 32), directory)
    (directory / "drift-versori-organisations-222222222222.added.md").write_text("Versori's...\n")
    (directory / "34.fixed.md").write_text("A maintainer's.\n")
    second = write_fragment(_drift("gcore-billing", ORDER_BY, LIMIT, sha="33" * 32), directory)
    assert not first.exists() and second.name == f"drift-gcore-billing-{'33' * 6}.breaking.md"
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        [second.name, "drift-versori-organisations-222222222222.added.md", "34.fixed.md"]
    )
    assert second.read_text() == entry(_drift("gcore-billing", ORDER_BY, LIMIT)) + "\n"


def _tree(tmp_path: Path, changelog: str) -> Path:
    root = tmp_path / "root"
    (root / "src" / "invoice_clients").mkdir(parents=True)
    (root / "CHANGELOG.md").write_text(changelog)
    (root / "changelog.d").mkdir()
    return root


def test_the_pull_request_names_the_bump_a_merge_brings(tmp_path: Path) -> None:
    released = _tree(tmp_path, "# Changelog\n\n## 0.1.0 - 2026-12-10\n\n- First.\n")
    (released / "src" / "invoice_clients" / "_version.py").write_text('__version__ = "0.1.0"\n')
    breaking = _drift("gcore-billing", ORDER_BY, LIMIT)
    write_fragment(breaking, released / "changelog.d")
    note = "\n".join(release_note(breaking, released))
    assert f"`changelog.d/{fragment_name(breaking)}`" in note
    assert "> Gcore's invoice list no longer accepts `limit`. Gcore's invoice list accepts `order_by`." in note
    assert "a breaking upstream change: a **minor** release" in note and "the next release is **0.2.0**" in note

    shutil.rmtree(released / "changelog.d")
    (released / "changelog.d").mkdir()
    added = _drift("gcore-billing", ORDER_BY)
    write_fragment(added, released / "changelog.d")
    assert "not breaking: a **patch** release; merged, the next release is **0.1.1**" in "\n".join(
        release_note(added, released)
    )


def test_before_the_first_release_the_change_joins_it(tmp_path: Path) -> None:
    unreleased = _tree(tmp_path, "# Changelog\n\n## 0.1.0 - unreleased\n\n- First.\n")
    (unreleased / "src" / "invoice_clients" / "_version.py").write_text('__version__ = "0.1.0"\n')
    note = "\n".join(release_note(_drift("gcore-billing", ORDER_BY), unreleased))
    assert "the next release is **0.1.0** (0.1.0 is not released yet" in note


def test_the_pull_request_body_carries_the_release_note() -> None:
    body = pr_body(_drift("gcore-billing", ORDER_BY), TestOutcome(0, 3), Run("", True), "b")
    assert "## Changelog and version" in body and "> Gcore's invoice list accepts `order_by`." in body
    assert body.index("## Changelog and version") < body.index("## Changes")
