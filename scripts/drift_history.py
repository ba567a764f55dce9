"""``spec-drift --history``: replay every published revision of an upstream document.

    python -m scripts.drift [--api NAME] --history DIR_OR_ARCHIVE [--format markdown|json] [--report FILE]

The revisions are the files (``*.yaml``, ``*.yml``, ``*.json``) of a directory or
of a ``.tar.xz`` / ``.tar.gz`` / ``.tgz`` archive, in any folders, taken in the
order of their *file names* (folders do not count): name them by commit date
(``20260527T132158-5ecd634f9.yaml``) and a document that moved between folders
over time is still replayed oldest first.  Archives are read member by member in
memory (regular files only): nothing is extracted, so no member can write
anywhere.

Each revision is judged exactly as ``spec-drift`` would judge it as today's
upstream (against the vendored spec and the overlay), and the timeline lists
what changed *for the client*: consecutive revisions with the same verdict,
changes and overlay health fold into one line, so hundreds of daily
republications read as a handful of lines.  The API is ``--api NAME`` or the API
whose name starts the history's file name (``gcore-billing-history.tar.xz``).

Speed: the vendored side is read and patched once (:class:`Baseline`), and a
revision whose text differs from an earlier one only in ``info.version`` (most
of Gcore's) is not parsed again.  Exit status: the newest revision's; 3 if the
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

from scripts.documents import check_openapi
from scripts.drift_check import EXIT_FAILED, ApiReport, Baseline, DriftReport
from scripts.drift_report import _cell
from scripts.errors import ToolchainError
from scripts.fetch import Fetched
from scripts.manifest import Api, load_manifest
from scripts.yamlio import load_yaml_text

__all__ = ["Revision", "Step", "history", "history_main", "judged", "read_revisions", "render_history"]

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
    """A run of consecutive revisions that mean the same for the client."""

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


def history(api: Api, revisions: list[Revision]) -> list[Step]:
    """The timeline of ``revisions`` for a client of ``api``: runs of the same meaning folded into one step."""
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
    changes = [
        {"location": c.location, "kind": c.kind, "breaking": c.breaking, "message": c.message} for c in report.changes
    ]
    overlays = [
        {"index": action.index, "target": action.target, "status": action.status} for action in report.stale_overlays
    ]
    status = DriftReport([report]).exit_status
    step = Step(name, name, report.version, report.version, sha256, status, changes, overlays)
    step.signature = json.dumps([status, changes, overlays], sort_keys=True)
    return step


def render_history(api: str, source: str, steps: list[Step], form: str) -> str:
    """The timeline as Markdown (one table row per step) or JSON."""
    total = sum(step.count for step in steps)
    if form == "json":
        data = {
            "api": api,
            "history": source,
            "revisions": total,
            "exit_status": steps[-1].exit_status if steps else EXIT_FAILED,
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
                    "changes": step.changes,
                    "overlays": step.overlays,
                }
                for step in steps
            ],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    lines = [
        f"# Spec drift history: {api}",
        "",
        f"{total} revisions of `{source}`, oldest first, each judged as if it were today's upstream;"
        f" runs that mean the same for the client fold into one line ({len(steps)} lines).",
        "",
        "| revisions | from | to | exit | what changed for the client |",
        "| ---: | --- | --- | :---: | --- |",
    ]
    for step in steps:
        lines.append(
            f"| {step.count} | `{_cell(step.first)}` | `{_cell(step.last)}` | {step.exit_status} | {_summary(step)} |"
        )
    newest = steps[-1]
    lines += ["", f"Newest: `{newest.last}`, info.version `{newest.last_version}`, sha256 `{newest.last_sha256}`.", ""]
    return "\n".join(lines)


def _summary(step: Step) -> str:
    if step.error:
        return f"could not judge: {_cell(step.error)}"
    parts = []
    breaking = [c for c in step.changes if c["breaking"]]
    other = [c for c in step.changes if not c["breaking"]]
    if breaking:
        parts.append(f"**{len(breaking)} breaking**: " + "; ".join(_cell(c["message"].split(";")[0]) for c in breaking))
    if other:
        parts.append(f"{len(other)} non-breaking: " + "; ".join(_cell(c["message"].split(";")[0]) for c in other))
    if step.overlays:
        statuses = sorted({o["status"] for o in step.overlays})
        parts.append(
            "overlay: "
            + ", ".join(
                f"{sum(o['status'] == status for o in step.overlays)} action(s) {status}" for status in statuses
            )
        )
    return "; ".join(parts) or "no relevant change"


def history_main(root: Path, api_name: str | None, source: Path, form: str, report: Path | None) -> int:
    """``drift.py --history``: print the timeline; the newest revision's exit status, or 3."""
    try:
        manifest = load_manifest(root / "specs" / "manifest.toml", root)
        if api_name is None:
            named = [api for api in manifest.apis if source.name.startswith(api.name)]
            if len(named) != 1:
                raise ToolchainError(str(source), "name the API with --api (the file name does not start with one)")
            api = named[0]
        else:
            (api,) = manifest.select(api_name)
        steps = history(api, read_revisions(source))
    except ToolchainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    rendered = render_history(api.name, source.name, steps, form)
    print(rendered, end="")
    if report is not None:
        try:
            report.write_text(rendered, encoding="utf-8")
        except OSError as exc:
            print(f"error: {report}: cannot write the report: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_FAILED
    return steps[-1].exit_status
