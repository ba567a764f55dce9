"""What the scheduled spec-drift job writes for people: pull requests, issues, comments, the job summary.

Each text is built from the drift tool's JSON report for one API
(:class:`ApiDrift`), so it says exactly what the tool found: the revision
vendored now and the one upstream publishes (``info.version`` and sha256), the
changes (breaking first), the overlay actions that need attention (only when
there are any), the test outcome with counts and the first failing tests, a
link to the run, and the next steps for that verdict.

Standard library only, like the rest of :mod:`scripts.drift.ci`: the workflow
runs the job on its own Python, where only nox is installed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from scripts.drift.changelog import release_note
from scripts.drift.tests import TestOutcome

__all__ = [
    "BREAKING_LABEL",
    "ISSUE_LABEL",
    "ApiDrift",
    "Run",
    "finding",
    "issue_body",
    "issue_title",
    "pr_body",
    "pr_title",
    "settled_body",
    "settled_comment",
    "settled_title",
    "top_comment",
]

BREAKING_LABEL = "breaking-change"
ISSUE_LABEL = "spec-drift"


@dataclass(frozen=True)
class Run:
    """The workflow run: where its log is, and whether CI will run on what it pushes."""

    url: str
    own_token: bool  # pushed with a token of its own (CI runs on the PR), not GITHUB_TOKEN

    def link(self) -> str:
        return f"[this run]({self.url})" if self.url else "this run"


@dataclass(frozen=True)
class ApiDrift:
    """One API in the drift tool's JSON report."""

    api: str
    status: int
    upstream: str = ""
    info_version: str = ""
    sha256: str = ""
    vendored: dict[str, str] = field(default_factory=dict)
    changes: tuple[dict[str, Any], ...] = ()
    overlays: tuple[dict[str, Any], ...] = ()  # the actions that need attention
    rot: tuple[dict[str, Any], ...] = ()
    errors: tuple[str, ...] = ()

    @classmethod
    def from_report(cls, data: dict[str, Any], api: str) -> ApiDrift:
        """``api``'s part of a JSON report (``{exit_status, apis, changes, overlays, errors, write}``).

        The job runs the tool for one API at a time, so the report's exit status and error lines are this API's:
        3 when it could not be checked, its overlay rotted, or ``--write`` failed.
        """
        entry: dict[str, Any] = next((item for item in data.get("apis", []) if item.get("api") == api), {})
        refused = api in (data.get("write") or {}).get("refused", {})
        status = int(data.get("exit_status", 3))
        return cls(
            api=api,
            status=status,
            upstream=str(entry.get("upstream", "")),
            info_version=str(entry.get("info_version", "")),
            sha256=str(entry.get("sha256", "")),
            vendored=dict(entry.get("vendored") or {}),
            changes=tuple(c for c in data.get("changes", []) if c.get("api") == api),
            overlays=tuple(o for o in data.get("overlays", []) if o.get("api") == api and o.get("status") != "applies"),
            rot=tuple(entry.get("rot") or []) if refused else (),
            errors=tuple(data.get("errors") or []) if status == 3 else (),
        )

    @property
    def breaking(self) -> bool:
        return any(change.get("breaking") for change in self.changes)

    @property
    def verdict(self) -> str:
        if self.rot:
            return "overlay rot"
        if self.status == 3:
            return "could not check"
        if self.breaking:
            return "breaking"
        return "non-breaking" if self.changes else ("overlay to tidy" if self.overlays else "no relevant change")


def pr_title(drift: ApiDrift) -> str:
    kind = "breaking" if drift.breaking else "non-breaking"
    return f"Spec drift: {drift.api} upstream change ({kind}), info.version {drift.info_version}"


def pr_body(drift: ApiDrift, tests: TestOutcome, run: Run, branch: str, foreign: tuple[str, ...] = ()) -> str:
    """The pull request's body: what changed, the revisions, the tests, what to do next.

    ``foreign``: the commits others made on the branch, which the bot kept (its own commit went on top).
    """
    kind = "**Breaking**" if drift.breaking else "Non-breaking"
    lines = [
        f"{kind} upstream change to **{drift.api}**, absorbed by `nox -s spec-drift -- --api {drift.api} --write`"
        f" in {run.link()}; `generated/` is regenerated from it.",
        "",
        *_revisions(drift),
        "",
        f"**Tests on this branch: {tests.sentence()}**",
        *_failing(tests),
        "",
        "## Next steps",
        "",
        *_next_steps(drift, tests, run, branch, foreign),
        "",
        *release_note(drift),
        "",
        *_changes(drift),
        *_overlay(drift),
    ]
    return "\n".join(lines).rstrip() + "\n"


def settled_title(api: str, base: str) -> str:
    return f"Spec drift: {api} upstream matches {base} again (commits by others kept)"


