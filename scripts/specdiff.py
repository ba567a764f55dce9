"""What changed between two OpenAPI selections, and what it does to a client of them.

:func:`compare` walks two documents (each cut down by
:func:`scripts.specselect.select`) side by side and records every difference a
client of their operations can notice, with its location.  Documentation
(descriptions, summaries, examples, ``info``) is not a difference, and schemas
are compared after resolving ``$ref``, so renaming a component (Gcore once
renamed ``CalcRuleForOrg`` to ``CalcRule``) is not one either.

Each difference gets a first verdict for a client that sends requests and reads
responses:

* breaking: an operation, parameter, success response code, media type or
  property removed; an operation moved; a type or format changed, a request value
  narrowed (type, enum value, bound or length), a response value widened
  (``null``, a type, an enum value, an enum dropped); request input newly
  required; a defined response property no longer required; a changed request
  pattern; a request parameter's ``default`` changed (the generated client sends
  it when the caller omits the argument); security required or changed,
  serialization or servers changed;
* non-breaking: an optional parameter, property, response code, media type or
  operation added; an error response (4XX, 5XX, ``default``) no longer documented
  (the facade maps errors by status); security relaxed (the client still sends its
  key); a path parameter renamed (same URLs); a request value widened; a response
  value narrowed; a response constraint changed (the generated models do not
  check constraints; the facade checks with its own rules); an undefined name
  dropped from ``required`` (a spec bug fixed).

A top-level ``security`` absent and ``security: []`` are the same thing.
Operations are matched by operationId or, lacking one, by method and path with
path parameters normalised (``/a/{x}`` is ``/a/{id}``).

That verdict is upstream's word against upstream's word.  The client, though,
is generated from the *effective* spec, upstream patched by our overlay, which
already deviates from upstream on purpose.  :func:`judge` therefore gives each
upstream change the verdict of the change the client sees at the same place
(effective spec against the new upstream, minus the deviations that were
already there); an upstream change the client does not see (the overlay sets
that part, e.g. upstream adopting one of our fixes) breaks nothing.  That is
also the answer for an enum value added to a response: breaking where the
client's enum is closed (the generated model raises on the value, so every
response carrying it is lost), not breaking where the overlay keeps the field
an open string (the facade passes an unknown value through as a plain string),
and reported either way, because the facade's enums may want to learn it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from scripts.specselect import Operations, all_operations, component, normalise_path

__all__ = ["Change", "Direction", "compare", "judge"]

Direction = Literal["request", "response"]

_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems")
_CONSTRAINTS = ("pattern", *_LOWER_BOUNDS, *_UPPER_BOUNDS, "multipleOf")
_DOCS = {"description", "summary", "example", "examples", "title", "externalDocs", "x-spec-enum-id"}

_OPEN_ENUM = (
    "; not breaking: the overlay keeps this field an open string, so the generated model accepts any value "
    "and the facade passes it through as a plain string; teach the facade's enum the new name if it deserves one"
)
_CLOSED_ENUM = (
    "; the client's enum is closed, so the generated model raises on it and every response carrying it is a "
    "ResponseValidationError: open the enum in the overlay, as for Gcore's move_type and payment_state"
)
_ABSORBED = "; the client already works this way (the overlay sets it), so nothing breaks"


@dataclass(frozen=True)
class Change:
    """One difference: where, what kind, whether it breaks the client, and a sentence.

    ``subject`` tells apart changes of one kind at one location (which enum
    value, which required name, which keyword); ``direction`` says whether the
    location is read in a request or a response.  Neither is part of the report.
    """

    location: str
    kind: str
    breaking: bool
    message: str
    subject: str = ""
    direction: Direction | None = None

    @property
    def place(self) -> tuple[str, str, str]:
        return (self.location, self.kind, self.subject)


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every difference from ``old`` to ``new`` that a client of their operations can notice."""
    comparer = _Comparer(old, new)
    comparer.document()
    return comparer.changes


