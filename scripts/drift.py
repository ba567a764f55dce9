"""Spec drift: has upstream changed anything this client depends on?

For each API in the manifest (or the one named), fetch the upstream document,
keep only the manifest's operations and what they reference, compare it with
the vendored spec semantically (:mod:`scripts.specdiff`), and check every
overlay action against it: does it still apply, match nothing (upstream moved
or fixed the thing), or change nothing any more?

    python scripts/drift.py [--api NAME] [--upstream URL_OR_FILE] [--format markdown|json]
                            [--report FILE] [--write]

Exit status: 0 nothing relevant changed; 1 relevant but non-breaking changes
(or overlay actions that need attention) only; 2 breaking changes; 3 the check
could not run (unreachable URL, malformed document), with a one-line reason.

``--write`` absorbs the change: the vendored spec becomes the selected upstream
(the manifest's operations and their components, in this toolchain's
deterministic YAML, so an aggregated document of hundreds of operations does
not turn into hundreds of generated modules), the manifest's provenance is
updated, ``generated/`` is regenerated and its diff printed.  All or nothing:
if anything fails, the spec and manifest are restored and ``generated/`` is
untouched.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import re
import sys
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `scripts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.documents import check_openapi, load_overlay
from scripts.errors import ToolchainError
from scripts.manifest import ROOT, Api, load_manifest, sha256_file
from scripts.overlay import ActionResult, apply_overlay
from scripts.regenerate import Outcome, regenerate
from scripts.specdiff import Change, compare, select
from scripts.yamlio import dump_yaml, load_yaml, load_yaml_text

__all__ = ["ApiReport", "DriftReport", "fetch", "main", "render_json", "render_markdown", "run", "write"]

FETCH_TIMEOUT = 30.0
EXIT_CLEAN, EXIT_NON_BREAKING, EXIT_BREAKING, EXIT_FAILED = 0, 1, 2, 3

_ADVICE = {
    "applies": "still needed",
    "no-match": "matches nothing upstream now: upstream moved or fixed it; delete or retarget the action",
    "no-op": "changes nothing upstream now: upstream already says this; delete the action",
}


@dataclass(frozen=True)
class Fetched:
    """An upstream document as fetched: where from, its raw bytes, and the parsed document."""

    source: str
    raw: bytes
    document: dict[str, Any]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


@dataclass
class ApiReport:
    """The drift of one API."""

    api: str
    upstream: str
    changes: list[Change] = field(default_factory=list)
    overlays: list[ActionResult] = field(default_factory=list)
    selected: dict[str, Any] = field(default_factory=dict, repr=False)
    fetched: Fetched | None = field(default=None, repr=False)

    @property
    def breaking(self) -> list[Change]:
        return [change for change in self.changes if change.breaking]

    @property
    def stale_overlays(self) -> list[ActionResult]:
        return [action for action in self.overlays if action.status != "applies"]


@dataclass
class DriftReport:
    """The drift of every API checked, and the exit status it implies."""

    apis: list[ApiReport]

    @property
    def exit_status(self) -> int:
        if any(api.breaking for api in self.apis):
            return EXIT_BREAKING
        if any(api.changes or api.stale_overlays for api in self.apis):
            return EXIT_NON_BREAKING
        return EXIT_CLEAN


def fetch(source: str, root: Path = ROOT) -> Fetched:
    """Read an OpenAPI document from an http(s) URL or a local file; one-line :class:`ToolchainError` on failure."""
    if re.match(r"^https?://", source):
        accept = {"Accept": "application/yaml, application/json, */*"}
        request = urllib.request.Request(source, headers=accept)  # noqa: S310 (the scheme is checked above)
        try:
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # noqa: S310 (http(s) only)
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise ToolchainError(source, f"HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise ToolchainError(source, f"unreachable: {reason}") from None
    else:
        path = Path(source) if Path(source).is_absolute() else Path.cwd() / source
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ToolchainError(source, f"cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ToolchainError(source, "is not UTF-8 text") from None
    document = check_openapi(load_yaml_text(text, source), source)
    return Fetched(source, raw, document)


def check_api(api: Api, upstream: str | None = None) -> ApiReport:
    """Compare ``api``'s vendored spec with its upstream (or ``upstream``) and check its overlay there."""
    fetched = fetch(upstream or api.upstream, api.root)
    vendored = check_openapi(load_yaml(api.spec_path, api.spec), api.spec)
    new = select(fetched.document, api.operations)
    changes = compare(select(vendored, api.operations), new)
    _, actions = apply_overlay(new, load_overlay(api.overlay_path, api.overlay), lenient=True)
    return ApiReport(api.name, fetched.source, changes, actions, new, fetched)


def run(root: Path = ROOT, api_name: str | None = None, upstream: str | None = None) -> DriftReport:
    """Check the named API (or all); ``upstream`` overrides the manifest's URL (one API only)."""
    manifest = load_manifest(root / "specs" / "manifest.toml", root)
    apis = manifest.select(api_name)
    if upstream is not None and len(apis) != 1:
        raise ToolchainError("--upstream", "names one document, so it needs --api NAME")
    return DriftReport([check_api(api, upstream) for api in apis])


