"""Has upstream changed anything a client of this repository depends on?

For one API: fetch the upstream document, cut out the manifest's operations and
what they reference (:mod:`scripts.specselect`), compare that with the same cut
of the vendored spec (:mod:`scripts.specdiff`), and judge each change by what
it does to the client generated from the *effective* spec (vendored spec plus
overlay), not by upstream's word alone: an upstream change the overlay already
anticipated breaks nothing.  Then apply the overlay leniently to the new
upstream cut and report, per action, whether it still applies, matches nothing
(upstream moved or fixed the thing) or changes nothing (upstream now says what
the action says).  An API that cannot be checked (unreachable URL, malformed
document) is reported as such and the others are still checked: one vendor's
outage must not hide another's change.  Pure reading: nothing here writes a file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scripts.documents import load_openapi, load_overlay
from scripts.drift.rot import Rot, rotten
from scripts.errors import ToolchainError
from scripts.fetch import Fetched, fetch
from scripts.manifest import ROOT, Api, load_manifest
from scripts.overlay import ActionResult, apply_overlay
from scripts.specdiff import Change, compare, judge
from scripts.specselect import all_operations, dangling_refs, find_operations, select

__all__ = [
    "EXIT_BREAKING",
    "EXIT_CLEAN",
    "EXIT_FAILED",
    "EXIT_NON_BREAKING",
    "ApiReport",
    "Baseline",
    "DriftReport",
    "Vendored",
    "check_api",
    "compare_documents",
    "run",
]

EXIT_CLEAN, EXIT_NON_BREAKING, EXIT_BREAKING, EXIT_FAILED = 0, 1, 2, 3
_DOCUMENT_SHA256 = re.compile(r"document sha256 ([0-9a-f]{64})")


@dataclass(frozen=True)
class Vendored:
    """What the repository holds today for one API: the revision a change is measured from."""

    info_version: str
    document_sha256: str  # of the upstream document it was selected from, when the provenance records it
    sha256: str  # of the vendored file
    retrieved: str

    @classmethod
    def of(cls, api: Api, spec: dict[str, Any]) -> Vendored:
        info = spec.get("info")
        version = str(info.get("version", "unknown")) if isinstance(info, dict) else "unknown"
        recorded = _DOCUMENT_SHA256.search(api.provenance.source)
        return cls(version, recorded.group(1) if recorded else "", api.provenance.sha256, api.provenance.retrieved)


@dataclass
class ApiReport:
    """The drift of one API, with what ``--write`` needs to absorb it, or why it could not be checked."""

    api: str
    upstream: str
    changes: list[Change] = field(default_factory=list)
    overlays: list[ActionResult] = field(default_factory=list)
    selected: dict[str, Any] = field(default_factory=dict, repr=False)
    fetched: Fetched | None = field(default=None, repr=False)
    rot: list[Rot] = field(default_factory=list)
    vendored: Vendored | None = None
    error: str = ""

    @property
    def version(self) -> str:
        """The upstream document's ``info.version``, naming the revision judged."""
        info = self.fetched.document.get("info") if self.fetched else None
        return str(info.get("version", "unknown")) if isinstance(info, dict) else "unknown"

    @property
    def sha256(self) -> str:
        return self.fetched.sha256 if self.fetched else ""

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

    @property
    def exit_status(self) -> int:
        """This API's verdict: 3 could not check, 2 breaking, 1 relevant, 0 nothing relevant."""
        if self.error:
            return EXIT_FAILED
        if self.breaking:
            return EXIT_BREAKING
        return EXIT_NON_BREAKING if self.relevant else EXIT_CLEAN


@dataclass
class DriftReport:
    """The drift of every API checked, and the exit status it implies: the worst of theirs."""

    apis: list[ApiReport]

    @property
    def exit_status(self) -> int:
        return max((api.exit_status for api in self.apis), default=EXIT_CLEAN)

    @property
    def errors(self) -> list[str]:
        """One line per API that could not be checked."""
        return [api.error for api in self.apis if api.error]