def judge(raw: list[Change], standing: list[Change], client: list[Change]) -> list[Change]:
    """Upstream's changes (``raw``), each with the verdict it has for the client.

    ``standing`` compares the client's effective spec with the old upstream (the
    overlay's deliberate deviations), ``client`` the effective spec with the new
    upstream.  What the client newly sees is ``client`` minus ``standing``.
    Only upstream's changes are reported: a difference the client sees without
    one (an overlay action that stopped matching) is the overlay health check's.
    """
    known = {(*change.place, change.message) for change in standing}
    seen: dict[tuple[str, str, str], list[Change]] = {}
    for change in client:
        if (*change.place, change.message) not in known:
            seen.setdefault(change.place, []).append(change)
    judged = []
    for change in raw:
        related = seen.get(change.place, [])
        response_enum = change.kind == "enum-value-added" and change.direction == "response"
        if related:
            breaking = any(other.breaking for other in related)
            message = change.message
            if related[0].message != change.message:
                message += f"; against the client's effective spec: {related[0].message}"
            if response_enum and breaking:
                message += _CLOSED_ENUM
        else:
            breaking = False
            message = change.message + (_OPEN_ENUM if response_enum else _ABSORBED if change.breaking else "")
        judged.append(Change(change.location, change.kind, breaking, message, change.subject, change.direction))
    return judged


