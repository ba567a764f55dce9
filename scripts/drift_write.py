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
:func:`scripts.specselect.select`.

The manifest is edited as text so its comments and layout survive.  If anything
fails (the overlay no longer applies, the generator refuses the spec) every
file written gets its old bytes back, and ``generated/`` is untouched because
:func:`scripts.regenerate.regenerate` swaps it in only on success.
"""

from __future__ import annotations

import datetime
import json
import re
import tomllib
from pathlib import Path
from typing import Any

from scripts.drift_check import ApiReport
from scripts.errors import ToolchainError
from scripts.fetch import Fetched
from scripts.manifest import Api, load_manifest, sha256_file
from scripts.regenerate import Outcome, regenerate
from scripts.yamlio import dump_yaml, load_yaml_text

__all__ = ["update_provenance", "vendored_text", "write"]


def write(reports: list[ApiReport], root: Path, today: datetime.date | None = None) -> Outcome:
    """Vendor each report's upstream selection, record its provenance, regenerate once; return the diff."""
    manifest = load_manifest(root / "specs" / "manifest.toml", root)
    day = (today or datetime.datetime.now(datetime.UTC).date()).isoformat()
    backups: dict[Path, bytes] = {manifest.path: manifest.path.read_bytes()}
    try:
        text = backups[manifest.path].decode("utf-8")
        for report in reports:
            (api,) = manifest.select(report.api)
            if report.fetched is None:
                raise ToolchainError(report.api, "nothing was fetched, so there is nothing to write")
            backups.setdefault(api.spec_path, api.spec_path.read_bytes())
            api.spec_path.write_text(vendored_text(api, report.fetched, report.selected), encoding="utf-8")
            text = update_provenance(
                text,
                api.name,
                retrieved=day,
                source=_source(api, report.fetched),
                sha256=sha256_file(api.spec_path),
            )
        manifest.path.write_text(text, encoding="utf-8")
        return regenerate(root)
    except BaseException:
        for path, data in backups.items():
            path.write_bytes(data)
        raise


def vendored_text(api: Api, fetched: Fetched, selected: dict[str, Any]) -> str:
    """The file ``--write`` vendors: a provenance comment, then the selection as deterministic YAML."""
    plain = json.loads(json.dumps(selected))  # plain data: shared nodes must not become YAML anchors
    body = dump_yaml(plain)
    if load_yaml_text(body, api.spec) != plain:  # pragma: no cover - a dump_yaml bug, not bad input
        raise ToolchainError(api.spec, "the selection does not survive a YAML round trip")
    header = [
        f"# Selected by `nox -s spec-drift -- --write` from {fetched.source}",
        f"#   info.version {_version(fetched)}",
        f"#   sha256 of the document {fetched.sha256}",
        "# Kept: these operations and the components they reference, in the document's order:",
        *(f"#   {operation}" for operation in api.operations),
        "# Not edited by hand: run spec-drift --write again to update it.",
    ]
    return "\n".join(header) + "\n" + body


def update_provenance(text: str, api: str, **values: str) -> str:
    """Set keys of ``[apis.<api>.provenance]`` in the manifest's text, keeping every other line as it was."""
    header = re.search(rf"^\[apis\.{re.escape(api)}\.provenance\][ \t]*(#.*)?$", text, re.MULTILINE)
    if header is None:
        raise ToolchainError("specs/manifest.toml", f"no [apis.{api}.provenance] table to update")
    following = re.search(r"^[ \t]*\[", text[header.end() :], re.MULTILINE)
    end = header.end() + following.start() if following else len(text)
    section = text[header.end() : end]
    for key, value in values.items():
        line = f"{key} = {json.dumps(value, ensure_ascii=False)}"  # a JSON string is a valid TOML basic string
        pattern = rf"^{re.escape(key)}[ \t]*=.*$"
        section, found = re.subn(pattern, line.replace("\\", "\\\\"), section, count=1, flags=re.MULTILINE)
        if not found:
            section = section.rstrip("\n") + f"\n{line}\n" + ("\n" if following else "")
    updated = text[: header.end()] + section + text[end:]
    try:
        recorded = tomllib.loads(updated)["apis"][api]["provenance"]
    except (tomllib.TOMLDecodeError, KeyError, TypeError):
        recorded = {}
    if any(recorded.get(key) != value for key, value in values.items()):  # e.g. a value written over lines
        raise ToolchainError("specs/manifest.toml", f"[apis.{api}.provenance]: cannot be updated as text")
    return updated


def _version(fetched: Fetched) -> str:
    info = fetched.document.get("info")
    return str(info.get("version", "unknown")) if isinstance(info, dict) else "unknown"


def _source(api: Api, fetched: Fetched) -> str:
    return (
        f"operations {', '.join(api.operations)} and the components they use, selected from {fetched.source} "
        f"(info.version {_version(fetched)}, document sha256 {fetched.sha256})"
    )
