"""The spec-drift workflow, rehearsed end to end: its own ``run:`` steps against a local remote and a gh stand-in.

Each test publishes upstream documents derived from the vendored specs (so the
cases hold whatever is vendored: merging the bot's pull request keeps them
green), runs the job as the schedule would (``tests/rehearsal/workflow.py``
reads ``.github/workflows/spec-drift.yml`` and executes it), and checks what a
maintainer would see: the job's colour and summary, the branches on the remote,
the pull requests and issues and their text.  Each test prints its rows of the
rehearsal table (``-s`` shows them).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from scripts.documents import load_overlay
from scripts.manifest import load_manifest
from scripts.yamlio import load_yaml
from tests.drift.upstream import ERP, aggregated_gcore, aggregated_versori, gcore, parameter, schema, unused, versori

from .rig import GCORE, REPOSITORY, VERSORI, Rig, Run

pytestmark = pytest.mark.timeout(1500)  # several runs of the job each (spec-drift, the generator, tests): minutes
GCORE_BRANCH, VERSORI_BRANCH = f"spec-drift/{GCORE}", f"spec-drift/{VERSORI}"
BOT = "spec-drift@users.noreply.github.com"
TODAY = datetime.datetime.now(datetime.UTC).date()
DOWNLOAD = "/billing/org/v1/erp-invoices/{id}/download"
# Names the vendored spec does not have (whatever revision it is): what these upstreams add.
_LISTED = [p.get("name", "") for p in gcore()["paths"][ERP]["get"]["parameters"]]
PARTNER = unused(_LISTED, "partner_id")
JOURNAL = unused(_LISTED, "journal_id")
RESIDUAL = unused(schema(gcore(), "ErpInvoiceExternal")["properties"], "amount_residual")
STATUS = unused(schema(versori(), "Invoice")["properties"], "status")


def gcore_added(revision: int = 1, *names: str) -> dict[str, Any]:
    """Gcore's aggregated document with optional query parameters added to the list operation: non-breaking."""
    document = aggregated_gcore(revision)
    parameters = document["paths"][ERP]["get"]["parameters"]
    for name in names or (PARTNER,):
        parameters.append({"name": name, "in": "query", "required": False, "schema": {"type": "integer"}})
    return document


def gcore_property_added() -> dict[str, Any]:
    """An invoice property added: non-breaking; the facade keeps it on ``Invoice.raw`` until it maps it."""
    document = aggregated_gcore(1)
    schema(document, "ErpInvoiceExternal")["properties"][RESIDUAL] = {"type": "string", "description": "Amount due"}
    return document


def gcore_limit_lowered(revision: int = 1, *names: str) -> dict[str, Any]:
    """Upstream lowers ``limit``'s maximum below the client's 100: breaking (the facade asks for up to 100)."""
    document = gcore_added(revision, *names)
    parameter(document, "limit")["schema"]["maximum"] = 50
    return document


def gcore_without_download(revision: int = 1) -> dict[str, Any]:
    """Upstream drops the PDF download operation, which overlay actions patch: overlay rot."""
    document = aggregated_gcore(revision)
    del document["paths"][DOWNLOAD]
    return document


def versori_added() -> dict[str, Any]:
    document = aggregated_versori()
    schema(document, "Invoice")["properties"][STATUS] = {"type": "string"}
    return document


def show(case: str, *runs: Run) -> None:
    for index, run in enumerate(runs):
        print(run.row(case if len(runs) == 1 else f"{case} ({index + 1})"))


def _api_files(api: str) -> set[str]:
    (entry,) = load_manifest().select(api)
    return {entry.spec, "specs/manifest.toml", f"generated/{entry.effective_spec_name}"}


def _only_this_api(rig: Rig, branch: str, api: str) -> None:
    (entry,) = load_manifest().select(api)
    fragments = [name for name in rig.changed_files(branch) if name.startswith("changelog.d/")]
    assert len(fragments) == 1 and fragments[0].startswith(f"changelog.d/drift-{api}-"), fragments  # its release note
    for name in rig.changed_files(branch):
        assert name in _api_files(api) or name.startswith(f"generated/{entry.package}/") or name in fragments, name


