"""What the drift job tells people: test outcomes of real pytest runs; pull request and issue bodies of real reports."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from scripts.drift.body import ApiDrift, Run, issue_body, pr_body, pr_title
from scripts.drift.rot import places
from scripts.drift.tests import TestOutcome, pytest_arguments, run_tests
from scripts.manifest import load_manifest
from scripts.specselect import select
from scripts.yamlio import load_yaml

from .conftest import Drift
from .upstream import UpstreamServer, gcore, parameter, schema, versori

RUN = Run("https://github.com/o/r/actions/runs/7", own_token=True)

SUITE = """
import os
import pytest

def test_passes():
    assert True

def test_fails():
    assert 1 == 2

class TestGroup:
    def test_fails_too(self):
        assert os.environ.get("GH_TOKEN") is not None  # the job never hands its token to the tests

@pytest.mark.skip(reason="not today")
def test_skipped():
    pass
"""


def test_a_real_test_run_is_counted_and_its_failures_named(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_sample.py").write_text(SUITE)
    junit = tmp_path / "out" / "tests.xml"
    junit.parent.mkdir()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests", f"--junitxml={junit}"]
    environ = {"PATH": "/usr/bin:/bin", "GH_TOKEN": "secret", "GITHUB_TOKEN": "secret"}
    outcome = run_tests(command, junit, tmp_path / "out" / "tests.log", tmp_path, environ)
    assert (outcome.status, outcome.total, outcome.failed, outcome.skipped, outcome.passed) == (1, 4, 2, 1, 1)
    assert outcome.failing == ("tests/test_sample.py::test_fails", "tests/test_sample.py::TestGroup::test_fails_too")
    assert outcome.sentence() == "failed: 2 of 4 failed (1 passed, 1 skipped; exit 1)"
    assert "secret" not in (tmp_path / "out" / "tests.log").read_text()


def test_a_run_that_never_reports_says_why(tmp_path: Path) -> None:
    script = (
        "import sys; print('nox > Session tests failed.'); print('\\x1b[31mE   ImportError: boom\\x1b[0m'); sys.exit(4)"
    )
    outcome = run_tests([sys.executable, "-c", script], tmp_path / "none.xml", tmp_path / "log", tmp_path, {})
    assert (outcome.status, outcome.ok) == (4, False)
    assert outcome.sentence() == "did not finish (exit 4): E   ImportError: boom"


def test_the_pytest_arguments_knob() -> None:
    assert pytest_arguments({}) == ["-q"]
    assert pytest_arguments({"SPEC_DRIFT_TEST_ARGS": "  "}) == ["-q"]
    assert pytest_arguments({"SPEC_DRIFT_TEST_ARGS": "tests/facade -k 'not slow' -x"}) == [
        "tests/facade",
        "-k",
        "not slow",
        "-x",
    ]


def _report(drift_cli: Drift, tmp_path: Path, api: str, url: str, *extra: str) -> dict[str, object]:
    target = tmp_path / f"{api}.json"
    drift_cli("--api", api, "--upstream", url, "--json-report", target, *extra)
    data: dict[str, object] = json.loads(target.read_text())
    return data


def test_pull_request_body_for_a_breaking_change_with_failing_tests(
    drift_cli: Drift, upstream: UpstreamServer, tmp_path: Path
) -> None:
    document = gcore()
    parameter(document, "currency")["required"] = True
    schema(document, "ErpInvoiceExternal")["properties"]["amount_residual"] = {"type": "string"}
    drift = ApiDrift.from_report(
        _report(drift_cli, tmp_path, "gcore-billing", upstream.serve("/body/g.yaml", document)), "gcore-billing"
    )
    assert (drift.status, drift.breaking, drift.verdict) == (2, True, "breaking")
    failing = TestOutcome(1, total=250, failed=12, skipped=1, failing=tuple(f"tests/t.py::test_{i}" for i in range(10)))
    text = pr_body(
        drift, failing, Run("https://github.com/o/r/actions/runs/7", own_token=False), "spec-drift/gcore-billing"
    )
    (api,) = load_manifest().select("gcore-billing")
    lines = text.splitlines()
    assert lines[0].startswith("**Breaking** upstream change to **gcore-billing**")
    assert "[this run](https://github.com/o/r/actions/runs/7)" in lines[0]
    assert f"| vendored now | `{load_yaml(api.spec_path)['info']['version']}` |" in text
    assert f"| upstream | `{document['info']['version']}` |" in text
    assert "**Tests on this branch: failed: 12 of 250 failed (237 passed, 1 skipped; exit 1)**" in lines
    assert "- `tests/t.py::test_9`" in lines and "- … and 2 more (see the run's log)" in lines
    assert "CI has not run on this pull request" in text
    assert "The tests fail on the regenerated code" in text
    assert "Each breaking change below can break callers" in text
    assert text.index("| **breaking** |") < text.index("| non-breaking |")
    assert "## Overlay" not in text  # every action still applies: nothing to say about the overlay
    assert (
        pr_title(drift)
        == f"Spec drift: gcore-billing upstream change (breaking), info.version {document['info']['version']}"
    )


def test_pull_request_body_names_overlay_actions_only_when_some_need_attention(
    drift_cli: Drift, upstream: UpstreamServer, tmp_path: Path
) -> None:
    document = gcore()
    for name in ("client_id", "payer_id"):
        parameter(document, name)["schema"]["type"] = "integer"  # upstream adopts the overlay's fix
    drift = ApiDrift.from_report(
        _report(drift_cli, tmp_path, "gcore-billing", upstream.serve("/body/fix.yaml", document)), "gcore-billing"
    )
    text = pr_body(drift, TestOutcome(0, total=20), RUN, "spec-drift/gcore-billing")
    assert "**Tests on this branch: passed (20 passed)**" in text
    assert "## Overlay" in text and "| no-op | upstream already says this; delete the action |" in text.replace(
        "changes nothing upstream now: ", ""
    )
    assert "Tidy the overlay actions listed under Overlay" in text
    assert "CI has not run" not in text  # pushed with a token of its own


def test_issue_body_for_overlay_rot_names_the_action_its_line_and_the_upstream_change(
    drift_cli: Drift, upstream: UpstreamServer, repo: Path, tmp_path: Path
) -> None:
    document = versori()
    schema(document, "Invoice")["required"].remove("currencyCode")  # the overlay's first action now matches nothing
    url = upstream.serve("/body/rot.yaml", document)
    target = tmp_path / "rot.json"
    result = drift_cli(
        "--api", "versori-organisations", "--upstream", url, "--write", "--json-report", target, root=repo
    )
    assert result.status == 3
    drift = ApiDrift.from_report(json.loads(target.read_text()), "versori-organisations")
    assert (drift.status, drift.verdict) == (3, "overlay rot")
    text = issue_body(drift, RUN)
    action = "$.components.schemas.Invoice.required[?@ == 'currencyCode']"
    assert f"- `overlays/versori-organisations.yaml:9: actions[0]` targets `{action}`" in text
    assert "  - upstream changed it: `schema Invoice.required`: currencyCode is no longer required" in text
    assert "  - why it is there: " in text
    assert drift.errors == tuple(result.err.splitlines())


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (
            "$.paths['/billing/org/v1/erp-invoices/{id}/download'].get",
            ["GET /billing/org/v1/erp-invoices/{id}/download"],
        ),
        (
            "$.paths['/billing/org/v1/erp-invoices'].get.parameters[?@.name == 'limit'].schema",
            ["GET /billing/org/v1/erp-invoices parameter query:limit"],
        ),
        ("$.components.schemas.ErpInvoiceExternal.properties.currency", ["schema ErpInvoiceExternal.currency"]),
        ("$.components.schemas.Nothing", []),
    ],
)
def test_an_overlay_target_is_placed_where_the_drift_report_names_changes(target: str, expected: list[str]) -> None:
    (api,) = load_manifest().select("gcore-billing")
    assert places(select(gcore(), api.operations), target) == expected


def test_a_write_that_failed_is_could_not_check_with_its_error_line(
    drift_cli: Drift, upstream: UpstreamServer, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = gcore()
    schema(document, "ErpInvoiceExternal")["properties"]["amount_residual"] = {"type": "string"}
    url = upstream.serve("/body/write-fails.yaml", document)
    monkeypatch.setenv("SPEC_DRIFT_TODAY", "someday")  # --write refuses before changing anything
    target = tmp_path / "failed.json"
    result = drift_cli("--api", "gcore-billing", "--upstream", url, "--write", "--json-report", target, root=repo)
    assert result.status == 3
    drift = ApiDrift.from_report(json.loads(target.read_text()), "gcore-billing")
    assert (drift.status, drift.verdict, drift.rot) == (3, "could not check", ())
    assert drift.errors == tuple(result.err.splitlines()) and "nothing was changed" in drift.errors[-1]
