"""Cut the part a client uses out of a vendor's OpenAPI document.

A vendor's document changes daily in places this client never touches: Gcore
publishes one aggregated billing document for every product, Versori one
organisations document for every endpoint.  :func:`select` keeps the
operations a client uses and every component they reference, transitively
(security schemes named by a security requirement included), and nothing
else, so what is compared (and vendored by ``spec-drift --write``) is exactly
what the client is generated from.  The document's own order is kept, so a
selection of an unchanged document is the same selection.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

__all__ = [
    "METHODS",
    "Operations",
    "all_operations",
    "dangling_refs",
    "find_operations",
    "normalise_path",
    "operation_key",
    "select",
]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Top-level fields that describe the whole API rather than one operation: kept as published.
_GLOBAL = ("openapi", "info", "jsonSchemaDialect", "servers", "security", "externalDocs")

Operations = dict[str, tuple[str, str, dict[str, Any]]]


def _each_operation(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) for every operation object under ``paths``, in document order."""
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield path, method, operation


def find_operations(document: dict[str, Any]) -> Operations:
    """operationId -> (path, method, operation) for every operation in ``document`` that has one."""
    return {
        operation["operationId"]: (path, method, operation)
        for path, method, operation in _each_operation(document)
        if isinstance(operation.get("operationId"), str)
    }


def normalise_path(path: str) -> str:
    """``/books/{bookId}`` -> ``/books/{}``: path templates that match the same URLs are the same path."""
    return re.sub(r"\{[^}/]*\}", "{}", path)


def operation_key(path: str, method: str, operation: dict[str, Any]) -> str:
    """How an operation is named: its operationId, else ``METHOD /path`` with path parameters normalised."""
    operation_id = operation.get("operationId")
    return operation_id if isinstance(operation_id, str) else f"{method.upper()} {normalise_path(path)}"


def all_operations(document: dict[str, Any]) -> Operations:
    """:func:`operation_key` -> (path, method, operation) for every operation, with or without operationId."""
    return {
        operation_key(path, method, operation): (path, method, operation)
        for path, method, operation in _each_operation(document)
    }


def refs(node: Any) -> Iterator[str]:
    """Every ``$ref`` string in ``node``, depth first."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def component(ref: str) -> tuple[str, str] | None:
    """``#/components/schemas/X`` -> ("schemas", "X"); None for a ref that does not name a component."""
    parts = [part.replace("~1", "/").replace("~0", "~") for part in ref.split("/")]
    if len(parts) != 4 or parts[:2] != ["#", "components"]:
        return None
    return parts[2], parts[3]


def select(document: dict[str, Any], operation_ids: tuple[str, ...]) -> dict[str, Any]:
    """The part of ``document`` that ``operation_ids`` depend on (an operation it lacks is simply absent).

    An operation is named by its operationId or, lacking one, by ``METHOD /path``
    (path parameters' names do not matter: ``GET /a/{x}`` names ``GET /a/{id}``).

    Operations are found by operationId wherever they are; path items keep their
    shared fields (``parameters``, ``servers``); tags are kept when a selected
    operation uses them; ``webhooks`` and everything else are dropped.

    The result shares its nodes with ``document``; copy it before changing it.
    """
    wanted = {_normalise_name(name) for name in operation_ids}
    paths: dict[str, Any] = {}
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        methods = [
            m
            for m in METHODS
            if isinstance(item.get(m), dict)
            and (item[m].get("operationId") in wanted or f"{m.upper()} {normalise_path(path)}" in wanted)
        ]
        if methods:
            paths[path] = {key: value for key, value in item.items() if key not in METHODS or key in methods}
    used = _components(document, paths)
    selected: dict[str, Any] = {}
    for key, value in document.items():
        if key in _GLOBAL:
            selected[key] = value
        elif key == "paths":
            selected["paths"] = paths
        elif key == "tags":
            names = {
                tag for item in paths.values() for op in item.values() if isinstance(op, dict) for tag in _tags(op)
            }
            tags = [tag for tag in value if isinstance(tag, dict) and tag.get("name") in names]
            if tags:
                selected["tags"] = tags
        elif key == "components" and used:
            selected["components"] = {
                kind: {name: node for name, node in members.items() if name in used.get(kind, set())}
                for kind, members in value.items()
                if isinstance(members, dict) and used.get(kind)
            }
    selected.setdefault("paths", paths)
    return selected


def dangling_refs(node: Any, document: dict[str, Any]) -> list[str]:
    """Local ``$ref`` values in ``node`` that point at nothing in ``document``, once each, in order."""
    missing: list[str] = []
    for ref in refs(node):
        if ref.startswith("#") and ref not in missing and not _resolves(document, ref):
            missing.append(ref)
    return missing


def _normalise_name(name: str) -> str:
    """An operation named ``get /a/{x}`` is ``GET /a/{}``; an operationId stays as it is."""
    method, _, path = name.partition(" ")
    if method.lower() in METHODS and path.startswith("/"):
        return f"{method.upper()} {normalise_path(path)}"
    return name


def _tags(operation: dict[str, Any]) -> list[str]:
    tags = operation.get("tags")
    return [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []


def _components(document: dict[str, Any], paths: dict[str, Any]) -> dict[str, set[str]]:
    """kind -> names of the components ``paths`` reach, following references transitively."""
    source = document.get("components") or {}
    pending = list(refs(paths))
    requirements = [document.get("security") or []]
    requirements += [
        op.get("security") or [] for item in paths.values() for op in item.values() if isinstance(op, dict)
    ]
    pending += [
        f"#/components/securitySchemes/{name}"
        for requirement in requirements
        if isinstance(requirement, list)
        for entry in requirement
        if isinstance(entry, dict)
        for name in entry
    ]
    used: dict[str, set[str]] = {}
    while pending:
        named = component(pending.pop())
        if named is None:
            continue
        kind, name = named
        members = source.get(kind)
        if name in used.get(kind, set()) or not isinstance(members, dict) or name not in members:
            continue
        used.setdefault(kind, set()).add(name)
        pending.extend(refs(members[name]))
    return used


def _resolves(document: dict[str, Any], ref: str) -> bool:
    node: Any = document
    for raw in ref[1:].split("/")[1:] if ref != "#" else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True