def test_non_breaking_change_then_quiet_days_then_a_maintainer_commit_then_more_upstream(github: Rig) -> None:
    """A pull request opened once, left alone while upstream says nothing new, never rewritten once someone
    else committed to it, and added to when upstream moves on."""
    github.publish(gcore=gcore_added())
    opened = github.run()
    show("non-breaking", opened)
    assert opened.job.success, opened.job.log
    assert opened.status == "1"
    assert opened.pushes == {GCORE_BRANCH: "new"}
    assert opened.writes() == ["pr create"]
    _only_this_api(github, GCORE_BRANCH, GCORE)
    assert github.authors(GCORE_BRANCH) == [BOT]
    (pull,) = github.pulls()
    assert pull["headRefName"] == GCORE_BRANCH and pull["labels"] == []
    body = pull["body"]
    (api,) = load_manifest().select(GCORE)
    assert "Non-breaking upstream change to **gcore-billing**" in body
    assert f"[this run](https://github.com/{REPOSITORY}/actions/runs/" in body
    assert f"| vendored now | `{load_yaml(api.spec_path)['info']['version']}` |" in body
    assert f"| upstream | `{aggregated_gcore(1)['info']['version']}` |" in body
    assert "**Tests on this branch: passed (" in body
    assert f"| non-breaking | `GET /billing/org/v1/erp-invoices parameter query:{PARTNER}` |" in body
    # The release note in users' words, and the bump it names (scripts/drift/changelog.py).
    assert "## Changelog and version" in body and f"> Gcore's invoice list accepts `{PARTNER}`." in body
    assert "not breaking: a **patch** release" in body
    assert "## Overlay" not in body and "overlay" not in body.split("## Changes")[0].lower()
    assert "CI has not run on this pull request" in body  # pushed with GITHUB_TOKEN: its pushes start no workflow
    assert "| gcore-billing | non-breaking (exit 1) |" in opened.job.summary
    tip = github.refs()[GCORE_BRANCH]

    same_day = github.run(api=GCORE)
    next_day = github.run(api=GCORE, today=(TODAY + datetime.timedelta(days=1)).isoformat())
    github.publish(gcore=gcore_added(7))  # republished: a new info.version, other operations churned
    republished = github.run(api=GCORE, today=(TODAY + datetime.timedelta(days=2)).isoformat())
    show("unchanged, same day", same_day)
    show("unchanged, next day", next_day)
    show("republished, nothing new for the client", republished)
    for run in (same_day, next_day, republished):
        assert run.job.success and run.status == "1", run.job.log  # the change is still pending on main
        assert (run.pushes, run.writes()) == ({}, [])
    assert github.refs()[GCORE_BRANCH] == tip

    mine = github.maintainer_commit(GCORE_BRANCH, "docs/partner_id.md", "The facade does not filter by it yet.\n")
    unchanged = github.run(api=GCORE)
    github.publish(gcore=gcore_added(8, PARTNER, JOURNAL))
    moved_on = github.run(api=GCORE)
    show("maintainer commit, upstream unchanged", unchanged)
    show("maintainer commit, upstream moved on", moved_on)
    assert (unchanged.pushes, unchanged.writes()) == ({}, []), unchanged.job.log
    assert moved_on.job.success and moved_on.status == "1", moved_on.job.log
    assert moved_on.pushes == {GCORE_BRANCH: "fast-forward"}
    assert moved_on.writes() == ["pr edit", "pr comment"]  # the body says the new upstream; the comment, what
    assert mine in github.git_log(GCORE_BRANCH)
    assert github.authors(GCORE_BRANCH) == [BOT, "maintainer@example.com", BOT]  # newest first
    (comment,) = github.github()["comments"]
    assert "has commits the bot did not make" in comment["body"]
    assert "maintainer: docs/partner_id.md (A Maintainer)" in comment["body"]
    what_changed = comment["body"].split("## What changed since this branch's vendored spec")[1]
    assert f"optional parameter query:{JOURNAL} was added" in what_changed
    assert PARTNER not in what_changed  # only what is new since the branch
    assert "**Tests on the new tip: passed (" in comment["body"]
    (pull,) = github.pulls()
    assert f"`GET {ERP} parameter query:{JOURNAL}`" in pull["body"] and pull["labels"] == []
    assert "1 commit(s) the bot did not make; they are kept" in pull["body"]

    # Upstream breaks on the maintainer's branch: the pull request is relabelled and retitled, not only commented.
    github.publish(gcore=gcore_limit_lowered(9, PARTNER, JOURNAL))
    breaks = github.run(api=GCORE)
    show("maintainer commit, upstream breaks", breaks)
    assert not breaks.job.success and breaks.status == "2", breaks.job.log
    assert breaks.pushes == {GCORE_BRANCH: "fast-forward"}
    assert breaks.writes() == ["label create", "pr edit", "pr comment"]
    assert github.authors(GCORE_BRANCH) == [BOT, BOT, "maintainer@example.com", BOT]
    (pull,) = github.pulls()
    assert [label["name"] for label in pull["labels"]] == ["breaking-change"]
    assert pull["title"].startswith("Spec drift: gcore-billing upstream change (breaking), info.version ")
    assert pull["body"].startswith("**Breaking** upstream change to **gcore-billing**")
    assert f"| **breaking** | `GET {ERP} parameter query:limit` |" in pull["body"]
    assert "Each breaking change below can break callers" in pull["body"]
    assert "they are kept" in pull["body"]
    assert "parameter query:limit" in github.github()["comments"][-1]["body"]

    # Upstream means what main holds again: the pull request stays open (others' commits), and says so once.
    github.publish()
    settled = github.run(api=GCORE)
    quiet = github.run(api=GCORE)
    show("maintainer commit, upstream back to main", settled, quiet)
    assert settled.job.success and settled.status == "0", settled.job.log
    assert (settled.pushes, settled.writes()) == ({}, ["pr edit", "pr comment"])
    (pull,) = github.pulls()
    assert pull["labels"] == []
    assert pull["title"] == "Spec drift: gcore-billing upstream matches main again (commits by others kept)"
    assert "maintainer: docs/partner_id.md (A Maintainer)" in pull["body"]
    assert (quiet.pushes, quiet.writes()) == ({}, [])  # said once, not every day


