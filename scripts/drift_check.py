"""Has upstream changed anything a client of this repository depends on?

For one API: fetch the upstream document, cut out the manifest's operations and
what they reference (:mod:`scripts.specselect`), compare that with the same cut
of the vendored spec (:mod:`scripts.specdiff`), and judge each change by what
it does to the client generated from the *effective* spec (vendored spec plus
overlay), not by upstream's word alone: an upstream change the overlay already
anticipated breaks nothing.  Then apply the overlay leniently to the new
upstream cut and report, per action, whether it still applies, matches nothing
(upstream moved or fixed the thing) or changes nothing (upstream now says what
the action says).  Pure reading: nothing here writes a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scripts.documents import load_openapi, load_overlay
from scripts.errors import ToolchainError
from scripts.fetch import Fetched, fetch
from scripts.manifest import ROOT, Api, load_manifest
from scripts.overlay import ActionResult, apply_overlay
from scripts.specdiff import Change, compare, judge
from scripts.specselect import dangling_refs, find_operations, select

__all__ = [
    "EXIT_BREAKING",
    "EXIT_CLEAN",
    "EXIT_FAILED",
    "EXIT_NON_BREAKING",
    "ApiReport",
    "DriftReport",
    "check_api",
    "run",
]

EXIT_CLEAN, EXIT_NON_BREAKING, EXIT_BREAKING, EXIT_FAILED = 0, 1, 2, 3


@dataclass
class ApiReport:
    """The drift of one API, with what ``--write`` needs to absorb it."""

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

    @property
    def relevant(self) -> bool:
        """Whether anything needs a maintainer: a change, or an overlay action to tidy."""
        return bool(self.changes or self.stale_overlays)


@dataclass
class DriftReport:
    """The drift of every API checked, and the exit status it implies."""

    apis: list[ApiReport]

    @property
    def exit_status(self) -> int:
        if any(api.breaking for api in self.apis):
            return EXIT_BREAKING
        if any(api.relevant for api in self.apis):
            return EXIT_NON_BREAKING
        return EXIT_CLEAN


def check_api(api: Api, upstream: str | None = None) -> ApiReport:
    """Compare ``api``'s vendored spec with its upstream (or ``upstream``) and check its overlay there."""
    fetched = fetch(upstream or api.upstream)
    vendored = load_openapi(api.spec_path, api.spec)
    overlay = load_overlay(api.overlay_path, api.overlay)
    old = select(vendored, api.operations)
    new = select(fetched.document, api.operations)
    missing = dangling_refs(new, fetched.document)
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise ToolchainError(fetched.source, f"malformed document: $ref {missing[0]!r} points at nothing{more}")
    effective, _ = apply_overlay(old, overlay, lenient=True)
    _, actions = apply_overlay(new, overlay, lenient=True)
    changes = judge(compare(old, new), compare(effective, old), compare(effective, new))
    return ApiReport(api.name, fetched.source, _name_renames(changes, fetched.document), actions, new, fetched)


def run(root: Path = ROOT, api_name: str | None = None, upstream: str | None = None) -> DriftReport:
    """Check the named API (or all); ``upstream`` overrides the manifest's URL and needs ``api_name``."""
    manifest = load_manifest(root / "specs" / "manifest.toml", root)
    apis = manifest.select(api_name)
    if upstream is not None and len(apis) != 1:
        raise ToolchainError("--upstream", "names one document, so it needs --api NAME")
    return DriftReport([check_api(api, upstream) for api in apis])


def _name_renames(changes: list[Change], document: dict[str, Any]) -> list[Change]:
    """A removed operation whose method and path now carry another operationId was probably renamed: say so."""
    by_place = {f"{method.upper()} {path}": op_id for op_id, (path, method, _) in find_operations(document).items()}
    named = []
    for change in changes:
        other = by_place.get(change.location) if change.kind == "operation-removed" else None
        if other is not None:
            hint = f"; {change.location} is now operation {other}: if it was renamed, update the manifest's operations"
            change = replace(change, message=change.message + hint)
        named.append(change)
    return named