def write(reports: list[ApiReport], root: Path = ROOT, today: datetime.date | None = None) -> Outcome:
    """Vendor each report's upstream selection, record its provenance, regenerate once.

    All or nothing: on any failure every spec and the manifest get their old
    bytes back, and ``generated/`` (swapped only on success) is untouched.
    """
    manifest = load_manifest(root / "specs" / "manifest.toml", root)
    day = (today or datetime.date.today()).isoformat()
    backups = {manifest.path: manifest.path.read_bytes()}
    try:
        text = backups[manifest.path].decode("utf-8")
        for report in reports:
            (api,) = manifest.select(report.api)
            assert report.fetched is not None
            backups.setdefault(api.spec_path, api.spec_path.read_bytes())
            api.spec_path.write_text(dump_yaml(report.selected), encoding="utf-8")
            info = report.fetched.document.get("info") or {}
            source = (
                f"operations {', '.join(api.operations)} and the components they use, selected from "
                f"{report.fetched.source} (info.version {info.get('version', 'unknown')}, "
                f"document sha256 {report.fetched.sha256})"
            )
            text = update_provenance(text, api.name, retrieved=day, source=source, sha256=sha256_file(api.spec_path))
        manifest.path.write_text(text, encoding="utf-8")
        return regenerate(root)
    except BaseException:
        for path, data in backups.items():
            path.write_bytes(data)
        raise


def update_provenance(text: str, api: str, **values: str) -> str:
    """Rewrite ``[apis.<api>.provenance]`` keys in the manifest's text, keeping its comments and layout."""
    header = re.search(rf"^\[apis\.{re.escape(api)}\.provenance\]\s*$", text, re.MULTILINE)
    if header is None:
        raise ToolchainError("specs/manifest.toml", f"no [apis.{api}.provenance] table to update")
    end_match = re.search(r"^\[", text[header.end() :], re.MULTILINE)
    end = header.end() + (end_match.start() if end_match else len(text) - header.end())
    section = text[header.end() : end]
    for key, value in values.items():
        line = f"{key} = {json.dumps(value)}"
        section, found = re.subn(rf"^{key}\s*=.*$", lambda _: line, section, count=1, flags=re.MULTILINE)  # noqa: B023
        if not found:
            section = section.rstrip("\n") + f"\n{line}\n" + ("\n" if end_match else "")
    return text[: header.end()] + section + text[end:]


def render_json(report: DriftReport) -> str:
    """The machine-readable report: ``changes`` and ``overlays``, each entry tagged with its API."""
    data = {
        "exit_status": report.exit_status,
        "apis": [
            {"api": api.api, "upstream": api.upstream, "breaking": len(api.breaking), "changes": len(api.changes)}
            for api in report.apis
        ],
        "changes": [{"api": api.api, **asdict(change)} for api in report.apis for change in api.changes],
        "overlays": [
            {
                "api": api.api,
                "index": action.index,
                "target": action.target,
                "status": action.status,
                "advice": _ADVICE[action.status],
            }
            for api in report.apis
            for action in api.overlays
        ],
    }
    return json.dumps(data, indent=2) + "\n"


def render_markdown(report: DriftReport) -> str:
    """The report for people: a verdict per API, its changes, and overlay actions that need attention."""
    lines = ["# Spec drift", ""]
    for api in report.apis:
        verdict = (
            f"**{len(api.breaking)} breaking**, {len(api.changes) - len(api.breaking)} non-breaking"
            if api.changes
            else "no relevant change"
        )
        lines += [f"## {api.api}: {verdict}", "", f"Upstream: `{api.upstream}`", ""]
        if api.changes:
            lines += ["| | location | change |", "| --- | --- | --- |"]
            for change in sorted(api.changes, key=lambda c: (not c.breaking, c.location)):
                mark = "breaking" if change.breaking else "non-breaking"
                lines.append(f"| {mark} | `{change.location}` | {_cell(change.message)} |")
            lines.append("")
        stale = api.stale_overlays
        lines.append(
            f"Overlay: all {len(api.overlays)} actions still apply."
            if not stale
            else f"Overlay: {len(stale)} of {len(api.overlays)} actions need attention:"
        )
        lines.append("")
        if stale:
            lines += ["| action | target | status | what to do |", "| --- | --- | --- | --- |"]
            for action in stale:
                lines.append(
                    f"| {action.index} | `{_cell(action.target)}` | {action.status} | {_ADVICE[action.status]} |"
                )
            lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="drift.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--api", help="check only this API (a manifest name)")
    parser.add_argument("--upstream", help="a URL or local file to use instead of the manifest's upstream URL")
    parser.add_argument("--format", choices=("markdown", "json"), default="markdown", help="stdout format")
    parser.add_argument("--report", type=Path, help="also write the report (in --format) to this file")
    parser.add_argument("--write", action="store_true", help="vendor the upstream selection and regenerate")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        report = run(args.root, args.api, args.upstream)
    except ToolchainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    rendered = render_json(report) if args.format == "json" else render_markdown(report)
    print(rendered, end="")
    if args.report is not None:
        args.report.write_text(rendered, encoding="utf-8")
    if args.write:
        absorb = [api for api in report.apis if api.changes or api.stale_overlays]
        if absorb:
            try:
                outcome = write(absorb, args.root)
            except ToolchainError as exc:
                print(f"error: --write: {exc}; nothing was changed", file=sys.stderr)
                return EXIT_FAILED
            names = ", ".join(api.api for api in absorb)
            print(f"\nvendored the upstream selection of {names}; generated/ changes:")
            print(outcome.diff if outcome.changed else "no changes", end="" if outcome.changed else "\n")
    return report.exit_status


if __name__ == "__main__":
    sys.exit(main())
