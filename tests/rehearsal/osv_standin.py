"""A stand-in for OSV's query API on loopback: the advisories a test gives it, answered as OSV answers pip-audit.

``POST /v1/query`` with ``{"package": {"name", "ecosystem": "PyPI"}, "version"}`` gets ``{"vulns": [...]}``
naming each advisory whose affected range (introduced at 0, fixed at its version) holds that version, or ``{}``.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from packaging.version import Version

__all__ = ["Entry", "OsvStandIn"]


@dataclass(frozen=True)
class Entry:
    """One advisory: the package (any spelling), its ids, the first version without it, a summary."""

    package: str
    ids: tuple[str, ...]
    fixed: str
    summary: str = "a published advisory"

    def affects(self, name: str, version: str) -> bool:
        same = re.sub(r"[-_.]+", "-", name).lower() == re.sub(r"[-_.]+", "-", self.package).lower()
        return same and Version(version) < Version(self.fixed)

    def osv(self) -> dict[str, Any]:
        return {
            "id": self.ids[0],
            "aliases": list(self.ids[1:]),
            "summary": self.summary,
            "affected": [
                {
                    "package": {"name": self.package, "ecosystem": "PyPI"},
                    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": self.fixed}]}],
                }
            ],
        }


class OsvStandIn:
    """The server; ``entries`` may be replaced between runs (a new advisory published, or withdrawn)."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.queries: list[tuple[str, str]] = []
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                query = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                name, version = query["package"]["name"], query["version"]
                standin.queries.append((name, version))
                vulns = [entry.osv() for entry in standin.entries if entry.affects(name, version)]
                body = json.dumps({"vulns": vulns} if vulns else {}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1/query"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
