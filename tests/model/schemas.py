"""JSON Schemas of response bodies, taken from the committed effective specs.

The effective spec (``generated/<api>.effective.yaml``) is exactly what the
generator compiled, so bodies drawn from it are the bodies the generated code
and the facade must accept.  OpenAPI-only keywords are dropped and ``$ref``s
inlined, leaving plain JSON Schema for hypothesis-jsonschema.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from scripts.manifest import ROOT
from scripts.yamlio import load_yaml

__all__ = ["body_strategy", "response_schema"]

_OPENAPI_ONLY = {"readOnly", "writeOnly", "example", "examples", "xml", "discriminator", "externalDocs", "deprecated"}


def _inline(node: Any, components: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return _inline(components[name], components)
        return {
            key: _inline(value, components)
            if key != "properties"
            else {k: _inline(v, components) for k, v in value.items()}
            for key, value in node.items()
            if key not in _OPENAPI_ONLY and not key.startswith("x-")
        }
    if isinstance(node, list):
        return [_inline(item, components) for item in node]
    return node


def response_schema(api: str, path: str, status: str = "200") -> dict[str, Any]:
    """The JSON Schema of ``GET path``'s ``status`` response body in ``api``'s effective spec."""
    spec = load_yaml(ROOT / "generated" / f"{api}.effective.yaml")
    content = spec["paths"][path]["get"]["responses"][status]["content"]
    (media,) = content.values()
    schema: dict[str, Any] = _inline(media["schema"], spec["components"]["schemas"])
    return schema


# Only the non-standard formats need strategies; hypothesis-jsonschema knows date, date-time and uri.
_FORMATS: dict[str, st.SearchStrategy[str]] = {
    "decimal": st.from_regex(r"\A-?[0-9]{1,15}\.[0-9]{12}\Z"),
    "binary": st.binary().map(bytes.hex),
}


def body_strategy(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Bodies valid against ``schema``, with our custom formats."""
    return from_schema(schema, custom_formats=_FORMATS)
