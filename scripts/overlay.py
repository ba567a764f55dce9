"""Apply an OpenAPI Overlay document to an OpenAPI document.

Semantics are those of Overlay 1.1, applied to every 1.x document (the OAI's
own compliant sets expect 1.1 behaviour from 1.0 documents):

* actions run in order, each against the result of the previous one;
* ``target`` (and ``copy``) are RFC 9535 JSONPath queries, evaluated by the
  ``jsonpath-rfc9535`` library, never by a home-grown subset;
* ``update`` merges objects recursively, appends to arrays (concatenating when
  the update is itself an array) and replaces primitives;
* ``copy`` merges the single node its query selects, as ``update`` would;
* ``remove: true`` deletes every selected node from its parent.

The specification makes a target that matches nothing a no-op.  This engine
treats it as an error unless asked to be ``lenient``: an overlay action that
silently stops applying is how patched specs rot.

Run as a script::

    python -m scripts.overlay SPEC OVERLAY [-o OUT] [--lenient]
"""

from __future__ import annotations

import argparse
import copy as _copy
import functools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import jsonpath_rfc9535 as jsonpath

from scripts.documents import OverlayDocument, load_openapi, load_overlay
from scripts.errors import ToolchainError
from scripts.yamlio import dump_yaml

__all__ = ["ActionResult", "Status", "apply_overlay", "compiled_query", "main"]

Status = Literal["applies", "no-match", "no-op"]
Location = tuple[str | int, ...]


@dataclass(frozen=True)
class ActionResult:
    """What one action did: how many nodes it selected and whether it changed any."""

    index: int
    target: str
    description: str
    matches: int
    status: Status


def apply_overlay(
    document: Any,
    overlay: OverlayDocument,
    *,
    lenient: bool = False,
    document_name: str = "the document",
) -> tuple[Any, list[ActionResult]]:
    """Return a patched deep copy of ``document`` and one result per action.

    Unless ``lenient``, an action whose target (or copy source) matches nothing
    raises :class:`ToolchainError` naming the overlay file, the action's line
    and index, and the target.  The input document is never modified.
    """
    result = _copy.deepcopy(document)
    reports: list[ActionResult] = []
    for index, action in enumerate(overlay.actions):
        place = overlay.place(index)
        target = action["target"]
        query = _compile(target, place, "target")
        nodes = query.find(result)
        status: Status
        if not nodes:
            if not lenient:
                raise ToolchainError(place, f"target {target} matches nothing in {document_name}")
            status = "no-match"
        else:
            locations = [node.location for node in nodes]
            if action.get("remove", False):
                result = _remove(result, locations, place)
                changed = True
            else:
                value = (
                    action["update"]
                    if "update" in action
                    else _copy_source(result, action["copy"], place, document_name)
                )
                result, changed = _update(result, locations, value, place)
            status = "applies" if changed else "no-op"
        reports.append(ActionResult(index, target, str(action.get("description", "")), len(nodes), status))
    return result, reports


def _compile(query: str, place: str, field: str) -> jsonpath.JSONPathQuery:
    try:
        return compiled_query(query)
    except jsonpath.JSONPathError as exc:
        raise ToolchainError(place, f"invalid JSONPath in {field} {query!r}: {exc}") from None


@functools.lru_cache(maxsize=512)
def compiled_query(query: str) -> jsonpath.JSONPathQuery:
    """A compiled query, once per query string (``spec-drift --history`` applies an overlay hundreds of times)."""
    return jsonpath.compile(query)


def _copy_source(document: Any, query: str, place: str, document_name: str) -> Any:
    nodes = _compile(query, place, "copy").find(document)
    if len(nodes) != 1:
        raise ToolchainError(
            place, f"copy source {query} must select exactly one node in {document_name}, selected {len(nodes)}"
        )
    return _copy.deepcopy(nodes[0].value)


def _merge(target: Any, value: Any, place: str) -> Any:
    """Overlay ``update`` of one node; returns the new node (``target`` may be reused)."""
    if isinstance(target, dict):
        if not isinstance(value, dict):
            raise ToolchainError(
                place, f"update must be an object where the target is an object, got {type(value).__name__}"
            )
        for key, item in value.items():
            if key in target and isinstance(target[key], dict | list) and type(target[key]) is type(item):
                target[key] = _merge(target[key], item, place)
            else:
                target[key] = _copy.deepcopy(item)
        return target
    if isinstance(target, list):
        target.extend(_copy.deepcopy(value) if isinstance(value, list) else [_copy.deepcopy(value)])
        return target
    return _copy.deepcopy(value)


def _update(document: Any, locations: list[Location], value: Any, place: str) -> tuple[Any, bool]:
    changed = False
    for location in locations:
        before = _get(document, location)
        snapshot = _copy.deepcopy(before)
        after = _merge(before, value, place)
        if location:
            _get(document, location[:-1])[location[-1]] = after
        else:
            document = after
        changed = changed or after != snapshot
    return document, changed


def _remove(document: Any, locations: list[Location], place: str) -> Any:
    if any(not location for location in locations):
        raise ToolchainError(place, "cannot remove the document root")

    # Deepest first, and later array indices before earlier ones, so that no
    # removal shifts or orphans a location still to be removed.
    def order(location: Location) -> tuple[int, tuple[tuple[int, int | str], ...]]:
        return len(location), tuple((0, part) if isinstance(part, int) else (1, part) for part in location)

    for location in sorted(set(locations), key=order, reverse=True):
        parent = _get(document, location[:-1])
        del parent[location[-1]]
    return document


def _get(document: Any, location: Location) -> Any:
    node = document
    for part in location:
        node = node[part]
    return node


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="overlay.py", description="Apply an OpenAPI Overlay document to an OpenAPI document."
    )
    parser.add_argument("spec", type=Path, help="the OpenAPI document (YAML or JSON)")
    parser.add_argument("overlay", type=Path, help="the Overlay document")
    parser.add_argument("-o", "--output", type=Path, help="write the result here instead of stdout")
    parser.add_argument(
        "--lenient",
        action="store_true",
        help="a target matching nothing is a no-op (the Overlay specification's rule) instead of an error",
    )
    args = parser.parse_args(argv)
    try:
        spec = load_openapi(args.spec)
        overlay = load_overlay(args.overlay)
        patched, reports = apply_overlay(spec, overlay, lenient=args.lenient, document_name=str(args.spec))
    except ToolchainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for report in reports:
        if report.status != "applies":
            print(
                f"warning: {overlay.place(report.index)}: target {report.target} is a {report.status}", file=sys.stderr
            )
    text = dump_yaml(patched)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
