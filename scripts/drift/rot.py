"""Overlay rot: which upstream change made an overlay action stop matching.

An overlay action whose target matches nothing in the new upstream document
(``no-match``) makes ``--write`` refuse: the strict overlay that
:mod:`scripts.regenerate` applies would fail.  A maintainer then has to edit the
overlay, and needs to know which action (file and line), what it targeted, and
what upstream did to that place.  This module answers the last part: it finds
where the action's target matched in the vendored selection and relates those
places to the changes :mod:`scripts.specdiff` reported, by their locations
(``GET /path``, ``GET /path parameter query:x``, ``schema Model.field``).  No
related change means upstream says the same thing another way (it fixed what
the action fixed, or reshaped the place without a difference a client sees).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scripts.documents import OverlayDocument
from scripts.overlay import ActionResult, compiled_query
from scripts.specdiff import Change
from scripts.specselect import METHODS

__all__ = ["Rot", "places", "rotten"]


@dataclass(frozen=True)
class Rot:
    """An overlay action that matches nothing upstream now, where it is, and the changes that explain it."""

    index: int
    place: str
    target: str
    description: str
    related: tuple[Change, ...]


def rotten(
    actions: list[ActionResult], overlay: OverlayDocument, vendored: dict[str, Any], changes: list[Change]
) -> list[Rot]:
    """The ``no-match`` actions of ``actions``, each with the changes at the places it matched in ``vendored``."""
    found = []
    for action in actions:
        if action.status != "no-match":
            continue
        needles = places(vendored, action.target)
        related = tuple(change for change in changes if any(_related(change, needle) for needle in needles))
        found.append(Rot(action.index, overlay.place(action.index), action.target, action.description, related))
    return found


def places(document: dict[str, Any], target: str) -> list[str]:
    """The change locations (as :mod:`scripts.specdiff` names them) of the nodes ``target`` selects in ``document``."""
    needles: list[str] = []
    for node in compiled_query(target).find(document):
        for needle in _needles(document, tuple(node.location)):
            if needle not in needles:
                needles.append(needle)
    return needles


def _related(change: Change, needle: str) -> bool:
    location = change.location
    if needle.startswith("parameter "):  # a shared component parameter: wherever it is used
        return location.endswith(" " + needle) or f" {needle} " in location or f" {needle}." in location
    return any(
        a == b or a.startswith(b + sep) for a, b in ((location, needle), (needle, location)) for sep in (" ", ".")
    )


def _parameter(document: dict[str, Any], node: Any) -> str | None:
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        name = node["$ref"].rsplit("/", 1)[-1]
        node = ((document.get("components") or {}).get("parameters") or {}).get(name)
    if isinstance(node, dict) and "name" in node:
        return f"parameter {node.get('in')}:{node['name']}"
    return None


def _needles(document: dict[str, Any], location: tuple[str | int, ...]) -> list[str]:
    parts = list(location)
    if parts[:1] == ["paths"] and len(parts) >= 2 and isinstance(parts[1], str):
        path = parts[1]
        item = (document.get("paths") or {}).get(path) or {}
        operations = [f"{method.upper()} {path}" for method in METHODS if isinstance(item.get(method), dict)]
        key = parts[2] if len(parts) > 2 else None
        if key in METHODS:
            operation = f"{str(key).upper()} {path}"
            rest = parts[3:]
            if rest[:1] == ["parameters"] and len(rest) >= 2 and isinstance(rest[1], int):
                parameters = item[key].get("parameters") or []
                named = _parameter(document, parameters[rest[1]]) if rest[1] < len(parameters) else None
                return [f"{operation} {named}"] if named else [operation]
            if rest[:1] == ["requestBody"]:
                return [f"{operation} request body"]
            if rest[:1] == ["responses"] and len(rest) >= 2:
                return [f"{operation} response {rest[1]}"]
            return [operation]
        if key == "parameters" and len(parts) >= 4 and isinstance(parts[3], int):
            parameters = item.get("parameters") or []
            named = _parameter(document, parameters[parts[3]]) if parts[3] < len(parameters) else None
            return [f"{operation} {named}" for operation in operations] if named else operations
        return operations
    if parts[:2] == ["components", "schemas"] and len(parts) >= 3:
        if len(parts) >= 5 and parts[3] == "properties":
            return [f"schema {parts[2]}.{parts[4]}"]
        return [f"schema {parts[2]}"]
    if parts[:2] == ["components", "parameters"] and len(parts) >= 3:
        named = _parameter(document, ((document.get("components") or {}).get("parameters") or {}).get(parts[2]))
        return [named] if named else []
    return []
