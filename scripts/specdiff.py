"""What changed between two OpenAPI documents, for a client of some of their operations.

Two steps.  :func:`select` keeps the operations a client uses and every
component they reference, transitively, and nothing else: a vendor's
aggregated document changes daily in places this client never touches.
:func:`compare` then walks both selections side by side and reports each
difference that can affect the client, with its location and whether it breaks
it.  Documentation (descriptions, summaries, examples, ``info``) is not a
change.  Schemas are compared after resolving ``$ref``, so renaming a component
(Gcore once renamed ``CalcRuleForOrg`` to ``CalcRule``) is not a change either.

Breaking, for a client that sends requests and reads responses:

* an operation, parameter, response code, media type or response property removed;
* a type or format changed; a request value narrowed (enum value or type removed);
  a response value widened to a type the client did not expect (e.g. ``null``);
* request input newly required; a response property no longer required;
* a constraint on request input changed (pattern, bounds, lengths); security changed.

Non-breaking: an optional parameter, response code, property or operation added;
a response constraint changed (the facade checks responses with its own rules);
a request value widened.  An enum value added to a *response* is reported as
non-breaking: the overlays drop closed response enums and the facade passes an
unknown value through as a plain string, so nothing crashes; it is still
reported, because the facade's enums may want to learn it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Change", "Direction", "compare", "find_operations", "select"]

Direction = Literal["request", "response"]
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_CONSTRAINTS = (
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "multipleOf",
)


@dataclass(frozen=True)
class Change:
    """One relevant difference: where, what kind, whether it breaks the client, and a sentence."""

    location: str
    kind: str
    breaking: bool
    message: str


def find_operations(document: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (path, method, operation) for every operation in ``document``."""
    found: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, dict) and isinstance(operation.get("operationId"), str):
                found[operation["operationId"]] = (path, method, operation)
    return found


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _pointer(document: dict[str, Any], ref: str) -> tuple[str, ...] | None:
    """``#/components/schemas/X`` -> ("schemas", "X"), when it points into ``components``."""
    parts = tuple(part.replace("~1", "/").replace("~0", "~") for part in ref.split("/"))
    if len(parts) != 4 or parts[:2] != ("#", "components"):
        return None
    return parts[2:]


def select(document: dict[str, Any], operation_ids: tuple[str, ...]) -> dict[str, Any]:
    """The part of ``document`` that ``operation_ids`` depend on (missing operations are simply absent)."""
    operations = find_operations(document)
    paths: dict[str, Any] = {}
    for operation_id in operation_ids:
        if operation_id not in operations:
            continue
        path, method, operation = operations[operation_id]
        item = document["paths"][path]
        kept = paths.setdefault(path, {key: value for key, value in item.items() if key not in METHODS})
        kept[method] = operation
    selected: dict[str, Any] = {"openapi": document.get("openapi"), "info": document.get("info"), "paths": paths}
    if "security" in document:
        selected["security"] = document["security"]
    components: dict[str, dict[str, Any]] = {}
    source = document.get("components") or {}
    pending = list(_refs(paths))
    requirements = [document.get("security") or []]
    requirements += [
        op.get("security") or [] for item in paths.values() for op in item.values() if isinstance(op, dict)
    ]
    pending += [f"#/components/securitySchemes/{name}" for req in requirements for entry in req for name in entry]
    while pending:
        pointer = _pointer(document, pending.pop())
        if pointer is None:
            continue
        kind, name = pointer
        if name in components.get(kind, {}) or name not in source.get(kind, {}):
            continue
        value = source[kind][name]
        components.setdefault(kind, {})[name] = value
        pending.extend(_refs(value))
    if components:
        selected["components"] = {kind: dict(sorted(items.items())) for kind, items in sorted(components.items())}
    return selected


