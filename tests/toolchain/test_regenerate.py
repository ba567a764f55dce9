"""The regeneration pipeline: deterministic, atomic, and loud about bad input.

Each test works on a throw-away copy of specs/, overlays/ and generated/, runs
the real generator, and checks what a maintainer would: the exit status, the
one-line error naming the file and place, and that generated/ is untouched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scripts.manifest import ROOT
from scripts.regenerate import check, regenerate
from tests.shared import requires_group

from .conftest import tree_digest

requires_group("codegen", "openapi_python_client", "ruff")


def test_committed_tree_is_what_the_inputs_produce(repo: Path) -> None:
    before = tree_digest(repo / "generated")
    outcome = regenerate(repo)
    assert not outcome.changed, outcome.summary
    assert tree_digest(repo / "generated") == before
    assert not check(repo).changed


def test_stale_modules_and_caches_are_removed(repo: Path) -> None:
    stale = repo / "generated" / "gcore_billing_client" / "models" / "calc_rule_for_org.py"
    stale.write_text("class CalcRuleForOrg: ...\n")
    extra = repo / "generated" / "gcore_billing_client" / "leftover.py"
    extra.write_text("x = 1\n")
    outcome = regenerate(repo)
    assert "D gcore_billing_client/models/calc_rule_for_org.py" in outcome.summary.splitlines()
    assert "D gcore_billing_client/leftover.py" in outcome.summary.splitlines()
    assert not stale.exists() and not extra.exists()
    assert not list(repo.rglob(".ruff_cache"))
    assert not list(repo.glob(".generated-*"))


def _record_spec_sha256(repo: Path, spec: Path, old_sha256: str) -> None:
    """What docs/maintainers/drift.md says to do after replacing a vendored spec by hand: record its new sha256."""
    manifest = repo / "specs" / "manifest.toml"
    new_sha256 = hashlib.sha256(spec.read_bytes()).hexdigest()
    manifest.write_text(manifest.read_text().replace(old_sha256, new_sha256))


def test_changed_spec_field_is_caught_by_check_with_the_diff(repo: Path, run_script: Callable[..., Any]) -> None:
    spec = repo / "specs" / "gcore-billing.yaml"
    old_sha256 = hashlib.sha256(spec.read_bytes()).hexdigest()
    spec.write_text(
        spec.read_text().replace("description: Invoice number, e.g. INV/2026/00001", "description: Invoice name")
    )
    _record_spec_sha256(repo, spec, old_sha256)  # a new upstream copy, recorded
    before = tree_digest(repo / "generated")
    done = run_script("regenerate", "--check", "--root", repo)
    assert done.returncode == 1
    assert '+    """ Invoice name """' in done.stdout
    assert "M gcore_billing_client/models/erp_invoice_external.py" in done.stderr
    assert "stale stamp" in done.stderr
    assert tree_digest(repo / "generated") == before  # check never writes


def test_hand_edited_spec_is_refused_in_one_line_by_regenerate_and_check(
    repo: Path, run_script: Callable[..., Any]
) -> None:
    """Issue 13: regenerate compiled a hand-edited spec silently; check then advised "run regenerate"."""
    spec = repo / "specs" / "gcore-billing.yaml"
    spec.write_text(
        spec.read_text().replace("description: Invoice number, e.g. INV/2026/00001", "description: Invoice name")
    )
    before = tree_digest(repo / "generated")
    for args in (("--root", repo), ("--check", "--root", repo)):
        done = run_script("regenerate", *args)
        assert done.returncode == 2, done.stderr
        (line,) = done.stderr.strip().splitlines()
        assert line.startswith("error: specs/gcore-billing.yaml: sha256 ")
        assert "recorded in specs/manifest.toml" in line and "revert it" in line and "spec-drift -- --write" in line
        assert "nox -s regenerate" not in line
        assert done.stdout == ""
    assert tree_digest(repo / "generated") == before
    assert not list(repo.glob(".generated-*"))


def test_generator_rejection_names_each_place(repo: Path, run_script: Callable[..., Any]) -> None:
    """Issue 13: only "Failed to parse OpenAPI document" was shown, hiding the generator's own message."""
    overlay = repo / "overlays" / "versori-organisations.yaml"
    overlay.write_text(
        overlay.read_text()
        + "  - target: $.components.schemas.MonetaryValue.properties.integral\n"
        + "    description: a deliberate mistake\n"
        + "    update:\n      type: strin\n      minimum: zero\n"
    )
    before = tree_digest(repo / "generated")
    done = run_script("regenerate", "--root", repo)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    prefix = "error: specs/versori-organisations.yaml + overlays/versori-organisations.yaml: "
    assert all(line.startswith(prefix + "the generator rejects the effective spec at ") for line in lines), lines
    text = "\n".join(lines)
    assert "components.schemas.MonetaryValue.properties.integral.type: " in text and "(got 'strin')" in text
    assert "components.schemas.MonetaryValue.properties.integral.minimum: " in text
    assert "Failed to parse" not in text
    assert tree_digest(repo / "generated") == before


