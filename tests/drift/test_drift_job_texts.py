"""What the drift job tells people: test outcomes of real pytest runs; pull request and issue bodies of real reports."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from scripts.drift.body import ApiDrift, Run, issue_body, pr_body, pr_title, settled_body, settled_title
from scripts.drift.rot import places
from scripts.drift.tests import DEFAULT_LIMIT, TestOutcome, pytest_arguments, run_tests, time_limit
from scripts.manifest import load_manifest
from scripts.specselect import select
from scripts.yamlio import load_yaml

from .conftest import Drift
from .upstream import ERP, UpstreamServer, gcore, parameter, schema, unused, versori

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


def test_a_module_that_cannot_be_collected_is_named_by_its_file(tmp_path: Path) -> None:
    (tmp_path / "tests" / "vendors").mkdir(parents=True)
    for name in ("tests/__init__.py", "tests/vendors/__init__.py"):
        (tmp_path / name).write_text("")
    (tmp_path / "tests" / "vendors" / "test_wire.py").write_text("import a_module_nobody_has\n")
    (tmp_path / "tests" / "test_fine.py").write_text("def test_fine():\n    pass\n")
    junit = tmp_path / "tests.xml"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests", f"--junitxml={junit}"]
    outcome = run_tests(command, junit, tmp_path / "tests.log", tmp_path, {"PATH": "/usr/bin:/bin"})
    assert outcome.failing == ("tests/vendors/test_wire.py (could not be collected)",)
    assert not outcome.ok and outcome.failed == 1


def test_a_run_that_never_reports_says_why(tmp_path: Path) -> None:
    script = (
        "import sys; print('nox > Session tests failed.'); print('\\x1b[31mE   ImportError: boom\\x1b[0m'); sys.exit(4)"
    )
    outcome = run_tests([sys.executable, "-c", script], tmp_path / "none.xml", tmp_path / "log", tmp_path, {})
    assert (outcome.status, outcome.ok) == (4, False)
    assert outcome.sentence() == "did not finish (exit 4): E   ImportError: boom"


HANGS = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print(f"waiting for {child.pid}", flush=True)
print("E   a test that never ends", flush=True)
time.sleep(600)
"""


def test_a_run_past_the_jobs_limit_is_stopped_with_everything_it_started(tmp_path: Path) -> None:
    started = time.monotonic()
    outcome = run_tests([sys.executable, "-c", HANGS], tmp_path / "none.xml", tmp_path / "log", tmp_path, {}, limit=1.5)
    took = time.monotonic() - started
    assert (outcome.ok, outcome.stopped) == (False, 1.5)
    assert outcome.sentence() == (
        "did not finish: stopped after 1.5 s, the job's limit for the tests; its last words: E   a test that never ends"
    )
    assert took < 30, f"{took:.1f} s"  # stopped at the limit, not when the sleeps end (600 s)
    pid = int((tmp_path / "log").read_text().split("waiting for ")[1].split()[0])
    status = Path(f"/proc/{pid}/status")
    gone = time.monotonic() + 10
    while status.exists() and "\nState:\tZ" not in status.read_text() and time.monotonic() < gone:
        time.sleep(0.05)  # SIGKILL is delivered, then reaped by whoever adopted it
    assert not status.exists() or "\nState:\tZ" in status.read_text(), "the run's own child outlived the limit"


def test_the_time_limit_knob() -> None:
    assert time_limit({}) == 1200 == DEFAULT_LIMIT
    assert time_limit({"SPEC_DRIFT_TEST_TIMEOUT": " 90 "}) == 90
    assert time_limit({"SPEC_DRIFT_TEST_TIMEOUT": ""}) == DEFAULT_LIMIT  # a dispatch that left it empty
    for wrong in ("0", "-5", "ten", "inf", "nan"):
        with pytest.raises(ValueError, match=r"SPEC_DRIFT_TEST_TIMEOUT: .* is not a number of seconds above 0"):
            time_limit({"SPEC_DRIFT_TEST_TIMEOUT": wrong})