class Baseline:
    """What every comparison of one API with an upstream revision shares: read, selected and patched once.

    ``spec-drift --history`` judges hundreds of revisions against the same vendored
    spec; the vendored selection, the overlay, the effective spec and the overlay's
    standing deviations are the same for all of them.
    """

    def __init__(self, api: Api) -> None:
        self.api = api
        self.old = select(load_openapi(api.spec_path, api.spec), api.operations)
        self.overlay = load_overlay(api.overlay_path, api.overlay)
        self.effective, _ = apply_overlay(self.old, self.overlay, lenient=True)
        self.standing = compare(self.effective, self.old)
        self.vendored = Vendored.of(api, self.old)
        self._judged: dict[str, tuple[list[Change], list[ActionResult], list[Rot]]] = {}

    def judge(self, fetched: Fetched) -> ApiReport:
        """The drift from the vendored spec to the upstream document ``fetched``."""
        new = select(fetched.document, self.api.operations)
        _check_refs(new, fetched)
        # Revisions whose selections agree (but for info) are judged once: most republications change nothing.
        key = json.dumps({k: v for k, v in new.items() if k != "info"}, sort_keys=True, default=repr)
        if key not in self._judged:
            _, actions = apply_overlay(new, self.overlay, lenient=True)
            changes = judge(compare(self.old, new), self.standing, compare(self.effective, new))
            self._judged[key] = (changes, actions, rotten(actions, self.overlay, self.old, changes))
        changes, actions, rot = self._judged[key]
        changes = _name_renames(changes, fetched.document)
        return ApiReport(self.api.name, fetched.source, changes, actions, new, fetched, rot, self.vendored)


def check_api(api: Api, upstream: str | None = None) -> ApiReport:
    """Compare ``api``'s vendored spec with its upstream (or ``upstream``) and check its overlay there."""
    fetched = fetch(upstream or api.upstream)
    return Baseline(api).judge(fetched)


def compare_documents(base: str, upstream: str, operations: tuple[str, ...] = ()) -> DriftReport:
    """Any two documents: ``operations`` (operationIds or ``METHOD /path``; all when none), ``base`` to ``upstream``.

    No manifest, no overlay: the verdicts are upstream's word against upstream's word.
    """
    old_fetched, new_fetched = fetch(base), fetch(upstream)
    if operations:
        wanted = operations
        found = set(all_operations(select(old_fetched.document, wanted))) | set(
            all_operations(select(new_fetched.document, wanted))
        )
        if not found:
            raise ToolchainError("--operation", f"{', '.join(operations)}: in neither document")
    else:
        wanted = (*all_operations(old_fetched.document), *all_operations(new_fetched.document))
    old, new = select(old_fetched.document, wanted), select(new_fetched.document, wanted)
    _check_refs(old, old_fetched)
    _check_refs(new, new_fetched)
    changes = compare(old, new)
    return DriftReport([ApiReport(base, new_fetched.source, changes, [], new, new_fetched)])


def _check_refs(selected: dict[str, Any], fetched: Fetched) -> None:
    missing = dangling_refs(selected, fetched.document)
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise ToolchainError(fetched.source, f"malformed document: $ref {missing[0]!r} points at nothing{more}")


def run(root: Path = ROOT, api_name: str | None = None, upstream: str | None = None) -> DriftReport:
    """Check the named API (or all); ``upstream`` overrides the manifest's URL and needs ``api_name``.

    An API that cannot be checked gets a report carrying the error, and the next is checked all the same.
    """
    manifest = load_manifest(root / "specs" / "manifest.toml", root)
    apis = manifest.select(api_name)
    if upstream is not None and len(apis) != 1:
        raise ToolchainError("--upstream", "names one document, so it needs --api NAME")
    reports = []
    for api in apis:
        try:
            reports.append(check_api(api, upstream))
        except ToolchainError as exc:
            reports.append(ApiReport(api.name, upstream or api.upstream, error=str(exc)))
    return DriftReport(reports)


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