def test_regenerate_shows_the_diff_then_check_passes_again(repo: Path, run_script: Callable[..., Any]) -> None:
    over = repo / "overlays" / "gcore-billing.yaml"
    over.write_text(over.read_text().replace("Get one ERP invoice (or credit note) by its id.", "Fetch one invoice."))
    done = run_script("regenerate", "--root", repo)
    assert done.returncode == 0, done.stderr
    assert "M gcore_billing_client/api/erp_invoices/v1_erp_invoices_retrieve.py" in done.stdout
    assert "+     Fetch one invoice." in done.stdout
    assert run_script("regenerate", "--check", "--root", repo).returncode == 0
    assert run_script("regenerate", "--root", repo).stdout.strip() == "no changes"


def _break_spec(repo: Path) -> None:
    (repo / "specs" / "versori-organisations.yaml").write_text("openapi: 3.1.0\ninfo:\n  title: [unclosed\n")


def _not_openapi(repo: Path) -> None:
    (repo / "specs" / "versori-organisations.yaml").write_text("asyncapi: 2.6.0\ninfo: {title: t, version: '1'}\n")


def _not_overlay(repo: Path) -> None:
    (repo / "overlays" / "gcore-billing.yaml").write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\n")


def _bad_jsonpath(repo: Path) -> None:
    path = repo / "overlays" / "versori-organisations.yaml"
    path.write_text(
        path.read_text().replace("$.components.schemas.Invoice.required[?@ == 'currencyCode']", "$.components..[?@ ==")
    )


def _target_matches_nothing(repo: Path) -> None:
    path = repo / "overlays" / "versori-organisations.yaml"
    path.write_text(
        path.read_text().replace(
            "- target: $.components.schemas.MonetaryValue.properties.currencyCode.enum",
            "- target: $.components.schemas.Money.properties.currencyCode.enum",
        )
    )


def _generator_warning(repo: Path) -> None:
    path = repo / "specs" / "codegen" / "gcore-billing.yaml"
    path.write_text(
        path.read_text().replace(
            "  application/pdf: application/octet-stream\n", "  application/x-nothing: application/octet-stream\n"
        )
    )


def _missing_manifest_file(repo: Path) -> None:
    path = repo / "specs" / "manifest.toml"
    path.write_text(
        path.read_text().replace('overlay = "overlays/versori-organisations.yaml"', 'overlay = "overlays/versori.yaml"')
    )


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (_break_spec, "error: specs/versori-organisations.yaml:4:1: malformed YAML"),
        (_not_openapi, "error: specs/versori-organisations.yaml: not an OpenAPI document: no 'openapi' field"),
        (_not_overlay, "error: overlays/gcore-billing.yaml: not an Overlay document: no 'overlay' field"),
        (_bad_jsonpath, "error: overlays/versori-organisations.yaml:9: actions[0]: invalid JSONPath in target"),
        (
            _target_matches_nothing,
            "error: overlays/versori-organisations.yaml:36: actions[3]: target "
            "$.components.schemas.Money.properties.currencyCode.enum "
            "matches nothing in specs/versori-organisations.yaml",
        ),
        (
            _generator_warning,
            "error: specs/gcore-billing.yaml + overlays/gcore-billing.yaml: openapi-python-client failed (exit 1): "
            "WARNING parsing GET /billing/org/v1/erp-invoices/{id}/download",
        ),
        (
            _missing_manifest_file,
            "error: specs/manifest.toml: [apis.versori-organisations]: "
            "overlay file overlays/versori.yaml does not exist",
        ),
    ],
    ids=[
        "malformed-yaml",
        "not-openapi",
        "not-overlay",
        "bad-jsonpath",
        "no-match",
        "generator-warning",
        "missing-file",
    ],
)
def test_bad_input_is_one_line_nonzero_and_leaves_generated_untouched(
    repo: Path, run_script: Callable[..., Any], breakage: Callable[[Path], None], message: str
) -> None:
    before = tree_digest(repo / "generated")
    breakage(repo)
    for args in (("--root", repo), ("--check", "--root", repo)):
        done = run_script("regenerate", *args)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(message), done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert done.stdout == ""
    assert tree_digest(repo / "generated") == before
    assert not list(repo.glob(".generated-*"))


def test_regeneration_is_deterministic(tmp_path: Path) -> None:
    from scripts.manifest import load_manifest
    from scripts.regenerate import build_tree

    manifest = load_manifest(ROOT / "specs" / "manifest.toml", ROOT)
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()
    build_tree(manifest, first)
    build_tree(manifest, second)
    assert tree_digest(first) == tree_digest(second)
    assert tree_digest(first) == tree_digest(ROOT / "generated")