def settled_comment(api: str, run: Run, base: str) -> str:
    return (
        f"Upstream's {api} document means what `{base}` vendors again ({run.link()}): the title, body and label of"
        " this pull request now say so. It stays open for the commits others made on it: keep them, or close it.\n"
    )


def settled_body(drift: ApiDrift, run: Run, base: str, foreign: tuple[str, ...]) -> str:
    """The body of a pull request others committed to, once upstream means what ``base`` holds again."""
    lines = [
        f"Upstream's **{drift.api}** document means what `{base}` vendors again ({run.link()}): this branch no longer"
        " carries an upstream change the client needs. The bot does not close it, because it has commits the bot"
        " did not make:",
        "",
        *(f"- {commit}" for commit in foreign),
        "",
        *_revisions(drift),
        "",
        "## Next steps",
        "",
        f"- Keep what those commits are worth on their own (cherry-pick them onto `{base}`, or merge this pull"
        " request if its diff is only them), or close it.",
        "- The next upstream change is proposed on this branch again, on top of what it holds.",
    ]
    return "\n".join(lines).rstrip() + "\n"


def top_comment(drift: ApiDrift, tests: TestOutcome, run: Run, sha: str, foreign: tuple[str, ...]) -> str:
    """The comment when upstream changed again on a branch someone else committed to: a commit added on top."""
    lines = [
        f"Upstream changed again ({drift.info_version}, sha256 `{drift.sha256}`). This branch has commits the bot"
        " did not make, so it was not rewritten: "
        f"{run.link()} added `{sha[:12]}` on top of them with `spec-drift --write` run on this branch.",
        "",
        "Commits by others, kept as they are:",
        *(f"- {commit}" for commit in foreign),
        "",
        f"**Tests on the new tip: {tests.sentence()}**",
        *_failing(tests),
        "",
        *_changes(drift, "What changed since this branch's vendored spec"),
        *_overlay(drift),
    ]
    return "\n".join(lines).rstrip() + "\n"


def issue_title(api: str) -> str:
    return f"Spec drift: the {api} overlay no longer fits upstream"


def finding(drift: ApiDrift) -> str:
    """A marker naming what the rot issue says (the actions and upstream's changes at them), not when it was seen.

    The issue is edited only when this changes: Gcore republishes daily with a new ``info.version``, which
    alone is no news.
    """
    key = hashlib.sha256(json.dumps(drift.rot, sort_keys=True).encode()).hexdigest()[:16]
    return f"<!-- spec-drift finding {key} -->"


def issue_body(drift: ApiDrift, run: Run) -> str:
    """The overlay rot issue: which actions, where, what upstream did there, what to do."""
    lines = [
        f"`spec-drift --write` cannot absorb upstream's change to **{drift.api}**: the overlay actions below match"
        " nothing in upstream's document now, and the regeneration applies the overlay strictly (an action that"
        f" silently stops applying is how a patched spec rots). Found by {run.link()}.",
        "",
        *_revisions(drift),
        "",
        "## Actions that match nothing upstream now",
        "",
    ]
    for rot in drift.rot:
        lines.append(f"- `{rot.get('place')}` targets `{rot.get('target')}`")
        if rot.get("description"):
            lines.append(f"  - why it is there: {' '.join(str(rot['description']).split())}")
        related = rot.get("related") or []
        for change in related:
            lines.append(f"  - upstream changed it: `{change.get('location')}`: {_first(change.get('message', ''))}")
        if not related:
            lines.append("  - no change this client notices is related: upstream now says it another way")
    lines += [
        "",
        "## Next steps",
        "",
        "1. For each action: if upstream fixed what it fixed, delete it; if upstream moved the thing, retarget it;"
        " if upstream removed an operation the manifest lists, decide whether the client can do without it"
        " (then remove it from `operations` in `specs/manifest.toml`, the overlay and the facade).",
        f"2. Run `nox -s spec-drift -- --api {drift.api} --write`, then `nox -s tests`, and open a pull request.",
        "",
        "The scheduled workflow updates this issue while the overlay does not fit, and closes it once it does.",
        "",
        *_changes(drift, "Upstream's changes in this revision"),
        finding(drift),
    ]
    return "\n".join(lines).rstrip() + "\n"


def _revisions(drift: ApiDrift) -> list[str]:
    vendored = drift.vendored
    document = vendored.get("document_sha256") or ""
    before = f"`{document}`" if document else f"not recorded (the vendored file's is `{vendored.get('sha256', '')}`)"
    return [
        "| | info.version | sha256 of the document |",
        "| --- | --- | --- |",
        f"| vendored now | `{vendored.get('info_version', '')}` | {before} |",
        f"| upstream | `{drift.info_version}` | `{drift.sha256}` |",
        "",
        f"Upstream: `{drift.upstream}`",
    ]