def test_breaking_change_is_labelled_and_red_until_upstream_relents_then_reverts(github: Rig) -> None:
    github.publish(gcore=gcore_limit_lowered())
    breaking = github.run(api=GCORE)
    assert not breaking.job.success and breaking.status == "2", breaking.job.log
    assert breaking.pushes == {GCORE_BRANCH: "new"}
    assert breaking.writes() == ["label create", "pr create"]
    (pull,) = github.pulls()
    assert [label["name"] for label in pull["labels"]] == ["breaking-change"]
    assert "**Breaking** upstream change to **gcore-billing**" in pull["body"]
    assert "| **breaking** | `GET /billing/org/v1/erp-invoices parameter query:limit` |" in pull["body"]
    assert "Each breaking change below can break callers" in pull["body"]
    assert "a breaking upstream change: a **minor** release" in pull["body"]
    assert next(n for n in github.changed_files(GCORE_BRANCH) if n.startswith("changelog.d/")).endswith(".breaking.md")

    github.publish(gcore=gcore_added())  # upstream relents: the limit is back, the new parameter stays
    relented = github.run(api=GCORE)
    assert relented.job.success and relented.status == "1", relented.job.log
    assert relented.pushes == {GCORE_BRANCH: "forced"}  # only the bot's commit was there to replace
    assert relented.writes() == ["pr edit"]
    (pull,) = github.pulls()
    assert pull["labels"] == [] and "Non-breaking upstream change" in pull["body"]
    assert github.authors(GCORE_BRANCH) == [BOT]
    _only_this_api(github, GCORE_BRANCH, GCORE)  # the breaking fragment replaced by the non-breaking one

    github.publish()  # upstream is back where main is
    reverted = github.run(api=GCORE)
    show("breaking", breaking, relented, reverted)
    assert reverted.job.success and reverted.status == "0", reverted.job.log
    assert reverted.pushes == {GCORE_BRANCH: "deleted"}
    assert reverted.writes() == ["pr close"]
    assert github.pulls() == [] and len(github.pulls("CLOSED")) == 1


def test_a_pull_request_github_refused_is_red_and_opened_by_the_next_run(github: Rig) -> None:
    """The branch was pushed but GitHub refused the pull request (Actions may not create them until a maintainer
    allows it): that run is red with GitHub's words, and the next one opens the pull request for the branch."""
    github.publish(gcore=gcore_added())
    refused = github.run(api=GCORE, refuse="pr create")
    assert not refused.job.success and refused.status == "3", refused.job.log
    assert refused.pushes == {GCORE_BRANCH: "new"} and github.pulls() == []
    assert "GitHub Actions is not permitted to create or approve pull requests" in refused.job.summary
    allowed = github.run(api=GCORE)
    show("pull request refused, then allowed", refused, allowed)
    assert allowed.job.success and allowed.status == "1", allowed.job.log
    assert (allowed.pushes, allowed.writes()) == ({}, ["pr create"])
    (pull,) = github.pulls()
    assert pull["headRefName"] == GCORE_BRANCH and "**Tests on this branch: passed (" in pull["body"]


