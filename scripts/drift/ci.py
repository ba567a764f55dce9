"""The scheduled spec-drift job (``.github/workflows/spec-drift.yml``): from upstream change to pull request.

    python -m scripts.drift.ci [--api NAME] [--out DIR] [--remote NAME]

Run in a clean checkout of the default branch.  For every API of the manifest
(or the one named), each on its own:

1. ``nox -s spec-drift -- --api NAME --write`` against the default branch: the
   API's verdict (its exit status) and, on a change, the absorbed files;
2. nothing relevant changed: an open pull request the bot alone wrote is closed
   (upstream reverted), an overlay rot issue is closed; the branch of a pull
   request someone else committed to is left alone;
3. ``--write`` refused because overlay actions match nothing upstream now
   (overlay rot): an issue naming each action, its file and line, and the
   upstream change at that place, updated on later runs, never duplicated;
4. a change: committed on ``spec-drift/NAME``.  If that branch exists, the
   tool is run again *on it*: when it already holds this upstream (the same
   document, or one that differs only in what no client sees), nothing is
   pushed, so an unchanged upstream makes no diff on any day (its pull request
   is opened then only if none was: an earlier run pushed but GitHub refused
   the pull request).  Otherwise the tests run on the new commit, on the job's
   Python (``nox -s tests-3.X -- $SPEC_DRIFT_TEST_ARGS``, ``-q`` by default:
   the whole suite), the branch is pushed and its pull request opened or
   updated (``breaking-change`` label on breaking changes).  A branch with
   commits the bot did not make is never rewritten: the bot's commit goes on
   top of them, and a comment says so;
5. could not check (an unreachable URL, a malformed document) or absorb (the
   write failed and changed nothing): reported, and the next API is checked
   all the same.  So is a step that fails later (a push, a ``gh`` call), with
   what was done before it.

The job summary gets a table of the APIs and each one's report and error
lines (read from the report files the tool writes, since nox merges the
tool's stderr into its stdout); ``$GITHUB_OUTPUT`` gets ``status``, the worst
API's (0 nothing, 1 non-breaking, 2 breaking, 3 could not check, overlay rot,
or a step failed), which the workflow's last step turns into the job's colour.

Environment: ``GH_TOKEN`` (gh, and git through a credential helper that reads
it when asked; never passed to the tests), ``GH_REPO``, ``GITHUB_SERVER_URL``,
``GITHUB_REPOSITORY`` and ``GITHUB_RUN_ID`` (the run's link),
``GITHUB_REF_NAME`` (the pull requests' base), ``SPEC_DRIFT_OWN_TOKEN``
(``true`` when ``GH_TOKEN`` is not ``GITHUB_TOKEN``, whose pushes start no
workflow), ``SPEC_DRIFT_TEST_ARGS``.  Exit status 3 when the job could not
start (a checkout with uncommitted changes: it resets ``specs/`` and
``generated/`` between APIs); otherwise 0, the verdict being ``status``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.drift.body import (
    BREAKING_LABEL,
    ISSUE_LABEL,
    ApiDrift,
    Run,
    finding,
    issue_body,
    issue_title,
    pr_body,
    pr_title,
    settled_body,
    settled_comment,
    settled_title,
    top_comment,
)
from scripts.drift.changelog import write_fragment
from scripts.drift.github import GitHub, GitHubError, PullRequest
from scripts.drift.pr import PATHS, Git, GitError, Remote, branch_name
from scripts.drift.tests import SECRETS, TestOutcome, pytest_arguments, run_tests, time_limit

__all__ = ["Job", "Outcome", "git_auth", "main"]

EXIT_FAILED = 3
_TAIL = 5


@dataclass
class Outcome:
    """What the job did for one API: its row in the summary."""

    api: str
    drift: ApiDrift
    report: str = ""
    tests: TestOutcome | None = None
    push: str = ""
    github: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failed: tuple[str, ...] = ()  # error lines of a step that failed after the check (git, gh, the branch's check)

    @property
    def status(self) -> int:
        return EXIT_FAILED if self.failed else self.drift.status

    @property
    def errors(self) -> tuple[str, ...]:
        return (*self.drift.errors, *self.failed)


def git_auth(environ: Mapping[str, str]) -> dict[str, str]:
    """git configuration (as environment) that answers credential requests with ``$GH_TOKEN``.

    The helper reads the token from the environment when git asks: it is never on a command line or in a file.
    """
    if not environ.get("GH_TOKEN"):
        return {}
    count = int(environ.get("GIT_CONFIG_COUNT", "0") or 0)
    helper = '!f() { test "$1" = get && echo username=x-access-token && echo "password=$GH_TOKEN"; }; f'
    return {
        "GIT_CONFIG_COUNT": str(count + 2),
        f"GIT_CONFIG_KEY_{count}": "credential.helper",
        f"GIT_CONFIG_VALUE_{count}": "",
        f"GIT_CONFIG_KEY_{count + 1}": "credential.helper",
        f"GIT_CONFIG_VALUE_{count + 1}": helper,
    }


class Job:
    """One run of the drift job in the checkout ``root``."""

    def __init__(self, root: Path, out: Path, remote: str, environ: Mapping[str, str]) -> None:
        self.root, self.out, self.remote = root, out, remote
        self.environ = dict(environ)
        self.git = Git(root, git_auth(environ))
        self.github = GitHub(environ)
        url = ""
        if environ.get("GITHUB_RUN_ID") and environ.get("GITHUB_REPOSITORY"):
            server = environ.get("GITHUB_SERVER_URL", "https://github.com")
            url = f"{server}/{environ['GITHUB_REPOSITORY']}/actions/runs/{environ['GITHUB_RUN_ID']}"
        self.run = Run(url, environ.get("SPEC_DRIFT_OWN_TOKEN", "").strip().lower() == "true")
        self.base = environ.get("GITHUB_REF_NAME", "").strip() or "main"
        self.limit = time_limit(environ)
        self.start = self.git.head()

    # -- the two tools the job runs ------------------------------------------------------------------------

    def drift(self, api: str, tag: str) -> tuple[ApiDrift, str]:
        """``spec-drift --write`` for ``api`` on the current checkout: its part of the report, and the Markdown."""
        markdown, report = self.out / f"{api}.{tag}.md", self.out / f"{api}.{tag}.json"
        for path in (markdown, report):
            path.unlink(missing_ok=True)
        command = [sys.executable, "-m", "nox", "-s", "spec-drift", "--", "--api", api, "--write"]
        status, tail = self._echo([*command, "--report", str(markdown), "--json-report", str(report)])
        try:
            data: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            data = {"exit_status": EXIT_FAILED, "errors": [f"error: nox -s spec-drift: exit {status}", *tail]}
        text = markdown.read_text(encoding="utf-8") if markdown.is_file() else ""
        return ApiDrift.from_report(data, api), text

    def tests(self, outcome: Outcome, tag: str, branch: str) -> TestOutcome:
        """The tests on the checked-out commit, within the job's limit for them; a run stopped there fails the API
        (its status is 3), and the job goes on: push, pull request, the next API."""
        api = outcome.api
        junit, log = self.out / f"{api}.{tag}.tests.xml", self.out / f"{api}.{tag}.tests.log"
        session = f"tests-{sys.version_info.major}.{sys.version_info.minor}"  # the job's Python: the suite once
        command = [sys.executable, "-m", "nox", "-s", session, "--", *pytest_arguments(self.environ)]
        command.append(f"--junitxml={junit}")
        print(f"::group::{api}: {' '.join(command[2:])}", flush=True)
        try:
            tests = run_tests(command, junit, log, self.root, self.environ, self.limit)
        finally:
            print("::endgroup::", flush=True)
        outcome.tests = tests
        if tests.stopped:
            outcome.failed = (
                *outcome.failed,
                f"error: the tests on {branch} {tests.sentence()} (SPEC_DRIFT_TEST_TIMEOUT; log: {log.name})",
            )
        return tests

    def _echo(self, command: list[str]) -> tuple[int, list[str]]:
        """Run ``command``, its output in the log inside a group; exit status and last lines."""
        print(f"::group::{' '.join(command[2:])}", flush=True)
        lines: list[str] = []
        env = {key: value for key, value in self.environ.items() if key not in SECRETS}
        process = subprocess.Popen(
            command, cwd=self.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            lines = [*lines[-(_TAIL - 1) :], line.rstrip()]
        status = process.wait()
        print("::endgroup::", flush=True)
        return status, lines

    # -- one API ---------------------------------------------------------------------------------------------

    def one(self, outcome: Outcome) -> None:
        """Check ``outcome.api`` and act on it, recording what was done in ``outcome`` as it goes."""
        api = outcome.api
        branch = branch_name(api)
        self.git.reset(self.start)
        drift, outcome.report = self.drift(api, "main")
        outcome.drift = drift
        if drift.rot:
            self._rot_issue(outcome)
            return
        if drift.status == EXIT_FAILED:
            outcome.notes.append("not checked, or not absorbed: see the errors; the other APIs were checked")
            return
        if not self.git.dirty(*PATHS):
            if drift.status == 0:
                self._settled(outcome, branch)
            else:
                outcome.notes.append("nothing to commit: only overlay actions to tidy (listed in the report)")
            return
        self._close_issue(outcome, "the overlay fits upstream again")
        title = pr_title(drift)
        write_fragment(drift, self.root / "changelog.d")  # the release note and its bump (scripts/drift/changelog.py)
        mine = self.git.commit(title, f"Written by `nox -s spec-drift -- --api {api} --write` in {self.run.url}.")
        remote = self.git.remote(self.remote, branch, self.start)
        if remote is not None:
            self.git.reset(remote.sha)
            again, _ = self.drift(api, "branch")
            if again.status == EXIT_FAILED:
                outcome.notes.append(f"{branch} could not be checked (its overlay or specs as committed there)")
                outcome.failed = again.errors or (f"error: spec-drift on {branch}: exit 3, see the log",)
                return
            if not self.git.dirty(*PATHS):
                outcome.push = "up to date"
                self._up_to_date(outcome, branch)
                return
            if remote.foreign:
                self._on_top(outcome, remote, again)
                return
            self.git.reset(mine)
        tests = self.tests(outcome, "branch", branch)
        self.git.push(self.remote, mine, branch, lease=remote.sha if remote else None)
        outcome.push = "replaced (bot's commits only)" if remote else "new branch"
        self._pull_request(outcome, branch, pr_body(drift, tests, self.run, branch))

    def _up_to_date(self, outcome: Outcome, branch: str) -> None:
        """The branch already holds this upstream: nothing to push; its pull request is opened if none ever was.

        A run that pushed but could not open the pull request (the repository did not yet let Actions create
        them) leaves a branch nobody is shown; one a maintainer closed stays closed.
        """
        if self.github.pull_request(branch) is not None:
            outcome.notes.append(f"{branch} already holds this upstream: nothing pushed")
            return
        closed = self.github.pull_request(branch, "closed")
        if closed is not None:
            outcome.notes.append(
                f"{branch} already holds this upstream and its pull request #{closed.number} was closed: left"
                " closed (delete the branch to be told about this upstream again)"
            )
            return
        outcome.notes.append(f"{branch} already holds this upstream, but no pull request shows it: opened one")
        tests = self.tests(outcome, "branch", branch)  # on the branch's tip, checked out: what would merge
        self._pull_request(outcome, branch, pr_body(outcome.drift, tests, self.run, branch))

    def _on_top(self, outcome: Outcome, remote: Remote, again: ApiDrift) -> None:
        """Upstream moved on under a branch someone else committed to: a commit on top; the pull request's
        title, body and label say the new verdict (against the default branch), and a comment says what the
        bot added on top of whose commits."""
        written = f"Written by `spec-drift --write` on the branch in {self.run.url}."
        write_fragment(outcome.drift, self.root / "changelog.d")  # replaces the bot's older one for this API
        tip = self.git.commit(pr_title(outcome.drift), written)
        tests = self.tests(outcome, "top", remote.branch)
        self.git.push(self.remote, tip, remote.branch, lease=None)
        outcome.push = "fast-forward (on top of others' commits)"
        body = pr_body(outcome.drift, tests, self.run, remote.branch, foreign=remote.foreign)
        found = self._pull_request(outcome, remote.branch, body)
        if found is not None:
            comment = self.out / f"{outcome.api}.comment.md"
            comment.write_text(top_comment(again, tests, self.run, tip, remote.foreign), encoding="utf-8")
            self.github.comment_pull_request(found.number, comment)
            outcome.github.append(f"commented on #{found.number}")

    def _pull_request(
        self, outcome: Outcome, branch: str, body_text: str, title: str = "", breaking: bool | None = None
    ) -> PullRequest | None:
        """Open the branch's pull request, or update its title, body and ``breaking-change`` label (the verdict's,
        unless ``title``/``breaking`` say otherwise); the pull request that was open before, if any."""
        body = self.out / f"{outcome.api}.body.md"
        body.write_text(body_text, encoding="utf-8")
        title = title or pr_title(outcome.drift)
        breaking = outcome.drift.breaking if breaking is None else breaking
        found = self.github.pull_request(branch)
        has = found is not None and BREAKING_LABEL in found.labels
        add = [BREAKING_LABEL] if breaking and not has else []
        remove = [BREAKING_LABEL] if has and not breaking else []
        if add:
            self.github.ensure_label(BREAKING_LABEL, "B60205", "upstream changed something the client relies on")
        if found is None:
            url = self.github.create_pull_request(branch, self.base, title, body, add)
            outcome.github.append(f"opened {url}")
            return None
        self.github.edit_pull_request(found.number, title, body, add, remove)
        outcome.github.append(f"updated #{found.number}" + (" (relabelled)" if add or remove else ""))
        return found

    def _settled(self, outcome: Outcome, branch: str) -> None:
        """Upstream matches the default branch: close what the bot opened for an older state."""
        self._close_issue(outcome, "the overlay fits upstream again")
        found = self.github.pull_request(branch)
        if found is None:
            return
        remote = self.git.remote(self.remote, branch, self.start)
        if remote is not None and remote.foreign:
            outcome.notes.append(
                f"upstream matches {self.base} again; #{found.number} has commits by others, so it stays open"
            )
            title = settled_title(outcome.api, self.base)
            if found.title != title:  # the verdict changed: say so once, not every day
                body = settled_body(outcome.drift, self.run, self.base, remote.foreign)
                self._pull_request(outcome, branch, body, title, False)
                comment = self.out / f"{outcome.api}.comment.md"
                comment.write_text(settled_comment(outcome.api, self.run, self.base), encoding="utf-8")
                self.github.comment_pull_request(found.number, comment)
                outcome.github.append(f"commented on #{found.number}")
            return
        self.github.close_pull_request(
            found.number, f"Upstream matches {self.base} again (reverted, or absorbed another way): {self.run.url}"
        )
        outcome.github.append(f"closed #{found.number}")
        if remote is not None:
            self.git.delete(self.remote, branch, lease=remote.sha)
            outcome.push = "deleted"

    def _rot_issue(self, outcome: Outcome) -> None:
        title = issue_title(outcome.api)
        body = self.out / f"{outcome.api}.issue.md"
        text = issue_body(outcome.drift, self.run)
        body.write_text(text, encoding="utf-8")
        found = self.github.open_issue(title, ISSUE_LABEL)
        if found is None:
            self.github.ensure_label(ISSUE_LABEL, "FBCA04", "raised by the scheduled spec-drift workflow")
            url = self.github.create_issue(title, body, ISSUE_LABEL)
            outcome.github.append(f"opened issue {url}")
        elif finding(outcome.drift) not in found.body:
            self.github.edit_issue(found.number, body)
            outcome.github.append(f"updated issue #{found.number}")
        else:
            outcome.notes.append(f"issue #{found.number} already says this")

    def _close_issue(self, outcome: Outcome, why: str) -> None:
        found = self.github.open_issue(issue_title(outcome.api), ISSUE_LABEL)
        if found is not None:
            self.github.close_issue(found.number, f"{why}: {self.run.url}")
            outcome.github.append(f"closed issue #{found.number}")

    # -- the whole job ---------------------------------------------------------------------------------------

    def all(self, apis: list[str]) -> list[Outcome]:
        outcomes = []
        try:
            for api in apis:
                outcome = Outcome(api, ApiDrift(api, EXIT_FAILED))  # until checked
                outcomes.append(outcome)
                try:
                    self.one(outcome)
                except (GitError, GitHubError, OSError) as exc:
                    outcome.failed = (f"error: {exc}",)
                    outcome.notes.append("the job failed part-way for this API (what it did is in this row)")
        finally:
            self.git.reset(self.start)
        return outcomes


def summary(outcomes: list[Outcome], run: Run) -> str:
    """The job summary: one row per API, then each API's errors and report."""
    worst = max((outcome.status for outcome in outcomes), default=0)
    colour = "green" if worst <= 1 else "red"
    lines = [
        "# Spec drift",
        "",
        f"**status {worst}** (the worst API's): the job is {colour}. Log: {run.link()}.",
        "",
        "| API | verdict | upstream info.version | tests | branch | GitHub |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for outcome in outcomes:
        drift = outcome.drift
        verdict = f"{drift.verdict}, then failed" if outcome.failed else drift.verdict
        tests = outcome.tests.sentence() if outcome.tests else "not run"
        github = "; ".join(outcome.github) or "nothing"
        version = f"`{drift.info_version}`" if drift.info_version else "not fetched"
        lines.append(
            f"| {outcome.api} | {verdict} (exit {outcome.status}) | {version} | {tests} "
            f"| {outcome.push or 'not pushed'} | {github} |"
        )
    lines.append("")
    for outcome in outcomes:
        if outcome.errors or outcome.notes:
            lines += [f"## {outcome.api}", ""]
            lines += [f"- {note}" for note in outcome.notes]
            if outcome.errors:
                lines += ["", "```", *outcome.errors, "```"]
            lines.append("")
        if outcome.report:
            lines += [f"<details><summary>{outcome.api}: the drift report</summary>", "", outcome.report, "</details>"]
            lines.append("")
    return "\n".join(lines)


def _apis(root: Path, name: str | None) -> list[str]:
    data = tomllib.loads((root / "specs" / "manifest.toml").read_text(encoding="utf-8"))
    names = list(data.get("apis", {}))
    if name and name not in names:
        raise ValueError(f"specs/manifest.toml: no API named {name!r} (known: {', '.join(names)})")
    return [name] if name else names


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="drift/ci.py", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--api", help="only this API (a name from specs/manifest.toml)")
    parser.add_argument("--out", type=Path, default=Path("spec-drift-out"), help="reports, test logs, bodies")
    parser.add_argument("--remote", default="origin", help="the git remote to fetch and push drift branches")
    args = parser.parse_args(argv)
    environ = dict(os.environ if environ is None else environ)
    root = Path.cwd()
    try:
        apis = _apis(root, args.api or None)
        git = Git(root)
        if git.dirty():
            raise ValueError(f"{root}: uncommitted changes (the job resets specs/ and generated/ between APIs)")
        args.out.mkdir(parents=True, exist_ok=True)
        job = Job(root, args.out.resolve(), args.remote, environ)
    except (OSError, ValueError, GitError, tomllib.TOMLDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    outcomes = job.all(apis)
    worst = max((outcome.status for outcome in outcomes), default=0)
    text = summary(outcomes, job.run)
    print(text)
    for key, content in (("GITHUB_STEP_SUMMARY", text + "\n"), ("GITHUB_OUTPUT", f"status={worst}\n")):
        target = environ.get(key)
        if target:
            with open(target, "a", encoding="utf-8") as out:
                out.write(content)
    return 0


if __name__ == "__main__":
    sys.exit(main())
