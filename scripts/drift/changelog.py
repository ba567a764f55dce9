"""The drift bot's changelog entry and version bump: what an absorbed upstream change means for users.

The job (:mod:`scripts.drift.ci`) calls :func:`write_fragment` before each commit on a drift branch: one
fragment, ``changelog.d/drift-<api>-<sha>.<type>.md``, written from the drift report in users' words ("Gcore's
invoice list accepts `order_by`."), typed ``breaking`` for a breaking change (the release after it is a minor
one, before 1.0), ``added`` when upstream only added things, else ``changed``.  The name carries the upstream
document's sha256, so each revision has its own file (concurrent pull requests never collide) and the branch's
older fragment for the same API is replaced.  :func:`release_note` is the pull request's "Changelog and version"
section: the entry, the file, and the version the next release gets if it is merged
(:mod:`scripts.release.changelog` holds the policy).

Standard library only, like the rest of the job.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from scripts.release.changelog import FRAGMENTS, bump_kind, fragments, next_release, read_version

if TYPE_CHECKING:
    from scripts.drift.body import ApiDrift

__all__ = ["entry", "fragment_name", "fragment_type", "release_note", "write_fragment"]

ROOT = Path(__file__).resolve().parents[2]
VENDORS = {"gcore-billing": "Gcore", "versori-organisations": "Versori"}
"""The name users know each API by."""
OPERATIONS = {
    "GET /billing/org/v1/erp-invoices": "invoice list",
    "GET /billing/org/v1/erp-invoices/{}": "invoice lookup",
    "GET /billing/org/v1/erp-invoices/{}/download": "invoice PDF download",
    "GET /organisations/{}/billing/invoices": "invoice list",
}
"""The manifest's operations (``METHOD /path``, path parameters as ``{}``) as users meet them in the facade."""
_OPERATION = re.compile(r"^(?P<method>[A-Z]+) (?P<path>/\S*)(?: (?P<rest>.*))?$")


def _vendor(api: str) -> str:
    return VENDORS.get(api, api)


def _operation(method: str, path: str) -> str:
    key = f"{method} {re.sub(r'{[^}]*}', '{}', path)}"
    return OPERATIONS.get(key, f"`{method} {path}`")


def _sentence(api: str, change: dict[str, object]) -> str:
    """One change in users' words."""
    vendor = _vendor(api)
    kind, location, message = str(change.get("kind", "")), str(change.get("location", "")), str(change.get("message"))
    operation = _OPERATION.match(location)
    if operation is not None:
        where = f"{vendor}'s {_operation(operation['method'], operation['path'])}"
        parameter = re.search(r"parameter \w+:(\S+)", operation["rest"] or "")
        if kind == "parameter-added" and parameter:
            verb = "requires" if message.startswith("required") else "accepts"
            return f"{where} {verb} `{parameter[1]}`."
        if kind == "parameter-removed" and parameter:
            return f"{where} no longer accepts `{parameter[1]}`."
        if kind == "parameter-renamed" and parameter:
            return f"{where} names its path parameter `{parameter[1]}` (no change for callers)."
        if kind == "operation-removed":
            return f"{vendor} no longer offers the {_operation(operation['method'], operation['path'])}."
        if kind == "operation-added":
            return f"{vendor} offers the {_operation(operation['method'], operation['path'])}."
        return f"{where}: {message}."
    schema = re.match(r"^schema (?P<name>[\w.-]+?)(?:\.(?P<field>[^\s]+))?$", location)
    field = re.search(r"property (\S+) was (added|removed)", message)
    if schema is not None and field is not None and kind in {"property-added", "property-removed"}:
        model = f"{vendor}'s `{schema['name']}`"
        if kind == "property-added":
            return f"{model} has a new field `{field[1]}`."
        return f"{model} no longer has the field `{field[1]}`."
    return f"{vendor}: {message} (`{location}`)."


def entry(drift: ApiDrift) -> str:
    """The changelog entry for ``drift``'s changes, breaking ones first, in users' words."""
    changes = sorted(drift.changes, key=lambda change: not change.get("breaking"))
    sentences = list(dict.fromkeys(_sentence(drift.api, change) for change in changes))
    if not sentences:
        sentences = [f"{_vendor(drift.api)}'s API as published on {drift.info_version} (nothing the clients use)."]
    return " ".join(sentences)


def fragment_type(drift: ApiDrift) -> str:
    if drift.breaking:
        return "breaking"
    if drift.changes and all(str(change.get("kind", "")).endswith("-added") for change in drift.changes):
        return "added"
    return "changed"


def fragment_name(drift: ApiDrift) -> str:
    return f"drift-{drift.api}-{(drift.sha256 or 'unknown')[:12]}.{fragment_type(drift)}.md"


def write_fragment(drift: ApiDrift, directory: Path = FRAGMENTS) -> Path:
    """Write ``drift``'s fragment into ``directory``, replacing this API's older drift fragments there."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / fragment_name(drift)
    for older in directory.glob(f"drift-{drift.api}-*.md"):
        if older != path:
            older.unlink()
    path.write_text(entry(drift) + "\n", encoding="utf-8")
    return path


def release_note(drift: ApiDrift, root: Path = ROOT) -> list[str]:
    """The pull request's "Changelog and version" section, from the checkout at ``root`` (the branch's tip)."""
    directory = root / FRAGMENTS.relative_to(ROOT)
    name = fragment_name(drift)
    try:
        current = read_version(root / "src" / "invoice_clients" / "_version.py")
        changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
        pending = fragments(directory)
    except (OSError, ValueError) as exc:
        return ["## Changelog and version", "", f"Could not read the changelog: {exc}"]
    planned = next_release(current, changelog, pending)
    kind = bump_kind(drift.breaking, current)
    why = (
        f"a breaking upstream change: a **{kind}** release (before 1.0, a breaking change bumps the minor version)"
        if drift.breaking
        else f"not breaking: a **{kind}** release"
    )
    after = f"merged, the next release is **{planned.version}** ({planned.reason})" if planned else "merged"
    return [
        "## Changelog and version",
        "",
        f"`changelog.d/{name}`, for the release notes (edit it on this branch if the facade now does more):",
        "",
        f"> {entry(drift)}",
        "",
        f"This is {why}; {after}. The version policy: docs/maintainers/releasing.md.",
    ]
