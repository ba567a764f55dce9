"""The spec drift report, as Markdown for people and as JSON for machines.

Markdown goes to a terminal, to a GitHub job summary and into pull requests,
so it leads with the verdict and lists breaking changes first; the JSON object
has one flat list of changes and one of overlay actions, each entry tagged with
its API, so a script can filter without knowing the report's layout.  The JSON
report also carries the tool's own error lines and what ``--write`` did: the
scheduled workflow runs the tool through nox, which merges stderr into stdout,
so the report file it is told to write is where it finds them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from scripts.drift.check import EXIT_BREAKING, EXIT_FAILED, EXIT_NON_BREAKING, ApiReport, DriftReport

__all__ = ["ADVICE", "WriteOutcome", "cell", "render", "render_failure", "render_json", "render_markdown"]

ADVICE = {
    "applies": "still needed",
    "no-match": "matches nothing upstream now: upstream moved or fixed it; delete or retarget the action",
    "no-op": "changes nothing upstream now: upstream already says this; delete the action",
}

_VERDICT = {
    EXIT_FAILED: "could not check every API (exit 3)",
    EXIT_BREAKING: "breaking changes (exit 2)",
    EXIT_NON_BREAKING: "non-breaking changes or overlay actions to tidy (exit 1)",
}


@dataclass
class WriteOutcome:
    """What ``--write`` did: the APIs absorbed, those refused (overlay places that rotted), its error lines."""

    absorbed: list[str] = field(default_factory=list)
    refused: dict[str, list[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def render(report: DriftReport, form: str) -> str:
    """The report in ``form``: ``markdown`` or ``json``."""
    return render_json(report) if form == "json" else render_markdown(report)


def render_failure(errors: list[str]) -> str:
    """The JSON report of a run that could not check anything (a malformed manifest, a mistaken argument)."""
    return json.dumps({"exit_status": EXIT_FAILED, "apis": [], "changes": [], "overlays": [], "errors": errors}) + "\n"


def render_json(
    report: DriftReport,
    *,
    errors: list[str] | None = None,
    write: WriteOutcome | None = None,
    status: int | None = None,
) -> str:
    """``{exit_status, apis, changes: [{api, location, kind, breaking, message}], overlays: [...], errors}``.

    ``errors`` defaults to the report's per-API error lines; ``write`` (``--write``'s outcome) adds a
    ``write`` object; ``status`` overrides the exit status (a refused write makes it 3).
    """
    data: dict[str, Any] = {
        "exit_status": report.exit_status if status is None else status,
        "apis": [_api_json(api) for api in report.apis],
        "changes": [
            {
                "api": api.api,
                "location": change.location,
                "kind": change.kind,
                "breaking": change.breaking,
                "message": change.message,
            }
            for api in report.apis
            for change in api.changes
        ],
        "overlays": [
            {
                "api": api.api,
                "index": action.index,
                "target": action.target,
                "status": action.status,
                "advice": ADVICE[action.status],
            }
            for api in report.apis
            for action in api.overlays
        ],
        "errors": [f"error: {line}" for line in report.errors] if errors is None else errors,
    }
    if write is not None:
        data["write"] = {"absorbed": write.absorbed, "refused": write.refused}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _api_json(api: ApiReport) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "api": api.api,
        "upstream": api.upstream,
        "info_version": api.version if api.fetched else "",  # nothing fetched: no version to name
        "sha256": api.sha256,
        "changes": len(api.changes),
        "breaking": len(api.breaking),
        "exit_status": api.exit_status,
        "error": api.error,
    }
    if api.vendored is not None:
        entry["vendored"] = {
            "info_version": api.vendored.info_version,
            "document_sha256": api.vendored.document_sha256,
            "sha256": api.vendored.sha256,
            "retrieved": api.vendored.retrieved,
        }
    entry["rot"] = [
        {
            "index": rot.index,
            "place": rot.place,
            "target": rot.target,
            "description": rot.description,
            "related": [{"location": c.location, "kind": c.kind, "message": c.message} for c in rot.related],
        }
        for rot in api.rot
    ]
    return entry


def render_markdown(report: DriftReport) -> str:
    """A verdict, then per API its changes (breaking first) and the overlay actions that need attention."""
    lines = ["# Spec drift", "", f"**{_VERDICT.get(report.exit_status, 'no relevant change (exit 0)')}**", ""]
    for api in report.apis:
        if api.error:
            lines += [f"## {api.api}: could not check", "", "```", f"error: {api.error}", "```", ""]
            continue
        verdict = (
            f"{len(api.breaking)} breaking, {len(api.changes) - len(api.breaking)} non-breaking"
            if api.changes
            else "no relevant change"
        )
        lines += [
            f"## {api.api}: {verdict}",
            "",
            f"Upstream: `{api.upstream}` (info.version `{api.version}`, sha256 `{api.sha256}`)",
            "",
        ]
        if api.changes:
            lines += ["| | location | change |", "| --- | --- | --- |"]
            for change in sorted(api.changes, key=lambda c: not c.breaking):
                mark = "**breaking**" if change.breaking else "non-breaking"
                lines.append(f"| {mark} | `{cell(change.location)}` | {cell(change.message)} |")
            lines.append("")
        stale = api.stale_overlays
        if not api.overlays:
            continue
        if not stale:
            lines += [f"Overlay: all {len(api.overlays)} actions still apply.", ""]
            continue
        lines += [f"Overlay: {len(stale)} of {len(api.overlays)} actions need attention:", ""]
        lines += ["| action | target | status | what to do |", "| --- | --- | --- | --- |"]
        for action in stale:
            lines.append(f"| {action.index} | `{cell(action.target)}` | {action.status} | {ADVICE[action.status]} |")
        lines.append("")
        if api.rot:
            lines += _rot_lines(api)
    return "\n".join(lines)


def _rot_lines(api: ApiReport) -> list[str]:
    """Markdown for the overlay actions that match nothing upstream now (``--write`` refuses them)."""
    lines = [f"Overlay rot: `--write` refuses {api.api} while these actions match nothing upstream:", ""]
    for rot in api.rot:
        lines.append(f"- `{rot.place}` targets `{rot.target}`")
        if rot.description:
            lines.append(f"  - why it was there: {' '.join(rot.description.split())}")
        if rot.related:
            for change in rot.related:
                mark = "breaking" if change.breaking else "non-breaking"
                lines.append(f"  - upstream changed it ({mark}): `{change.location}`: {change.message.split(';')[0]}")
        else:
            lines.append("  - no change this client notices is related: upstream now says it another way")
    return [*lines, ""]


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")
