"""Upstream documents for the drift tests, derived from the vendored specs, and a loopback server for them.

Vendors publish more than this client uses.  Gcore's billing document is one
aggregated file for every billing endpoint, republished almost daily with a new
``info.version`` timestamp; Versori's organisations document covers every
organisation endpoint, some sharing components with ``GetInvoices``.  The
builders below wrap the vendored operations in documents of that shape, so the
drift check has to find its operations among the rest, and each test changes
one thing in a fresh copy.
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import yaml

from scripts.manifest import ROOT
from scripts.yamlio import load_yaml

__all__ = [
    "ERP",
    "INVOICES",
    "RESIDUAL",
    "UpstreamServer",
    "aggregated_gcore",
    "aggregated_versori",
    "gcore",
    "parameter",
    "schema",
    "to_json",
    "to_yaml",
    "unused",
    "versori",
]

ERP = "/billing/org/v1/erp-invoices"
INVOICES = "/organisations/{organisation_id}/billing/invoices"

_GCORE: dict[str, Any] = load_yaml(ROOT / "specs" / "gcore-billing.yaml")
_VERSORI: dict[str, Any] = load_yaml(ROOT / "specs" / "versori-organisations.yaml")

# The other resources of Gcore's billing document, as its top-level tags list them.
_GCORE_RESOURCES = {
    "addendums": "Addendum",
    "calc_rules": "CalcRule",
    "currencies": "Currency",
    "expenses": "Expense",
    "plans": "Plan",
    "products": "Product",
    "reports": "Report",
    "trials": "Trial",
}


def gcore() -> dict[str, Any]:
    """A fresh copy of the vendored Gcore spec."""
    return copy.deepcopy(_GCORE)


def versori() -> dict[str, Any]:
    """A fresh copy of the vendored Versori spec."""
    return copy.deepcopy(_VERSORI)


def schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    """``components.schemas[name]`` of ``document``, to change in place."""
    found: dict[str, Any] = document["components"]["schemas"][name]
    return found


def parameter(document: dict[str, Any], name: str, path: str = ERP) -> dict[str, Any]:
    """The inline parameter ``name`` of ``GET path``, to change in place."""
    found: list[dict[str, Any]] = [p for p in document["paths"][path]["get"]["parameters"] if p.get("name") == name]
    assert len(found) == 1, f"{len(found)} parameters named {name}"
    return found[0]


def unused(taken: Iterable[str], wanted: str) -> str:
    """``wanted``, or ``wanted_2``, ``wanted_3``…: a name ``taken`` does not hold.

    A test that adds a parameter, a property or an enum value to the vendored spec takes its name from here: the
    day upstream adds that very name and the drift bot's pull request vendors it, the test still adds something
    new (``tests/rehearsal/test_merge_rehearsal.py`` vendors such names on purpose).
    """
    names = set(taken)
    return next(
        name for name in itertools.chain([wanted], (f"{wanted}_{n}" for n in itertools.count(2))) if name not in names
    )


RESIDUAL = unused(_GCORE["components"]["schemas"]["ErpInvoiceExternal"]["properties"], "amount_residual")
"""An invoice property the vendored Gcore spec does not have: what the tests' upstreams add."""


