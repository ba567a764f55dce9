"""Upstream documents for the drift tests: realistic variants of the vendored specs, served on loopback.

Vendors publish more than this client uses: Gcore's aggregated billing document
holds every billing operation and is republished almost daily with a new
``info.version``.  :func:`aggregated_gcore` rebuilds that shape around the
vendored operations so the drift check has to find them among the rest.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import yaml

from scripts.manifest import ROOT
from scripts.yamlio import load_yaml

__all__ = ["UpstreamServer", "aggregated_gcore", "gcore", "to_yaml", "versori"]

Variant = Callable[[dict[str, Any]], None]


def gcore() -> dict[str, Any]:
    """The vendored Gcore spec, parsed."""
    document: dict[str, Any] = load_yaml(ROOT / "specs" / "gcore-billing.yaml")
    return document


def versori() -> dict[str, Any]:
    """The vendored Versori spec, parsed."""
    document: dict[str, Any] = load_yaml(ROOT / "specs" / "versori-organisations.yaml")
    return document


def aggregated_gcore(revision: int = 0) -> dict[str, Any]:
    """The vendored operations inside a document of 40 other billing operations, as upstream publishes it.

    ``revision`` changes the unrelated operations and the timestamp, as a daily republication does.
    """
    document = copy.deepcopy(gcore())
    document["info"]["version"] = f"2026-11-{10 + revision:02d}T06:37:28"
    for n in range(40):
        name = f"CalcRule{n}"
        document["paths"][f"/billing/org/v1/calc-rules-{n}"] = {
            "get": {
                "operationId": f"v1_calc_rules_{n}_list",
                "description": f"Calculation rules, revision {revision}",
                "parameters": [{"in": "query", "name": f"filter_{revision}", "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                    }
                },
            }
        }
        document["components"]["schemas"][name] = {
            "type": "object",
            "properties": {"id": {"type": "integer"}, f"field_{revision}": {"type": "string"}},
        }
    return document


def to_yaml(document: dict[str, Any], *, integer_codes: bool = True) -> bytes:
    """YAML as vendors emit it: response codes as bare integers (``200:``) unless told otherwise."""
    data = copy.deepcopy(document)
    if integer_codes:
        for item in data.get("paths", {}).values():
            for operation in item.values():
                if isinstance(operation, dict) and "responses" in operation:
                    operation["responses"] = {
                        int(code) if str(code).isdigit() else code: value
                        for code, value in operation["responses"].items()
                    }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode()


class UpstreamServer:
    """Serves ``documents[path] = (status, body)`` on 127.0.0.1; anything else is a 404."""

    def __init__(self) -> None:
        self.documents: dict[str, tuple[int, bytes]] = {}
        documents = self.documents

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
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
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def serve(self, path: str, document: dict[str, Any] | bytes, status: int = 200) -> str:
        """Publish ``document`` at ``path``; return its URL."""
        self.documents[path] = (status, document if isinstance(document, bytes) else to_yaml(document))
        return self.base_url + path

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