def test_the_pytest_arguments_knob() -> None:
    assert pytest_arguments({}) == ["-q"]
    assert pytest_arguments({"SPEC_DRIFT_TEST_ARGS": "  "}) == ["-q"]
    assert pytest_arguments({"SPEC_DRIFT_TEST_ARGS": "tests/http -k 'not slow' -x"}) == [
        "tests/http",
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
    properties = schema(document, "ErpInvoiceExternal")["properties"]
    properties[unused(properties, "amount_residual")] = {"type": "string"}
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


def test_pull_request_body_says_what_the_facade_could_learn_from_a_non_breaking_change(
    drift_cli: Drift, upstream: UpstreamServer, tmp_path: Path
) -> None:
    """A new filter, field or response enum value is the generated client's at once, and the facade's when a
    maintainer teaches it: the next steps name each, and none of them stands between the pull request and a merge."""
    document = gcore()
    parameters = document["paths"][ERP]["get"]["parameters"]
    name = unused([p["name"] for p in parameters], "partner_id")
    parameters.append({"name": name, "in": "query", "schema": {"type": "string"}})
    invoice = schema(document, "ErpInvoiceExternal")["properties"]
    field = unused(invoice, "amount_residual")
    invoice[field] = {"type": "string"}
    value = unused(invoice["payment_state"]["enum"], "blocked")
    invoice["payment_state"]["enum"].append(value)
    drift = ApiDrift.from_report(
        _report(drift_cli, tmp_path, "gcore-billing", upstream.serve("/body/learn.yaml", document)), "gcore-billing"
    )
    assert (drift.status, drift.verdict) == (1, "non-breaking")
    text = pr_body(drift, TestOutcome(0, total=20), RUN, "spec-drift/gcore-billing")
    steps = text.split("## Next steps")[1].split("\n## ")[0]
    assert "- What the facade could learn (not needed to merge" in steps
    assert f"  - a new filter, `query:{name}` (`GET {ERP}`): the facade never sends it until it is declared" in steps
    assert f"  - a new field, `ErpInvoiceExternal.{field}`: on `Invoice.raw` (the generated model) now" in steps
    assert f"  - a new value '{value}' of `ErpInvoiceExternal.payment_state`: passed through as a plain string" in steps
    assert steps.rstrip().endswith("- Review the diff of `specs/` and `generated/`, then merge.")
    # A breaking change alone teaches the facade nothing it could adopt: no such list.
    breaking = gcore()
    parameter(breaking, "currency")["required"] = True
    drift = ApiDrift.from_report(
        _report(drift_cli, tmp_path, "gcore-billing", upstream.serve("/body/learn2.yaml", breaking)), "gcore-billing"
    )
    assert "What the facade could learn" not in pr_body(drift, TestOutcome(0, total=20), RUN, "b")


def test_pull_request_body_when_the_tests_were_stopped_on_a_branch_others_committed_to() -> None:
    added = {"location": f"GET {ERP} parameter query:x", "kind": "parameter-added", "breaking": False}
    drift = ApiDrift("gcore-billing", 1, changes=({**added, "message": "optional parameter query:x was added"},))
    stopped = TestOutcome(-15, note="its last words: E   boom", stopped=1200)
    text = pr_body(drift, stopped, RUN, "spec-drift/gcore-billing", foreign=("0123456789ab fix (A Maintainer)",))
    assert (
        "**Tests on this branch: did not finish: stopped after 20 minutes, the job's limit for the tests;"
        " its last words: E   boom**" in text.splitlines()
    )
    assert "- The tests did not finish within the job's limit" in text
    assert "The tests fail on the regenerated code" not in text
    assert "- `spec-drift/gcore-billing` has 1 commit(s) the bot did not make; they are kept" in text
    assert text.split("## Next steps")[1].split("\n## ")[0].rstrip().endswith("- Then merge.")


def test_a_pull_request_others_committed_to_says_once_that_upstream_matches_main_again() -> None:
    drift = ApiDrift("gcore-billing", 0, info_version="v9", sha256="ab" * 32)
    text = settled_body(drift, RUN, "main", ("0123456789ab fix (A Maintainer)",))
    assert settled_title("gcore-billing", "main") == (
        "Spec drift: gcore-billing upstream matches main again (commits by others kept)"
    )
    assert text.startswith("Upstream's **gcore-billing** document means what `main` vendors again")
    assert "- 0123456789ab fix (A Maintainer)" in text.splitlines()
    assert "| upstream | `v9` |" in text


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
    properties = schema(document, "ErpInvoiceExternal")["properties"]
    properties[unused(properties, "amount_residual")] = {"type": "string"}
    url = upstream.serve("/body/write-fails.yaml", document)
    monkeypatch.setenv("SPEC_DRIFT_TODAY", "someday")  # --write refuses before changing anything
    target = tmp_path / "failed.json"
    result = drift_cli("--api", "gcore-billing", "--upstream", url, "--write", "--json-report", target, root=repo)
    assert result.status == 3
    drift = ApiDrift.from_report(json.loads(target.read_text()), "gcore-billing")
    assert (drift.status, drift.verdict, drift.rot) == (3, "could not check", ())
    assert drift.errors == tuple(result.err.splitlines()) and "nothing was changed" in drift.errors[-1]