def _failing(tests: TestOutcome) -> list[str]:
    if not tests.failing:
        return []
    more = tests.failed - len(tests.failing)
    return [
        "",
        "First failing tests:",
        *(f"- `{name}`" for name in tests.failing),
        *([f"- … and {more} more (see the run's log)"] if more > 0 else []),
    ]


def _next_steps(drift: ApiDrift, tests: TestOutcome, run: Run, branch: str, foreign: tuple[str, ...] = ()) -> list[str]:
    steps = []
    if not run.own_token:
        steps.append(
            "- CI has not run on this pull request: the workflow pushed with `GITHUB_TOKEN`, whose pushes start no"
            " workflow. Close and reopen the pull request to run it (or give the workflow its own token:"
            ' docs/maintainers/drift.md, "From alarm to pull request").'
        )
    if foreign:
        steps.append(
            f"- `{branch}` has {len(foreign)} commit(s) the bot did not make; they are kept, and the bot's commit for"
            " this upstream went on top of them (its comment lists them): check they still fit this change."
        )
    if tests.stopped:
        steps.append(
            f"- The tests did not finish within the job's limit: something waits forever on the regenerated code."
            f" Run `nox -s tests` on `{branch}`: pytest-timeout fails a test that hangs and prints where it waits;"
            " fix the facade, an overlay or the test there (the bot never rewrites your commits)."
        )
    elif not tests.ok:
        steps.append(
            f"- The tests fail on the regenerated code: fix the facade, an overlay or the tests on `{branch}`. Commit"
            " there freely: the bot adds its commits on top of yours and never rewrites them."
        )
    if drift.breaking:
        steps.append(
            "- Each breaking change below can break callers of the facade: check how it handles it"
            " (`src/invoice_clients/vendors/`), add a test for it, and say so in the release notes."
        )
    steps += _to_learn(drift)
    if drift.overlays:
        steps.append("- Tidy the overlay actions listed under Overlay (delete or retarget them), then regenerate.")
    steps.append("- Review the diff of `specs/` and `generated/`, then merge." if tests.ok else "- Then merge.")
    return steps


def _to_learn(drift: ApiDrift) -> list[str]:
    """What the facade could learn from the non-breaking changes: the generated client has it, the facade not yet.

    Nothing here stops a merge (the facade works as before); it is the follow-up a maintainer schedules.
    """
    items = []
    for change in drift.changes:
        if change.get("breaking"):
            continue
        kind, location, message = change.get("kind"), str(change.get("location", "")), str(change.get("message", ""))
        if kind == "parameter-added":
            name = location.rpartition(" parameter ")[2]
            items.append(
                f"  - a new filter, `{name}` (`{location.rpartition(' parameter ')[0]}`): the facade never sends it"
                " until it is declared with the vendor's filters (and so offered by `invoices.list`, the sandbox and"
                " the command line), with a test"
            )
        elif kind == "property-added" and location.startswith("schema "):
            items.append(
                f"  - a new field, `{location.removeprefix('schema ')}`: on `Invoice.raw` (the generated model)"
                " now; map it onto `Invoice` if users need it, with a test"
            )
        elif kind == "enum-value-added" and "response" in message:
            value = message.partition("enum value ")[2].partition(" added")[0]
            items.append(
                f"  - a new value {value} of `{location.removeprefix('schema ')}`: passed through as a plain string;"
                " teach the facade's enum the name if it deserves one"
            )
    if not items:
        return []
    return [
        "- What the facade could learn (not needed to merge: the facade works as before, and these wait for it;"
        " in `src/invoice_clients/vendors/`):",
        *items,
    ]


def _changes(drift: ApiDrift, heading: str = "Changes") -> list[str]:
    if not drift.changes:
        return []
    lines = [f"## {heading}", "", "| | location | change |", "| --- | --- | --- |"]
    for change in sorted(drift.changes, key=lambda c: not c.get("breaking")):
        mark = "**breaking**" if change.get("breaking") else "non-breaking"
        location, message = _cell(str(change.get("location", ""))), _cell(str(change.get("message", "")))
        lines.append(f"| {mark} | `{location}` | {message} |")
    return [*lines, ""]


def _overlay(drift: ApiDrift) -> list[str]:
    if not drift.overlays:
        return []
    lines = ["## Overlay", "", "| action | target | status | what to do |", "| --- | --- | --- | --- |"]
    for action in drift.overlays:
        target = _cell(str(action.get("target", "")))
        lines.append(f"| {action.get('index')} | `{target}` | {action.get('status')} | {action.get('advice', '')} |")
    return [*lines, ""]


def _first(message: str) -> str:
    return message.split(";")[0]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