def aggregated_gcore(revision: int = 0) -> dict[str, Any]:
    """The vendored operations inside Gcore's aggregated billing document: 32 more operations, 24 more schemas.

    ``revision`` changes what a daily republication changes: the timestamp, and
    operations and schemas this client does not use.  An OAuth scheme that only
    the other operations name must not be selected either.
    """
    document = gcore()
    document["info"]["version"] = f"2026-11-{10 + revision:02d}T06:37:28.230198+00:00"
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for resource, model in _GCORE_RESOURCES.items():
        base = f"/billing/org/v1/{resource.replace('_', '-')}"
        schemas[model] = {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string", "description": f"Revision {revision}"},
                f"field_{revision}": {"type": "string"},
                "currency": {"type": "string"},
            },
        }
        schemas[f"Paginated{model}List"] = {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {"type": "integer"},
                "results": {"type": "array", "items": {"$ref": f"#/components/schemas/{model}"}},
            },
        }
        schemas[f"{model}Request"] = {"type": "object", "properties": {"name": {"type": "string"}}}
        ok = {
            "description": "ok",
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}},
        }
        paths[base] = {
            "get": {
                "tags": [resource],
                "operationId": f"v1_{resource}_list",
                "description": "Mixin for viewsets that provides a queryset based on a model class.",
                "parameters": [{"in": "query", "name": f"filter_{revision}", "schema": {"type": "string"}}],
                "responses": {
                    200: {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": f"#/components/schemas/Paginated{model}List"}}
                        },
                    }
                },
            },
            "post": {
                "tags": [resource],
                "operationId": f"v1_{resource}_create",
                "security": [{"OAuth2": ["billing"]}],
                "requestBody": {
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}Request"}}}
                },
                "responses": {201: ok},
            },
        }
        paths[base + "/{id}"] = {
            "parameters": [{"in": "path", "name": "id", "required": True, "schema": {"type": "integer"}}],
            "get": {"tags": [resource], "operationId": f"v1_{resource}_retrieve", "responses": {200: ok}},
            "delete": {
                "tags": [resource],
                "operationId": f"v1_{resource}_destroy",
                "responses": {204: {"description": "gone"}},
            },
        }
    # Upstream sorts paths alphabetically: the ERP invoice paths sit among the others.
    document["paths"] = dict(sorted({**document["paths"], **paths}.items()))
    document["components"]["schemas"] = dict(sorted({**document["components"]["schemas"], **schemas}.items()))
    document["components"]["securitySchemes"]["OAuth2"] = {
        "type": "oauth2",
        "flows": {"clientCredentials": {"tokenUrl": f"https://api.gcore.com/oauth/{revision}", "scopes": {}}},
    }
    return document


def aggregated_versori() -> dict[str, Any]:
    """``GetInvoices`` inside Versori's organisations document, whose other operations share ``Error`` and
    the ``organisation_id`` parameter with it and have components of their own."""
    document = versori()
    error = {
        "description": "Error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    org = {"$ref": "#/components/parameters/organisation_id"}

    def returns(name: str, *, array: bool = False) -> dict[str, Any]:
        ref: dict[str, Any] = {"$ref": f"#/components/schemas/{name}"}
        body = {"type": "array", "items": ref} if array else ref
        return {"200": {"description": "OK", "content": {"application/json": {"schema": body}}}, "default": error}

    document["paths"] = {
        "/organisations": {
            "get": {
                "tags": ["organisations"],
                "operationId": "ListOrganisations",
                "responses": returns("Organisation", array=True),
            },
            "post": {
                "tags": ["organisations"],
                "operationId": "CreateOrganisation",
                "security": [{"cookieAuth": []}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrganisationCreate"}}},
                },
                "responses": returns("Organisation"),
            },
        },
        "/organisations/{organisation_id}": {
            "parameters": [org],
            "get": {"tags": ["organisations"], "operationId": "GetOrganisation", "responses": returns("Organisation")},
        },
        **document["paths"],
        "/organisations/{organisation_id}/signing-keys": {
            "parameters": [org],
            "get": {
                "tags": ["signing-keys"],
                "operationId": "ListSigningKeys",
                "responses": returns("SigningKey", array=True),
            },
        },
    }
    document["components"]["schemas"].update(
        {
            "Organisation": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "owner": {"type": "string"}},
            },
            "OrganisationCreate": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
            "SigningKey": {"type": "object", "properties": {"id": {"type": "string"}, "jwk": {"type": "object"}}},
        }
    )
    document["components"]["securitySchemes"] = {"cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session"}}
    return document


def to_yaml(document: dict[str, Any], *, integer_codes: bool = True) -> bytes:
    """YAML as vendors emit it: response codes as bare integers (``200:``) unless told otherwise."""
    data = copy.deepcopy(document)
    for item in data.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"] = {
                    (int(code) if integer_codes and str(code).isdigit() else str(code)): value
                    for code, value in operation["responses"].items()
                }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode()


def to_json(document: dict[str, Any]) -> bytes:
    """The document as JSON, as some vendors serve it."""
    return json.dumps(document, indent=1).encode()


class UpstreamServer:
    """Serves ``documents[path] = (status, body)`` on 127.0.0.1 (a free port); anything else is a 404."""

    def __init__(self) -> None:
        self.documents: dict[str, tuple[int, bytes]] = {}
        self.requests: list[str] = []
        documents, requests = self.documents, self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                requests.append(self.path)
                status, body = documents.get(self.path, (404, b"not found"))
                self.send_response(status)
                self.send_header("Content-Type", "application/yaml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def serve(self, path: str, document: dict[str, Any] | bytes, status: int = 200) -> str:
        """Publish ``document`` (YAML with integer response codes unless given as bytes) at ``path``; its URL."""
        self.documents[path] = (status, document if isinstance(document, bytes) else to_yaml(document))
        return self.base_url + path

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