def test_two_apis_get_a_branch_and_a_pull_request_each(github: Rig) -> None:
    github.publish(gcore=gcore_property_added(), versori=versori_added())
    run = github.run()
    show("two APIs", run)
    assert run.job.success and run.status == "1", run.job.log
    assert run.pushes == {GCORE_BRANCH: "new", VERSORI_BRANCH: "new"}
    assert run.writes() == ["pr create", "pr create"]
    _only_this_api(github, GCORE_BRANCH, GCORE)
    _only_this_api(github, VERSORI_BRANCH, VERSORI)
    assert sorted(pull["headRefName"] for pull in github.pulls()) == [GCORE_BRANCH, VERSORI_BRANCH]
    # A field the facade does not map yet: the tests pass, and the body says what the facade could learn.
    (gcore_pull,) = [pull for pull in github.pulls() if pull["headRefName"] == GCORE_BRANCH]
    assert "**Tests on this branch: passed (" in gcore_pull["body"]
    assert f"  - a new field, `ErpInvoiceExternal.{RESIDUAL}`: on `Invoice.raw`" in gcore_pull["body"]
    (versori_pull,) = [pull for pull in github.pulls() if pull["headRefName"] == VERSORI_BRANCH]
    assert f"  - a new field, `Invoice.{STATUS}`: on `Invoice.raw`" in versori_pull["body"]


def test_tests_that_outrun_the_jobs_limit_are_stopped_reported_and_the_next_api_still_checked(github: Rig) -> None:
    """The job's limit for a test run (the ``test-timeout`` input): a run that reaches it is stopped and reported
    like a failure (status 3, the pull request and the summary row say so), and the next API is still checked."""
    github.publish(gcore=gcore_added(), versori=versori_added())
    run = github.run(test_timeout="0.5")
    show("tests stopped at the job's limit", run)
    assert not run.job.success and run.status == "3", run.job.log
    assert run.pushes == {GCORE_BRANCH: "new", VERSORI_BRANCH: "new"}
    assert run.writes() == ["pr create", "pr create"]
    for pull in github.pulls():
        assert (
            "**Tests on this branch: did not finish: stopped after 0.5 s, the job's limit for the tests;"
            in (pull["body"])
        )
        assert "The tests did not finish within the job's limit" in pull["body"]
    for api in (GCORE, VERSORI):
        assert f"| {api} | non-breaking, then failed (exit 3) |" in run.job.summary
        assert f"error: the tests on spec-drift/{api} did not finish: stopped after 0.5 s" in run.job.summary


def test_an_unreachable_url_is_reported_and_the_other_api_still_checked(github: Rig) -> None:
    github.publish(gcore={}, versori=versori_added())
    run = github.run()
    show("one URL unreachable", run)
    assert not run.job.success and run.status == "3", run.job.log
    assert run.pushes == {VERSORI_BRANCH: "new"}
    assert run.writes() == ["pr create"]
    assert f"error: {github.urls[GCORE]}: HTTP 404 Not Found" in run.job.summary
    assert "| gcore-billing | could not check (exit 3) | not fetched | not run |" in run.job.summary


def test_overlay_rot_opens_one_issue_naming_the_action_and_what_upstream_did(github: Rig) -> None:
    (api,) = load_manifest().select(GCORE)
    overlay = load_overlay(api.overlay_path, api.overlay)
    (index,) = [i for i, action in enumerate(overlay.actions) if action["target"] == f"$.paths['{DOWNLOAD}'].get"]
    place = overlay.place(index)
    github.publish(gcore=gcore_without_download())
    rot = github.run(api=GCORE)
    github.publish(gcore=gcore_without_download(2))  # republished: a new info.version, the same rot
    again = github.run(api=GCORE)
    github.publish()
    fixed = github.run(api=GCORE)
    show("overlay rot", rot, again, fixed)
    assert not rot.job.success and rot.status == "3", rot.job.log
    assert (rot.pushes, rot.writes()) == ({}, ["label create", "issue create"])
    assert f"error: --write: {place}: target $.paths['{DOWNLOAD}'].get matches nothing upstream now" in (
        rot.job.summary
    )
    assert "| gcore-billing | overlay rot (exit 3) | " in rot.job.summary and "| not run |" in rot.job.summary
    (issue,) = github.github()["issues"]
    assert issue["title"] == "Spec drift: the gcore-billing overlay no longer fits upstream"
    assert f"`{place}` targets `$.paths['{DOWNLOAD}'].get`" in issue["body"]
    assert (
        f"upstream changed it: `GET {DOWNLOAD}`: operation v1_erp_invoices_download_retrieve was removed"
        in (issue["body"])
    )
    assert (again.pushes, again.writes()) == ({}, [])  # the same finding: no second issue, no edit
    assert len(github.github()["issues"]) == 1
    assert fixed.job.success and fixed.writes() == ["issue close"]
    assert github.issues() == [] and github.pulls() == []