class _Comparer:
    """Walks two selected documents in step, collecting :class:`Change` records."""

    def __init__(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []
        self._seen: set[tuple[str, str, Direction]] = set()

    def add(self, location: str, kind: str, breaking: bool, message: str) -> None:
        self.changes.append(Change(location, kind, breaking, message))

    def resolve(self, document: dict[str, Any], node: Any) -> tuple[Any, str | None]:
        """Follow ``$ref`` chains; return the node and the component it came from, if any."""
        name = None
        for _ in range(20):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                break
            pointer = _pointer(document, node["$ref"])
            if pointer is None:
                break
            name = pointer[1]
            node = (document.get("components") or {}).get(pointer[0], {}).get(pointer[1], {})
        return node, name

    # -- operations ------------------------------------------------------------------------------------------

    def operations(self) -> None:
        old_ops, new_ops = find_operations(self.old), find_operations(self.new)
        for operation_id in sorted(old_ops.keys() - new_ops.keys()):
            path, method, _ = old_ops[operation_id]
            self.add(f"{method.upper()} {path}", "operation-removed", True, f"operation {operation_id} was removed")
        for operation_id in sorted(new_ops.keys() - old_ops.keys()):
            path, method, _ = new_ops[operation_id]
            self.add(f"{method.upper()} {path}", "operation-added", False, f"operation {operation_id} was added")
        for operation_id in sorted(old_ops.keys() & new_ops.keys()):
            self.operation(operation_id, old_ops[operation_id], new_ops[operation_id])
        self.security("security", self.old.get("security"), self.new.get("security"))

    def operation(
        self, operation_id: str, old: tuple[str, str, dict[str, Any]], new: tuple[str, str, dict[str, Any]]
    ) -> None:
        where = f"{new[1].upper()} {new[0]}"
        if (old[0], old[1]) != (new[0], new[1]):
            self.add(where, "operation-moved", True, f"operation {operation_id} moved from {old[1].upper()} {old[0]}")
        self.parameters(where, self._parameters(self.old, old), self._parameters(self.new, new))
        self.request_body(where, old[2].get("requestBody"), new[2].get("requestBody"))
        self.responses(where, old[2].get("responses") or {}, new[2].get("responses") or {})
        if "security" in old[2] or "security" in new[2]:
            self.security(f"{where} security", old[2].get("security"), new[2].get("security"))

    def _parameters(self, document: dict[str, Any], found: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
        path, _, operation = found
        merged: dict[str, Any] = {}
        for raw in [*document["paths"][path].get("parameters", []), *operation.get("parameters", [])]:
            parameter, _ = self.resolve(document, raw)
            if isinstance(parameter, dict) and "name" in parameter:
                merged[f"{parameter.get('in')}:{parameter['name']}"] = parameter
        return merged

    def parameters(self, where: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        for key in sorted(old.keys() - new.keys()):
            self.add(f"{where} parameter {key}", "parameter-removed", True, f"parameter {key} was removed")
        for key in sorted(new.keys() - old.keys()):
            required = bool(new[key].get("required"))
            message = f"{'required' if required else 'optional'} parameter {key} was added"
            self.add(f"{where} parameter {key}", "parameter-added", required, message)
        for key in sorted(old.keys() & new.keys()):
            at = f"{where} parameter {key}"
            was, now = bool(old[key].get("required")), bool(new[key].get("required"))
            if was != now:
                self.add(at, "required", now, f"parameter {key} is {'now' if now else 'no longer'} required")
            for field in ("style", "explode"):
                if old[key].get(field) != new[key].get(field):
                    self.add(
                        at,
                        "serialization",
                        True,
                        f"{field} changed from {old[key].get(field)!r} to {new[key].get(field)!r}",
                    )
            self.schema(at, old[key].get("schema"), new[key].get("schema"), "request")

    def request_body(self, where: str, old: Any, new: Any) -> None:
        old_body, _ = self.resolve(self.old, old)
        new_body, _ = self.resolve(self.new, new)
        if not old_body and not new_body:
            return
        if not new_body:
            self.add(f"{where} request body", "request-body-removed", True, "the request body was removed")
            return
        if not old_body:
            required = bool(new_body.get("required"))
            self.add(f"{where} request body", "request-body-added", required, "a request body was added")
            return
        self.content(f"{where} request body", old_body.get("content") or {}, new_body.get("content") or {}, "request")

    def responses(self, where: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        for code in sorted(old.keys() - new.keys()):
            self.add(f"{where} response {code}", "response-removed", True, f"response {code} was removed")
        for code in sorted(new.keys() - old.keys()):
            self.add(f"{where} response {code}", "response-added", False, f"response {code} was added")
        for code in sorted(old.keys() & new.keys()):
            old_response, _ = self.resolve(self.old, old[code])
            new_response, _ = self.resolve(self.new, new[code])
            self.content(
                f"{where} response {code}",
                (old_response or {}).get("content") or {},
                (new_response or {}).get("content") or {},
                "response",
            )

    def content(self, where: str, old: dict[str, Any], new: dict[str, Any], direction: Direction) -> None:
        for media in sorted(old.keys() - new.keys()):
            self.add(f"{where} {media}", "media-type-removed", True, f"media type {media} was removed")
        for media in sorted(new.keys() - old.keys()):
            self.add(f"{where} {media}", "media-type-added", direction == "request", f"media type {media} was added")
        for media in sorted(old.keys() & new.keys()):
            self.schema(
                f"{where} {media}", (old[media] or {}).get("schema"), (new[media] or {}).get("schema"), direction
            )

    def security(self, where: str, old: Any, new: Any) -> None:
        if old != new:
            self.add(where, "security", True, f"security requirements changed from {old!r} to {new!r}")
        schemes_old = (self.old.get("components") or {}).get("securitySchemes") or {}
        schemes_new = (self.new.get("components") or {}).get("securitySchemes") or {}
        if where == "security":
            for name in sorted(schemes_old.keys() | schemes_new.keys()):
                if _strip_docs(schemes_old.get(name)) != _strip_docs(schemes_new.get(name)):
                    self.add(f"securitySchemes.{name}", "security", True, f"security scheme {name} changed")

    # -- schemas -------------------------------------------------------------------------------------------

    def schema(self, where: str, old: Any, new: Any, direction: Direction) -> None:
        old_node, old_name = self.resolve(self.old, old)
        new_node, new_name = self.resolve(self.new, new)
        if old_name is not None and old_name == new_name:
            # One shared component: compare it once per direction, under its own name.
            where = f"schema {new_name}"
            if (old_name, new_name, direction) in self._seen:
                return
            self._seen.add((old_name, new_name, direction))
        if not isinstance(old_node, dict) or not isinstance(new_node, dict):
            if old_node != new_node:
                self.add(where, "schema", True, "the schema changed shape")
            return
        self.types(where, old_node, new_node, direction)
        if old_node.get("format") != new_node.get("format"):
            self.add(
                where, "format", True, f"format changed from {old_node.get('format')!r} to {new_node.get('format')!r}"
            )
        self.enum(where, old_node.get("enum"), new_node.get("enum"), direction)
        for keyword in _CONSTRAINTS:
            if old_node.get(keyword) != new_node.get(keyword):
                self.add(
                    where,
                    "constraint",
                    direction == "request",
                    f"{keyword} changed from {old_node.get(keyword)!r} to {new_node.get(keyword)!r}"
                    + ("" if direction == "request" else " (responses are checked by the facade's own rules)"),
                )
        self.properties(where, old_node, new_node, direction)
        if "items" in old_node or "items" in new_node:
            self.schema(f"{where}[]", old_node.get("items"), new_node.get("items"), direction)
        additional_old, additional_new = old_node.get("additionalProperties"), new_node.get("additionalProperties")
        if isinstance(additional_old, dict) or isinstance(additional_new, dict):
            self.schema(f"{where}{{*}}", additional_old, additional_new, direction)
        elif additional_old != additional_new:
            self.add(where, "additional-properties", True, "additionalProperties changed")
        for keyword in ("allOf", "anyOf", "oneOf"):
            if _strip_docs(old_node.get(keyword)) != _strip_docs(new_node.get(keyword)):
                self.add(where, "composition", True, f"{keyword} changed")

    def types(self, where: str, old: dict[str, Any], new: dict[str, Any], direction: Direction) -> None:
        was, now = _types(old), _types(new)
        if was == now:
            return
        message = f"type changed from {_show_types(was)} to {_show_types(now)}"
        if was and now and now < was:
            breaking = direction == "request"  # fewer types: a request value may no longer be accepted
        elif was and now and now > was:
            breaking = direction == "response"  # more types: a response value the client did not expect
        else:
            breaking = True
        self.add(where, "type", breaking, message)

    def enum(self, where: str, old: Any, new: Any, direction: Direction) -> None:
        if old == new:
            return
        if old is None or new is None:
            closed = new is not None
            breaking = closed if direction == "request" else False
            self.add(where, "enum", breaking, "values are now restricted to an enum" if closed else "enum removed")
            return
        for value in [v for v in old if v not in new]:
            self.add(
                where,
                "enum-value-removed",
                direction == "request",
                f"enum value {value!r} removed"
                + ("" if direction == "request" else " (the server no longer sends it)"),
            )
        for value in [v for v in new if v not in old]:
            note = (
                ""
                if direction == "request"
                else ": the facade passes unknown values through as strings, so nothing breaks; "
                "teach the facade's enums the new value if it deserves a name"
            )
            self.add(where, "enum-value-added", False, f"enum value {value!r} added{note}")

    def properties(self, where: str, old: dict[str, Any], new: dict[str, Any], direction: Direction) -> None:
        old_props, new_props = old.get("properties") or {}, new.get("properties") or {}
        old_required, new_required = set(old.get("required") or []), set(new.get("required") or [])
        for name in sorted(old_props.keys() - new_props.keys()):
            self.add(f"{where}.{name}", "property-removed", True, f"property {name} was removed")
        for name in sorted(new_props.keys() - old_props.keys()):
            required = name in new_required
            breaking = required and direction == "request"
            label = "required" if required else "optional"
            self.add(f"{where}.{name}", "property-added", breaking, f"{label} property {name} was added")
        for name in sorted(old_props.keys() & new_props.keys()):
            self.schema(f"{where}.{name}", old_props[name], new_props[name], direction)
        for name in sorted((new_required - old_required) & old_props.keys()):
            self.add(f"{where}.required", "required", direction == "request", f"{name} is now required")
        for name in sorted(old_required - new_required):
            defined = name in old_props
            breaking = defined and direction == "response" and name in new_props
            detail = "" if defined else " (it was never a defined property, so requiring it was a spec bug)"
            self.add(f"{where}.required", "required", breaking, f"{name} is no longer required{detail}")


def _types(schema: dict[str, Any]) -> frozenset[str]:
    declared = schema.get("type")
    types = set(declared) if isinstance(declared, list) else ({declared} if isinstance(declared, str) else set())
    if schema.get("nullable") is True and types:
        types.add("null")
    return frozenset(types)


def _show_types(types: frozenset[str]) -> str:
    return "/".join(sorted(types)) or "any"


_DOCS = {"description", "summary", "example", "examples", "title", "externalDocs", "x-spec-enum-id"}


def _strip_docs(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _strip_docs(value) for key, value in node.items() if key not in _DOCS}
    if isinstance(node, list):
        return [_strip_docs(value) for value in node]
    return node


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from ``old`` to ``new`` (both already :func:`select`-ed) that can affect the client."""
    comparer = _Comparer(old, new)
    comparer.operations()
    return comparer.changes