class _Comparer:
    """Walks two selected documents in step, collecting :class:`Change` records."""

    def __init__(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []
        self._seen: set[tuple[str, str, Direction]] = set()

    def add(
        self,
        location: str,
        kind: str,
        breaking: bool,
        message: str,
        subject: str = "",
        direction: Direction | None = None,
    ) -> None:
        self.changes.append(Change(location, kind, breaking, message, subject, direction))

    def resolve(self, document: dict[str, Any], node: Any) -> tuple[Any, str | None]:
        """Follow ``$ref`` chains; return the node and the component it came from, if any."""
        name = None
        for _ in range(20):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                break
            named = component(node["$ref"])
            if named is None:
                break
            name = named[1]
            node = ((document.get("components") or {}).get(named[0]) or {}).get(named[1], {})
        return node, name

    # -- the document and its operations ---------------------------------------------------------------------

    def document(self) -> None:
        old_ops, new_ops = _match(all_operations(self.old), all_operations(self.new))
        for operation_id in sorted(old_ops.keys() - new_ops.keys()):
            path, method, _ = old_ops[operation_id]
            where = f"{method.upper()} {path}"
            self.add(where, "operation-removed", True, f"operation {operation_id} was removed", operation_id)
        for operation_id in sorted(new_ops.keys() - old_ops.keys()):
            path, method, _ = new_ops[operation_id]
            where = f"{method.upper()} {path}"
            self.add(where, "operation-added", False, f"operation {operation_id} was added", operation_id)
        for operation_id in sorted(old_ops.keys() & new_ops.keys()):
            self.operation(operation_id, old_ops[operation_id], new_ops[operation_id])
        self.servers("servers", self.old.get("servers"), self.new.get("servers"))
        # A top-level security absent and `security: []` both mean "no global requirement".
        self.security("security", self.old.get("security") or [], self.new.get("security") or [])
        schemes_old = (self.old.get("components") or {}).get("securitySchemes") or {}
        schemes_new = (self.new.get("components") or {}).get("securitySchemes") or {}
        for name in sorted(schemes_old.keys() | schemes_new.keys()):
            if name not in schemes_new:
                # No requirement may name a scheme that is gone, so the requirements' change says it all.
                self.add(f"securitySchemes.{name}", "security", False, f"security scheme {name} was removed", name)
            elif _strip_docs(schemes_old.get(name)) != _strip_docs(schemes_new.get(name)):
                breaking = name in schemes_old
                verb = "changed" if breaking else "was added"
                self.add(f"securitySchemes.{name}", "security", breaking, f"security scheme {name} {verb}", name)

    def operation(
        self, operation_id: str, old: tuple[str, str, dict[str, Any]], new: tuple[str, str, dict[str, Any]]
    ) -> None:
        where = f"{new[1].upper()} {new[0]}"
        if (normalise_path(old[0]), old[1]) != (normalise_path(new[0]), new[1]):
            self.add(where, "operation-moved", True, f"operation {operation_id} moved from {old[1].upper()} {old[0]}")
        renamed = _path_renames(old[0], new[0])
        old_parameters = {
            (f"path:{renamed[key[5:]]}" if key.startswith("path:") and key[5:] in renamed else key): value
            for key, value in self._parameters(self.old, old).items()
        }
        for was, now in renamed.items():
            message = (
                f"path parameter {was} was renamed {now}: the same URLs; the generated function's argument is "
                "renamed, which the facade does not notice (it passes path parameters by position)"
            )
            self.add(f"{where} parameter path:{now}", "parameter-renamed", False, message, was)
        self.parameters(where, old_parameters, self._parameters(self.new, new))
        self.request_body(where, old[2].get("requestBody"), new[2].get("requestBody"))
        self.responses(where, old[2].get("responses") or {}, new[2].get("responses") or {})
        if "security" in old[2] or "security" in new[2]:
            # An operation without its own security follows the document's.
            old_security = old[2]["security"] if "security" in old[2] else self.old.get("security")
            new_security = new[2]["security"] if "security" in new[2] else self.new.get("security")
            self.security(f"{where} security", old_security or [], new_security or [])
        old_servers = old[2].get("servers") or self.old["paths"][old[0]].get("servers")
        new_servers = new[2].get("servers") or self.new["paths"][new[0]].get("servers")
        if old_servers or new_servers:
            self.servers(f"{where} servers", old_servers, new_servers)

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
            self.default(at, key, old[key].get("schema"), new[key].get("schema"))
            for field in ("style", "explode", "allowReserved"):
                if old[key].get(field) != new[key].get(field):
                    message = f"{field} changed from {_show(old[key].get(field))} to {_show(new[key].get(field))}"
                    self.add(at, "serialization", True, message, field)
            self.schema(at, old[key].get("schema"), new[key].get("schema"), "request")

    def default(self, where: str, key: str, old: Any, new: Any) -> None:
        """A request parameter's ``default``: what the generated client sends when the caller omits it."""
        old_node, new_node = self.resolve(self.old, old)[0], self.resolve(self.new, new)[0]
        old_default = old_node.get("default") if isinstance(old_node, dict) else None
        new_default = new_node.get("default") if isinstance(new_node, dict) else None
        if old_default == new_default:
            return
        message = (
            f"default of {key} changed from {_show(old_default)} to {_show(new_default)}: the generated client "
            "sends the spec's default when the caller omits the argument, so a caller relying on it now gets "
            "different results (a caller that always passes it is unaffected)"
        )
        self.add(where, "default", True, message, "default", "request")

    def request_body(self, where: str, old: Any, new: Any) -> None:
        old_body, _ = self.resolve(self.old, old)
        new_body, _ = self.resolve(self.new, new)
        at = f"{where} request body"
        if not old_body and not new_body:
            return
        if not new_body:
            self.add(at, "request-body-removed", True, "the request body was removed")
            return
        required = bool(new_body.get("required"))
        if not old_body:
            message = f"{'a required' if required else 'an optional'} request body was added"
            self.add(at, "request-body-added", required, message)
            return
        if bool(old_body.get("required")) != required:
            self.add(at, "required", required, f"the request body is {'now' if required else 'no longer'} required")
        self.content(at, old_body.get("content") or {}, new_body.get("content") or {}, "request")

    def responses(self, where: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        for code in sorted(old.keys() - new.keys()):
            if _success(code):
                self.add(f"{where} response {code}", "response-removed", True, f"response {code} was removed")
            else:
                message = (
                    f"error response {code} is no longer documented: the generated client then leaves that "
                    "status unparsed, and the facade maps errors by status, not by their body's model"
                )
                self.add(f"{where} response {code}", "response-removed", False, message)
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
            self.add(f"{where} {media}", "media-type-added", False, f"media type {media} was added")
        for media in sorted(old.keys() & new.keys()):
            self.schema(
                f"{where} {media}", (old[media] or {}).get("schema"), (new[media] or {}).get("schema"), direction
            )

    def security(self, where: str, old: Any, new: Any) -> None:
        if _strip_docs(old) == _strip_docs(new):
            return
        message = f"security requirements changed from {old!r} to {new!r}"
        # No requirement, or an empty one ({}), lets an anonymous call through: the client's credential is
        # no longer demanded, and sending it anyway does no harm.
        relaxed = new == [] or (isinstance(new, list) and {} in new)
        if relaxed:
            message += ": a credential is no longer demanded (the client still sends one, which does no harm)"
        self.add(where, "security", not relaxed, message)

    def servers(self, where: str, old: Any, new: Any) -> None:
        was, now = _urls(old), _urls(new)
        for url in [url for url in was if url not in now]:
            message = f"server {url} is no longer listed: the API may have moved, and a default base URL with it"
            self.add(where, "server-removed", True, message, url)
        for url in [url for url in now if url not in was]:
            self.add(where, "server-added", False, f"server {url} was added", url)

    # -- schemas ---------------------------------------------------------------------------------------------

    def schema(self, where: str, old: Any, new: Any, direction: Direction) -> None:
        old_node, old_name = self.resolve(self.old, old)
        new_node, new_name = self.resolve(self.new, new)
        if old_name is not None or new_name is not None:
            # A component is compared once per direction (which also ends recursive schemas); a shared one
            # under its own name, so every operation using it does not repeat its changes.
            key = (old_name or f"#{id(old_node)}", new_name or f"#{id(new_node)}", direction)
            if key in self._seen:
                return
            self._seen.add(key)
            if old_name == new_name:
                where = f"schema {new_name}"
        if not isinstance(old_node, dict) or not isinstance(new_node, dict):
            if old_node != new_node:
                self.add(where, "schema", True, "the schema changed shape", direction=direction)
            return
        self.types(where, old_node, new_node, direction)
        if old_node.get("format") != new_node.get("format"):
            message = f"format changed from {_show(old_node.get('format'))} to {_show(new_node.get('format'))}"
            self.add(where, "format", True, message, direction=direction)
        self.enum(where, old_node.get("enum"), new_node.get("enum"), direction)
        for keyword in _CONSTRAINTS:
            self.constraint(where, keyword, old_node.get(keyword), new_node.get(keyword), direction)
        self.properties(where, old_node, new_node, direction)
        if "items" in old_node or "items" in new_node:
            self.schema(f"{where}[]", old_node.get("items"), new_node.get("items"), direction)
        additional_old, additional_new = old_node.get("additionalProperties"), new_node.get("additionalProperties")
        if isinstance(additional_old, dict) or isinstance(additional_new, dict):
            self.schema(f"{where}{{*}}", additional_old, additional_new, direction)
        elif additional_old != additional_new:
            self.add(where, "additional-properties", True, "additionalProperties changed", direction=direction)
        for keyword in ("allOf", "anyOf", "oneOf"):
            if _strip_docs(old_node.get(keyword)) != _strip_docs(new_node.get(keyword)):
                self.add(where, "composition", True, f"{keyword} changed", keyword, direction)

    def types(self, where: str, old: dict[str, Any], new: dict[str, Any], direction: Direction) -> None:
        was, now = _types(old), _types(new)
        if was == now:
            return
        if was and now and now < was:
            breaking = direction == "request"  # fewer types: a value the client sends may be refused
        elif was and now and now > was:
            breaking = direction == "response"  # more types: a value the client does not expect
        else:
            breaking = True
        message = f"type changed from {_show_types(was)} to {_show_types(now)}"
        self.add(where, "type", breaking, message, direction=direction)

    def enum(self, where: str, old: Any, new: Any, direction: Direction) -> None:
        if old == new:
            return
        request = direction == "request"
        if not isinstance(old, list) or not isinstance(new, list):
            if isinstance(new, list):
                message = "values are now restricted to an enum" + (
                    "" if request else ": a client generated with it closed raises on any value it does not list"
                )
                self.add(where, "enum", request, message, direction=direction)
            else:
                message = "the enum was removed" + ("" if request else ": the server may now send any value")
                self.add(where, "enum", not request, message, direction=direction)
            return
        for value in [v for v in old if v not in new]:
            message = f"enum value {value!r} removed" + ("" if request else " (the server no longer sends it)")
            self.add(where, "enum-value-removed", request, message, repr(value), direction)
        for value in [v for v in new if v not in old]:
            message = f"enum value {value!r} added to a {direction}"
            self.add(where, "enum-value-added", not request, message, repr(value), direction)

    def constraint(self, where: str, keyword: str, old: Any, new: Any, direction: Direction) -> None:
        if old == new:
            return
        effect = _effect(keyword, old, new)
        message = f"{keyword} changed from {_show(old)} to {_show(new)}"
        if direction == "response":
            message += " (the generated models do not check it; the facade checks responses with its own rules)"
        breaking = direction == "request" and effect != "widened"
        self.add(where, "constraint", breaking, message, keyword, direction)

    def properties(self, where: str, old: dict[str, Any], new: dict[str, Any], direction: Direction) -> None:
        old_props, new_props = old.get("properties") or {}, new.get("properties") or {}
        old_required, new_required = set(old.get("required") or []), set(new.get("required") or [])
        for name in sorted(old_props.keys() - new_props.keys()):
            self.add(f"{where}.{name}", "property-removed", True, f"property {name} was removed", name, direction)
        for name in sorted(new_props.keys() - old_props.keys()):
            required = name in new_required
            breaking = required and direction == "request"
            label = "required" if required else "optional"
            message = f"{label} property {name} was added"
            self.add(f"{where}.{name}", "property-added", breaking, message, name, direction)
        for name in sorted(old_props.keys() & new_props.keys()):
            self.schema(f"{where}.{name}", old_props[name], new_props[name], direction)
        for name in sorted((new_required - old_required) & old_props.keys()):
            message = f"{name} is now required"
            self.add(f"{where}.required", "required", direction == "request", message, name, direction)
        for name in sorted(old_required - new_required):
            defined = name in old_props
            if defined and name not in new_props:
                continue  # reported as the property's removal
            breaking = defined and direction == "response"
            detail = "" if defined else " (it was never a defined property, so requiring it was a spec bug)"
            message = f"{name} is no longer required{detail}"
            self.add(f"{where}.required", "required", breaking, message, name, direction)


def _effect(keyword: str, old: Any, new: Any) -> Literal["narrowed", "widened", "changed"]:
    """What a constraint change does to the set of valid values."""
    if old is None:
        return "narrowed"
    if new is None:
        return "widened"
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (old, new))
    if numbers and keyword in _LOWER_BOUNDS:
        return "narrowed" if new > old else "widened"
    if numbers and keyword in _UPPER_BOUNDS:
        return "narrowed" if new < old else "widened"
    return "changed"


def _success(code: str) -> bool:
    """Whether a response code is a success (1XX-3XX; ``default`` and 4XX/5XX are errors)."""
    return code[:1] in {"1", "2", "3"}


def _match(old: Operations, new: Operations) -> tuple[Operations, Operations]:
    """Key ``new``'s operations like ``old``'s where one side lacks an operationId but method and path agree."""
    unmatched_old = {(method, normalise_path(path)): key for key, (path, method, _) in old.items() if key not in new}
    renamed: Operations = {}
    for key, found in new.items():
        if key not in old:
            key = unmatched_old.get((found[1], normalise_path(found[0])), key)
        renamed[key] = found
    return old, renamed


def _path_renames(old: str, new: str) -> dict[str, str]:
    """Path parameters renamed between two templates of the same path: old name -> new name."""
    if old == new or normalise_path(old) != normalise_path(new):
        return {}
    names = re.compile(r"\{([^}/]*)\}")
    return {a: b for a, b in zip(names.findall(old), names.findall(new), strict=True) if a != b}


def _show(value: Any) -> str:
    return "unset" if value is None else repr(value)


def _types(schema: dict[str, Any]) -> frozenset[str]:
    declared = schema.get("type")
    types = set(declared) if isinstance(declared, list) else ({declared} if isinstance(declared, str) else set())
    if schema.get("nullable") is True and types:
        types.add("null")
    return frozenset(types)


def _show_types(types: frozenset[str]) -> str:
    return "/".join(sorted(types)) or "any"


def _urls(servers: Any) -> list[str]:
    if not isinstance(servers, list):
        return []
    return [str(server["url"]) for server in servers if isinstance(server, dict) and "url" in server]


def _strip_docs(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _strip_docs(value) for key, value in node.items() if key not in _DOCS}
    if isinstance(node, list):
        return [_strip_docs(value) for value in node]
    return node
