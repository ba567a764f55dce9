"""The spec drift report, as Markdown for people and as JSON for machines.

Markdown goes to a terminal, to a GitHub job summary and into pull requests,
so it leads with the verdict and lists breaking changes first; the JSON object
has one flat list of changes and one of overlay actions, each entry tagged with
its API, so a script can filter without knowing the report's layout.
"""

from __future__ import annotations

import json

from scripts.drift_check import EXIT_BREAKING, EXIT_NON_BREAKING, DriftReport

__all__ = ["ADVICE", "render", "render_json", "render_markdown"]

ADVICE = {
    "applies": "still needed",
    "no-match": "matches nothing upstream now: upstream moved or fixed it; delete or retarget the action",
    "no-op": "changes nothing upstream now: upstream already says this; delete the action",
}

_VERDICT = {
    EXIT_BREAKING: "breaking changes (exit 2)",
    EXIT_NON_BREAKING: "non-breaking changes or overlay actions to tidy (exit 1)",
}


def render(report: DriftReport, form: str) -> str:
    """The report in ``form``: ``markdown`` or ``json``."""
    return render_json(report) if form == "json" else render_markdown(report)


def render_json(report: DriftReport) -> str:
    """``{exit_status, apis, changes: [{api, location, kind, breaking, message}], overlays: [...]}``."""
    data = {
        "exit_status": report.exit_status,
        "apis": [
            {
                "api": api.api,
                "upstream": api.upstream,
                "info_version": api.version,
                "sha256": api.sha256,
                "changes": len(api.changes),
                "breaking": len(api.breaking),
            }
            for api in report.apis
        ],
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
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_markdown(report: DriftReport) -> str:
    """A verdict, then per API its changes (breaking first) and the overlay actions that need attention."""
    lines = ["# Spec drift", "", f"**{_VERDICT.get(report.exit_status, 'no relevant change (exit 0)')}**", ""]
    for api in report.apis:
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
                lines.append(f"| {mark} | `{_cell(change.location)}` | {_cell(change.message)} |")
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
            lines.append(f"| {action.index} | `{_cell(action.target)}` | {action.status} | {ADVICE[action.status]} |")
        lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")
