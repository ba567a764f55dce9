"""``spec-drift --history``: what upstream changed, revision by revision.

    python -m scripts.drift [--api NAME] --history DIR_OR_ARCHIVE [--against-vendored]
                            [--format markdown|json] [--report FILE]

The revisions are the files (``*.yaml``, ``*.yml``, ``*.json``) of a directory or
of a ``.tar.xz`` / ``.tar.gz`` / ``.tgz`` archive, in any folders, taken in the
order of their *file names* (folders do not count): name them by commit date
(``20260527T132158-5ecd634f9.yaml``) and a document that moved between folders
over time is still replayed oldest first.  Archives are read member by member in
memory (regular files only): nothing is extracted, so no member can write
anywhere.

By default the result is a changelog: each revision is compared with the one
before it (upstream's word against upstream's word, on the manifest's
operations and what they reference), and a row starts at every revision that
changed something a client notices, moved to another folder (vendors move their
documents: each move is an event of its own) or changed which overlay actions
apply; the revisions after it that changed nothing fold into its row.  So the
first row is the first revision, an operation appearing reads as *added*, and
the history reads the same whatever is vendored today.  The exit status is the
newest revision's verdict against the vendored spec (what ``spec-drift`` would
say if it were today's upstream), which the last line spells out.

``--against-vendored`` judges every revision against the vendored spec and the
overlay instead, exactly as ``spec-drift`` would judge it as today's upstream,
folding consecutive revisions with the same verdict: which published revisions
would the client as it is today accept?

The API is ``--api NAME`` or the API whose name starts the history's file name
(``gcore-billing-history.tar.xz``).  Speed: a revision whose text differs from an
earlier one only in ``info.version`` (most of Gcore's) is not parsed again, and
selections that agree are compared and patched once.  Exit status 3 if the
history cannot be read.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.documents import check_openapi, load_overlay
from scripts.drift.check import (
    EXIT_BREAKING,
    EXIT_CLEAN,
    EXIT_FAILED,
    EXIT_NON_BREAKING,
    ApiReport,
    Baseline,
    DriftReport,
)
from scripts.drift.report import cell
from scripts.errors import ToolchainError
from scripts.fetch import Fetched
from scripts.manifest import Api, load_manifest
from scripts.overlay import apply_overlay
from scripts.specdiff import Change, compare
from scripts.specselect import dangling_refs, find_operations, select
from scripts.yamlio import load_yaml_text

__all__ = [
    "Revision",
    "Step",
    "against_vendored",
    "changelog",
    "history",
    "history_main",
    "judged",
    "read_revisions",
    "render_history",
]

_SUFFIXES = (".yaml", ".yml", ".json")
_ARCHIVES = (".tar.xz", ".tar.gz", ".tgz", ".tar")
# info.version near the top of the document, flow (JSON-like) or block style.
_VERSION = re.compile(r"""(?:^|[{,\s])["']?version["']?[ \t]*:[ \t]*("[^"\n]*"|'[^'\n]*'|[^\s,}#]+)""", re.MULTILINE)


@dataclass(frozen=True)
class Revision:
    """One published revision: its name (path inside the history) and bytes."""

    name: str
    raw: bytes


@dataclass
class Step:
    """One row: a revision that changed something (or, against the vendored spec, a verdict) and its run."""

    first: str
    last: str
    first_version: str
    last_version: str
    last_sha256: str
    exit_status: int
    changes: list[dict[str, Any]]
    overlays: list[dict[str, Any]]
    error: str = ""
    count: int = 1
    signature: str = field(default="", repr=False)
    events: list[str] = field(default_factory=list)


def read_revisions(source: Path) -> list[Revision]:
    """The revisions under ``source`` (a directory or an archive), oldest first by file name."""
    found: list[Revision] = []
    if source.is_dir():
        for path in source.rglob("*"):
            if path.is_file() and path.name.endswith(_SUFFIXES):
                found.append(Revision(path.relative_to(source).as_posix(), path.read_bytes()))
    elif source.name.endswith(_ARCHIVES):
        try:
            with tarfile.open(source) as archive:
                for member in archive:
                    if member.isreg() and member.name.endswith(_SUFFIXES):
                        data = archive.extractfile(member)
                        if data is not None:
                            found.append(Revision(member.name, data.read()))
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise ToolchainError(str(source), f"cannot read the archive: {exc}") from None
    elif not source.exists():
        raise ToolchainError(str(source), "does not exist")
    else:
        raise ToolchainError(str(source), f"not a directory or a {'/'.join(_ARCHIVES)} archive")
    if not found:
        raise ToolchainError(str(source), f"holds no {'/'.join(_SUFFIXES)} files")
    return sorted(found, key=lambda revision: (revision.name.rsplit("/", 1)[-1], revision.name))


class _Parser:
    """Parses revisions, reusing an earlier parse when only ``info.version`` differs."""

    def __init__(self) -> None:
        self._seen: dict[str, dict[str, Any]] = {}

    def parse(self, revision: Revision) -> Fetched:
        try:
            text = revision.raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ToolchainError(revision.name, f"malformed document: not UTF-8 text (byte {exc.start})") from None
        version, key = self._version(text)
        cached = self._seen.get(key) if key is not None else None
        if cached is not None:
            document = {**cached, "info": {**cached["info"], "version": version}}
        else:
            document = check_openapi(load_yaml_text(text, revision.name), revision.name)
            info = document.get("info")
            if key is not None and isinstance(info, dict) and str(info.get("version")) == version:
                self._seen[key] = document
        return Fetched(revision.name, revision.raw, document)

    @staticmethod
    def _version(text: str) -> tuple[str, str | None]:
        """``info.version`` as written, and the text without it; (…, None) unless that is unambiguous."""
        info = text.find("info")
        match = _VERSION.search(text, info, info + 4000) if info >= 0 else None
        if match is None:
            return "", None
        written = match.group(1)
        version = written[1:-1] if written[:1] in {'"', "'"} else written
        if len(written) < 4 or text.count(written) != 1 or version.lower() in {"null", "true", "false", "~"}:
            return version, None
        return version, text[: match.start(1)] + text[match.end(1) :]


def judged(api: Api, revisions: list[Revision]) -> Iterator[tuple[Revision, str, ApiReport | ToolchainError]]:
    """Each revision, its sha256, and its drift report (or why it could not be judged), oldest first."""
    baseline = Baseline(api)
    parser = _Parser()
    for revision in revisions:
        sha256 = hashlib.sha256(revision.raw).hexdigest()
        try:
            yield revision, sha256, baseline.judge(parser.parse(revision))
        except ToolchainError as exc:
            yield revision, sha256, exc


def history(api: Api, revisions: list[Revision], *, vendored: bool = False) -> list[Step]:
    """The changelog of ``revisions`` for a client of ``api``, or with ``vendored`` each against the vendored spec."""
    return against_vendored(api, revisions) if vendored else changelog(api, revisions)


def changelog(api: Api, revisions: list[Revision]) -> list[Step]:
    """Each revision against the one before: a row per revision that changed something, the quiet ones folded in."""
    overlay = load_overlay(api.overlay_path, api.overlay)
    parser = _Parser()
    steps: list[Step] = []
    previous: tuple[str, dict[str, Any], dict[int, str]] | None = None  # key, selection, overlay statuses
    folder = None
    compared: dict[tuple[str, str], list[Change]] = {}
    patched: dict[str, dict[int, str]] = {}
    for revision in revisions:
        sha256 = hashlib.sha256(revision.raw).hexdigest()
        where = revision.name.rsplit("/", 1)[0] + "/" if "/" in revision.name else ""
        events: list[str] = []
        if folder is not None and where != folder:
            events.append(f"moved from `{folder}` to `{where}`")
        folder = where
        try:
            fetched = parser.parse(revision)
            selected = select(fetched.document, api.operations)
            missing = dangling_refs(selected, fetched.document)
            if missing:
                raise ToolchainError(revision.name, f"malformed document: $ref {missing[0]!r} points at nothing")
        except ToolchainError as exc:
            step = Step(revision.name, revision.name, "", "", sha256, EXIT_FAILED, [], [], error=exc.what)
            step.events = events
            steps.append(step)
            continue
        key = json.dumps({k: v for k, v in selected.items() if k != "info"}, sort_keys=True, default=repr)
        if key not in patched:
            _, actions = apply_overlay(selected, overlay, lenient=True)
            patched[key] = {action.index: action.status for action in actions}
        statuses = patched[key]
        version = _info_version(fetched.document)
        changes: list[Change] = []
        overlays: list[dict[str, Any]] = []
        if previous is None:
            present = [op for op in api.operations if op in find_operations(selected)]
            absent = [op for op in api.operations if op not in present]
            count = len(api.operations)
            events.insert(0, f"first revision: {len(present)} of the {count} operation{'s' if count != 1 else ''}")
            if absent and present:
                events[0] += f" (absent: {', '.join(absent)})"
            overlays = [
                {"index": i, "place": overlay.place(i), "from": "", "to": status}
                for i, status in statuses.items()
                if status != "applies"
            ]
        else:
            old_key, old_selected, old_statuses = previous
            if old_key != key:
                if (old_key, key) not in compared:
                    compared[old_key, key] = compare(old_selected, selected)
                changes = compared[old_key, key]
            overlays = [
                {"index": i, "place": overlay.place(i), "from": old_statuses.get(i, ""), "to": status}
                for i, status in statuses.items()
                if old_statuses.get(i) != status
            ]
        previous = (key, selected, statuses)
        quiet = not (events or changes or overlays)
        if quiet and steps and not steps[-1].error:
            last = steps[-1]
            last.last, last.last_version, last.last_sha256 = revision.name, version, sha256
            last.count += 1
            continue
        status = EXIT_BREAKING if any(c.breaking for c in changes) else EXIT_NON_BREAKING if changes else EXIT_CLEAN
        step = Step(revision.name, revision.name, version, version, sha256, status, _changes(changes), overlays)
        step.events = events
        steps.append(step)
    return steps


def _changes(changes: list[Change]) -> list[dict[str, Any]]:
    return [{"location": c.location, "kind": c.kind, "breaking": c.breaking, "message": c.message} for c in changes]


def _info_version(document: dict[str, Any]) -> str:
    info = document.get("info")
    return str(info.get("version", "unknown")) if isinstance(info, dict) else "unknown"


def against_vendored(api: Api, revisions: list[Revision]) -> list[Step]:
    """Each revision judged against the vendored spec and overlay; runs with the same verdict fold into one step."""
    steps: list[Step] = []
    for revision, sha256, outcome in judged(api, revisions):
        if isinstance(outcome, ToolchainError):
            step = Step(revision.name, revision.name, "", "", sha256, EXIT_FAILED, [], [], error=outcome.what)
            step.signature = json.dumps([EXIT_FAILED, outcome.what])
        else:
            step = _step(revision.name, outcome, sha256)
        if steps and steps[-1].signature == step.signature:
            previous = steps[-1]
            previous.last, previous.last_version, previous.last_sha256 = step.last, step.last_version, sha256
            previous.count += 1
        else:
            steps.append(step)
    return steps


def _step(name: str, report: ApiReport, sha256: str) -> Step:
    changes = _changes(report.changes)
    overlays = [
        {"index": action.index, "target": action.target, "status": action.status} for action in report.stale_overlays
    ]
    status = DriftReport([report]).exit_status
    step = Step(name, name, report.version, report.version, sha256, status, changes, overlays)
    step.signature = json.dumps([status, changes, overlays], sort_keys=True)
    return step


def render_history(
    api: str, source: str, steps: list[Step], form: str, *, vendored: bool = False, newest: ApiReport | None = None
) -> str:
    """The history as Markdown (one table row per step) or JSON; ``newest`` is the newest revision's verdict."""
    total = sum(step.count for step in steps)
    status = _exit_status(steps, newest, vendored)
    if form == "json":
        data: dict[str, Any] = {
            "api": api,
            "history": source,
            "mode": "against-vendored" if vendored else "changelog",
            "revisions": total,
            "exit_status": status,
            "timeline": [
                {
                    "first": step.first,
                    "last": step.last,
                    "revisions": step.count,
                    "first_version": step.first_version,
                    "last_version": step.last_version,
                    "last_sha256": step.last_sha256,
                    "exit_status": step.exit_status,
                    "error": step.error,
                    "events": step.events,
                    "changes": step.changes,
                    "overlays": step.overlays,
                }
                for step in steps
            ],
        }
        if newest is not None:
            data["newest_against_vendored"] = {
                "exit_status": newest.exit_status,
                "changes": _changes(newest.changes),
                "error": newest.error,
            }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if vendored:
        intro = (
            f"{total} revisions of `{source}`, oldest first, each judged against the vendored spec as if it were"
            f" today's upstream; runs with the same verdict fold into one line ({_lines(steps)})."
        )
    else:
        intro = (
            f"{total} revisions of `{source}`, oldest first, each compared with the revision before it (upstream's"
            " word on the manifest's operations and what they reference); a line starts at every revision that"
            f" changed something, moved or changed which overlay actions apply ({_lines(steps)})."
        )
    lines = [
        f"# Spec drift history: {api}",
        "",
        intro,
        "",
        "| revisions | from | to | exit | what changed for the client |",
        "| ---: | --- | --- | :---: | --- |",
    ]
    for step in steps:
        lines.append(
            f"| {step.count} | `{cell(step.first)}` | `{cell(step.last)}` | {step.exit_status} | {_summary(step)} |"
        )
    last = steps[-1]
    lines += ["", f"Newest: `{last.last}`, info.version `{last.last_version}`, sha256 `{last.last_sha256}`."]
    if newest is not None:
        if newest.error:
            verdict = f"could not judge: {newest.error}"
        elif newest.changes:
            verdict = f"{len(newest.breaking)} breaking, {len(newest.changes) - len(newest.breaking)} non-breaking: "
            verdict += "; ".join(change.message.split(";")[0] for change in newest.changes)
        else:
            verdict = "no relevant change"
        since = f" (info.version `{newest.vendored.info_version}`)" if newest.vendored else ""
        lines.append(
            f"Against the vendored spec{since}: {verdict} (exit {newest.exit_status}); `--against-vendored`"
            " judges every revision that way."
        )
    return "\n".join([*lines, ""])


def _lines(steps: list[Step]) -> str:
    return f"{len(steps)} line{'s' if len(steps) != 1 else ''}"


def _exit_status(steps: list[Step], newest: ApiReport | None, vendored: bool) -> int:
    if vendored or newest is None:
        return steps[-1].exit_status if steps else EXIT_FAILED
    return newest.exit_status


def _summary(step: Step) -> str:
    parts = [*step.events]
    if step.error:
        return "; ".join([*parts, f"could not judge: {cell(step.error)}"])
    breaking = [c for c in step.changes if c["breaking"]]
    other = [c for c in step.changes if not c["breaking"]]
    if breaking:
        parts.append(f"**{len(breaking)} breaking**: " + "; ".join(cell(c["message"].split(";")[0]) for c in breaking))
    if other:
        parts.append(f"{len(other)} non-breaking: " + "; ".join(cell(c["message"].split(";")[0]) for c in other))
    if step.overlays and "from" in step.overlays[0]:
        moves: dict[tuple[str, str], int] = {}
        for entry in step.overlays:
            moves[entry["from"], entry["to"]] = moves.get((entry["from"], entry["to"]), 0) + 1
        parts.append(
            "overlay: "
            + ", ".join(
                f"{count} action(s) {f'{was} → ' if was else ''}{now}" for (was, now), count in sorted(moves.items())
            )
        )
    elif step.overlays:
        statuses = sorted({o["status"] for o in step.overlays})
        parts.append(
            "overlay: "
            + ", ".join(
                f"{sum(o['status'] == status for o in step.overlays)} action(s) {status}" for status in statuses
            )
        )
    return "; ".join(cell(part) if part in step.events else part for part in parts) or "no relevant change"


def history_main(
    root: Path, api_name: str | None, source: Path, form: str, report: Path | None, *, vendored: bool = False
) -> int:
    """``drift.py --history``: print the changelog (or every revision against the vendored spec); exit status."""
    try:
        manifest = load_manifest(root / "specs" / "manifest.toml", root)
        if api_name is None:
            named = [api for api in manifest.apis if source.name.startswith(api.name)]
            if len(named) != 1:
                raise ToolchainError(str(source), "name the API with --api (the file name does not start with one)")
            api = named[0]
        else:
            (api,) = manifest.select(api_name)
        revisions = read_revisions(source)
        steps = history(api, revisions, vendored=vendored)
        newest = None
        if not vendored:
            ((_, _, outcome),) = judged(api, revisions[-1:])
            newest = (
                outcome
                if isinstance(outcome, ApiReport)
                else ApiReport(api.name, revisions[-1].name, error=str(outcome))
            )
    except ToolchainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    rendered = render_history(api.name, source.name, steps, form, vendored=vendored, newest=newest)
    print(rendered, end="")
    if report is not None:
        try:
            report.write_text(rendered, encoding="utf-8")
        except OSError as exc:
            print(f"error: {report}: cannot write the report: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_FAILED
    return _exit_status(steps, newest, vendored)
