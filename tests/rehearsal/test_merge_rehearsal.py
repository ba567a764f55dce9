"""Merging the drift bot's pull requests, today's and the next ones nobody has seen yet.

In a throw-away copy of this working tree (beside a link to ``../shared``, as CI
has it), ``spec-drift --write`` absorbs:

1. the newest published revision of each API from ``../shared/upstream`` (a
   second ``--write`` of the same document changes nothing);
2. then each API's next revision, made from that newest one
   (:mod:`tests.rehearsal.futures`): an optional query parameter, an optional
   invoice property and (Gcore) a response enum value the overlay keeps open,
   all non-breaking by the client rules;

each committed as the bot commits it, ``check`` passing.  The whole suite
(``nox -s tests``, the README's test command, on this Python) then runs once,
as the drift job runs it (``scripts.drift.tests``), and must pass: the tree
holds both today's revisions and tomorrow's, so a suite that pinned one
vendored revision, or a facade that refused what it does not know yet, fails
here, the day the bot's pull request is merged.  The pull request bodies name
what the facade could learn.

3. Then a breaking revision of each API on top (a query parameter the facade
   does not send made required): the tests that drive the regenerated
   listings, and the ones that hung on such a change once, must end red by
   themselves, well inside the job's limit, and the pull request must say what
   broke and which tests failed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest

from scripts.drift.body import ApiDrift, Run, pr_body
from scripts.drift.pr import Git, branch_name
from scripts.drift.tests import TestOutcome, run_tests
from scripts.fetch import fetch
from scripts.manifest import load_manifest
from scripts.regenerate import check
from scripts.specselect import find_operations
from scripts.yamlio import dump_yaml
from tests.shared import SHARED, shared_path

from .futures import FUTURES, breaking, newest_revision, non_breaking
from .rig import copy_working_tree, git, runner_environment

SUITE_LIMIT = 3000  # seconds: the whole suite, on a busy machine (its tests have limits of their own too)
BREAKING_LIMIT = 600  # seconds: what must fail fast on a breaking change, on a busy machine
BREAKING_TESTS = (
    "tests/vendors/gcore/test_gcore_operations.py",  # the listings, retrieval and download through the facade
    "tests/vendors/versori/test_versori.py",
    "tests/clients/test_process_close.py",  # waited forever once, on Gcore's list failing at once
)
RUN = Run("", own_token=True)


def _write(clone: Path, env: dict[str, str], api: str, upstream: Path, report: Path) -> dict[str, Any]:
    """``spec-drift --api API --upstream FILE --write`` in ``clone``; its JSON report."""
    command = [sys.executable, "-m", "scripts.drift", "--api", api, "--upstream", str(upstream), "--write"]
    done = subprocess.run(
        [*command, "--json-report", str(report)], cwd=clone, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode in {0, 1, 2}, done.stdout[-2000:] + done.stderr
    data: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    assert data["exit_status"] == done.returncode
    return data


def _commit(clone: Path, title: str) -> None:
    bot = Git(clone)
    if bot.dirty("specs", "generated"):
        bot.commit(title, "As the spec-drift job commits it.")
    assert not bot.dirty()
    outcome = check(clone)
    assert not outcome.changed and not outcome.warnings, outcome.summary


def _suite(clone: Path, env: dict[str, str], name: str, args: tuple[str, ...], limit: float) -> TestOutcome:
    """The tests in ``clone`` as the drift job runs them: ``nox -s tests-3.X`` with JUnit, within ``limit``."""
    nox = os.environ.get("INVOICE_CLIENTS_NOX_PYTHON")  # nox -s rehearsal passes its own interpreter
    if not nox:
        pytest.fail("needs nox: run it under nox -s rehearsal, which passes its interpreter", pytrace=False)
    session = f"tests-{sys.version_info.major}.{sys.version_info.minor}"  # on this Python
    junit, log = clone.parent / f"{name}.xml", clone.parent / f"{name}.log"
    command = [nox, "-m", "nox", "-s", session, "--", *args, "-p", "no:cacheprovider", f"--junitxml={junit}"]
    return run_tests(command, junit, log, clone, env, limit)


def _tail(clone: Path, name: str) -> str:
    return (clone.parent / f"{name}.log").read_text(encoding="utf-8", errors="replace")[-4000:]


@pytest.mark.timeout(SUITE_LIMIT + BREAKING_LIMIT + 600)
def test_the_bots_pull_requests_merged_keep_the_suite_green_and_a_breaking_one_is_red_in_bounded_time(
    tmp_path: Path,
) -> None:
    shared_path("upstream")
    (tmp_path / "shared").symlink_to(SHARED.resolve())
    clone = tmp_path / "project"
    copy_working_tree(clone)
    git(clone, "init", "-q", "-b", "main")
    git(clone, "add", "--all")
    git(clone, "commit", "-q", "-m", "main before the merge")
    env = runner_environment() | {"CI": "true"}  # ../shared is there: a test needing it must not skip
    apis = [api.name for api in load_manifest(clone / "specs" / "manifest.toml", clone).apis]
    assert sorted(apis) == sorted(FUTURES), "a new API: give it a future in tests/rehearsal/futures.py"
    reports = tmp_path / "reports"
    reports.mkdir()

    # 1. Today's: the newest published revisions.
    newest: dict[str, dict[str, Any]] = {}
    absorbed = []
    for api in apis:
        document = newest_revision(shared_path("upstream", f"{api}-history.tar.xz"), tmp_path / "upstream" / api)
        newest[api] = fetch(str(document)).document
        if _write(clone, env, api, document, reports / f"{api}.newest.json")["changes"]:
            absorbed.append(api)
        before = git(clone, "status", "--porcelain")
        again = _write(clone, env, api, document, reports / f"{api}.again.json")
        assert (again["exit_status"], git(clone, "status", "--porcelain")) == (0, before), "a second write changed"
    _commit(clone, f"Spec drift: absorb {', '.join(absorbed) or 'nothing'}")
    print(f"today's revisions absorbed: {absorbed or 'nothing (main already holds the newest revisions)'}")

    # 2. Tomorrow's: a non-breaking next revision of each API, made from the newest.
    drifts = {}
    for api in apis:
        future, path = FUTURES[api], tmp_path / "futures" / f"{api}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(dump_yaml(non_breaking(api, newest[api])), encoding="utf-8")
        report = _write(clone, env, api, path, reports / f"{api}.future.json")
        listing = find_operations(newest[api])[future.operation][0]
        where = future.locations(listing)
        kinds = {(c["location"], c["kind"], c["breaking"]) for c in report["changes"]}
        assert kinds >= {(where["parameter"], "parameter-added", False), (where["property"], "property-added", False)}
        assert report["exit_status"] == 1, report["changes"]
        drifts[api] = ApiDrift.from_report(report, api)
        _commit(clone, f"Spec drift: {api} upstream change (non-breaking), info.version {drifts[api].info_version}")

    suite = _suite(clone, env, "suite", ("-q",), SUITE_LIMIT)
    print(f"the whole suite with tomorrow's revisions: {suite.sentence()}")
    assert suite.ok, f"{suite.sentence()}: {suite.failing}\n{_tail(clone, 'suite')}"
    for api, drift in drifts.items():
        future, body = FUTURES[api], pr_body(drift, suite, RUN, branch_name(api))
        assert "**Tests on this branch: passed (" in body
        assert f"  - a new filter, `query:{future.parameter}` (" in body, body
        assert f"  - a new field, `{future.invoice}.{future.property}`: on `Invoice.raw`" in body, body

    # 3. A breaking next revision of each API: red, by itself, well inside the job's limit, and the pull
    # request says what broke.
    for api in apis:
        future, path = FUTURES[api], tmp_path / "futures" / f"{api}.breaking.yaml"
        path.write_text(dump_yaml(breaking(api, newest[api])), encoding="utf-8")
        report = _write(clone, env, api, path, reports / f"{api}.breaking.json")
        assert report["exit_status"] == 2, report["changes"]
        drifts[api] = ApiDrift.from_report(report, api)
        _commit(clone, f"Spec drift: {api} upstream change (breaking), info.version {drifts[api].info_version}")
    started = time.monotonic()
    broken = _suite(clone, env, "breaking", ("-q", *BREAKING_TESTS), BREAKING_LIMIT)
    took = time.monotonic() - started
    print(f"the listings' tests with a breaking revision: {broken.sentence()}, in {took:.0f} s")
    assert not broken.stopped, f"did not end by itself within {BREAKING_LIMIT} s:\n{_tail(clone, 'breaking')}"
    assert broken.failed > 0 and not broken.ok, f"{broken.sentence()}\n{_tail(clone, 'breaking')}"
    hung = "test_aclose_ends_an_async_listing_with_client_closed_error"  # waited forever on such a change once
    (case,) = [
        case for case in ElementTree.parse(clone.parent / "breaking.xml").iter("testcase") if case.get("name") == hung
    ]
    assert case.find("failure") is not None, "it must end red, by itself"
    for api, drift in drifts.items():
        future = FUTURES[api]
        listing = find_operations(newest[api])[future.operation][0]
        body = pr_body(drift, broken, RUN, branch_name(api))
        assert body.startswith(f"**Breaking** upstream change to **{api}**")
        assert f"| **breaking** | `{future.locations(listing)['required']}` |" in body, body
        assert f"**Tests on this branch: failed: {broken.failed} of {broken.total} failed (" in body
        assert "- The tests fail on the regenerated code" in body
        assert "- Each breaking change below can break callers of the facade" in body
