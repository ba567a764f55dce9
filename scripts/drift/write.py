"""``spec-drift --write``: absorb upstream's changes into the repository, all or nothing.

The vendored spec becomes the upstream *selection*, not the whole upstream
document: an aggregated document (Gcore's covers every billing endpoint) would
make the generator compile hundreds of operations nobody calls, and the
comparison is of the selection anyway.  Since the file is then no longer the
bytes upstream published, provenance says exactly what it is: a comment at the
top of the file and the manifest's ``source`` name the URL, the document's
``info.version`` and the sha256 of the bytes fetched, and which operations were
kept; the manifest's ``sha256`` is the new file's, which ``nox -s check``
verifies.  Anyone holding that upstream document can reproduce the file with
:func:`scripts.specselect.select`.  A document read from a local file
(``--upstream FILE``) is recorded as a local copy of the URL the manifest
watches: a path on one machine means nothing to anyone else, and the sha256
says which document it was.

The retrieval date is today's (UTC), or ``SPEC_DRIFT_TODAY`` (``YYYY-MM-DD``)
when set: that is how the rehearsal of the scheduled workflow lives through
"the next day" without waiting for it.  A file written again byte for byte as a
committed manifest recorded it (upstream went elsewhere and came back, or another
document was written in between) keeps the date recorded then, so a detour
leaves no trace: the date is when that content was first taken, as for a file
that never changed.

The manifest is edited as text so its comments and layout survive.  If anything
fails (the overlay no longer applies, the generator refuses the spec) every
file written gets its old bytes back, and ``generated/`` is untouched because
:func:`scripts.regenerate.regenerate` swaps it in only on success.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

from scripts.drift.check import ApiReport
from scripts.errors import ToolchainError
from scripts.fetch import URL, Fetched
from scripts.manifest import Api, load_manifest, sha256_file, update_provenance
from scripts.regenerate import Outcome, regenerate
from scripts.yamlio import dump_yaml, load_yaml_text

__all__ = ["TODAY", "published", "retrieval_date", "vendored_text", "write"]

TODAY = "SPEC_DRIFT_TODAY"
_GIT = shutil.which("git") or "git"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def retrieval_date(today: datetime.date | None = None) -> str:
    """The date ``--write`` records: ``today``, else ``$SPEC_DRIFT_TODAY``, else today's date in UTC."""
    if today is not None:
        return today.isoformat()
    override = os.environ.get(TODAY, "").strip()
    if not override:
        return datetime.datetime.now(datetime.UTC).date().isoformat()
    try:
        if not _DATE.match(override):
            raise ValueError(override)
        return datetime.date.fromisoformat(override).isoformat()
    except ValueError:
        raise ToolchainError(TODAY, f"{override!r} is not a date (YYYY-MM-DD)") from None


def write(reports: list[ApiReport], root: Path, today: datetime.date | None = None) -> Outcome:
    """Vendor each report's upstream selection, record its provenance, regenerate once; return the diff."""
    manifest = load_manifest(root / "specs" / "manifest.toml", root)
    day = retrieval_date(today)
    backups: dict[Path, bytes] = {manifest.path: manifest.path.read_bytes()}
    try:
        text = backups[manifest.path].decode("utf-8")
        for report in reports:
            (api,) = manifest.select(report.api)
            if report.fetched is None:
                raise ToolchainError(report.api, "nothing was fetched, so there is nothing to write")
            backups.setdefault(api.spec_path, api.spec_path.read_bytes())
            vendored = vendored_text(api, report.fetched, report.selected)
            if vendored.encode("utf-8") == backups[api.spec_path]:
                continue  # the same document again: its provenance (the day it was first taken) stands
            api.spec_path.write_text(vendored, encoding="utf-8")
            sha256 = sha256_file(api.spec_path)
            text = update_provenance(
                text,
                api.name,
                retrieved=_recorded(root, manifest.path, api.name, sha256) or day,
                source=_source(api, report.fetched),
                sha256=sha256,
            )
        manifest.path.write_text(text, encoding="utf-8")
        return regenerate(root)
    except BaseException:
        for path, data in backups.items():
            path.write_bytes(data)
        raise


def _recorded(root: Path, manifest: Path, api: str, sha256: str) -> str:
    """The retrieval date the manifest last recorded, in the repository's history, for ``api``'s vendored file
    with this ``sha256``: HEAD's, else that of the newest commit that added or removed the line; ``""`` if none
    (or no git repository, or no git)."""
    where = f"./{manifest.relative_to(root).as_posix()}"  # ./ : relative to root, wherever the repository starts

    def git(*args: str) -> str:
        try:
            done = subprocess.run([_GIT, *args], cwd=root, capture_output=True, text=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return done.stdout if done.returncode == 0 else ""

    revisions = ["HEAD"]
    for commit in git("log", "-n", "1", "--format=%H", f"-G{sha256}", "--", where).split():
        revisions += [commit, f"{commit}^"]
    for revision in revisions:
        try:
            entry = tomllib.loads(git("show", f"{revision}:{where}"))["apis"][api]["provenance"]
        except (tomllib.TOMLDecodeError, KeyError, TypeError):
            continue
        if entry.get("sha256") == sha256 and _DATE.match(str(entry.get("retrieved", ""))):
            return str(entry["retrieved"])
    return ""


def vendored_text(api: Api, fetched: Fetched, selected: dict[str, Any]) -> str:
    """The file ``--write`` vendors: a provenance comment, then the selection as deterministic YAML."""
    plain = json.loads(json.dumps(selected))  # plain data: shared nodes must not become YAML anchors
    body = dump_yaml(plain)
    if load_yaml_text(body, api.spec) != plain:  # pragma: no cover - a dump_yaml bug, not bad input
        raise ToolchainError(api.spec, "the selection does not survive a YAML round trip")
    header = [
        f"# Selected by `nox -s spec-drift -- --write` from {published(api, fetched)}",
        f"#   info.version {_version(fetched)}",
        f"#   sha256 of the document {fetched.sha256}",
        "# Kept: these operations and the components they reference, in the document's order:",
        *(f"#   {operation}" for operation in api.operations),
        "# Not edited by hand: run spec-drift --write again to update it.",
    ]
    return "\n".join(header) + "\n" + body


def _version(fetched: Fetched) -> str:
    info = fetched.document.get("info")
    return str(info.get("version", "unknown")) if isinstance(info, dict) else "unknown"


def published(api: Api, fetched: Fetched) -> str:
    """Where the document was published: the URL it came from, or for a local file the URL the manifest watches."""
    if URL.match(fetched.source):
        return fetched.source
    return f"a local copy ({Path(fetched.source).name}) of {api.upstream}"


def _source(api: Api, fetched: Fetched) -> str:
    return (
        f"operations {', '.join(api.operations)} and the components they use, selected from "
        f"{published(api, fetched)} (info.version {_version(fetched)}, document sha256 {fetched.sha256})"
    )
