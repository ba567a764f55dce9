"""The sandbox's tiny HTTP vocabulary (outside ``testing`` so vendor sandbox APIs import it without the Sandbox).

The vendor handlers are pure functions from :class:`SandboxRequest` to
:class:`Reply`, so they hold no socket code and the server applies faults
uniformly to whatever they answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["SERVED_METHODS", "RecordedRequest", "Reply", "SandboxRequest", "json_reply", "method_not_allowed"]

SERVED_METHODS = ("GET", "HEAD")
"""The methods every sandbox route serves: the specs declare only ``GET``, and ``HEAD`` is a ``GET`` without
its body, which every HTTP server must support (RFC 9110, section 9.1) and both vendors' frameworks serve."""


@dataclass(frozen=True, slots=True)
class SandboxRequest:
    """A request as the sandbox saw it; ``query`` keeps wire order and repeated names."""

    method: str
    """``GET``, ``HEAD``, ..."""
    path: str
    """The URL's path, without the query."""
    query: tuple[tuple[str, str], ...]
    """Every query parameter as sent: wire order, repeated names kept."""
    headers: Mapping[str, str]
    """The request's headers, by lower-case name."""

    def params(self, name: str) -> list[str]:
        """Every value sent for ``name``."""
        return [value for key, value in self.query if key == name]

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header (empty if none was sent)."""
        return self.headers.get("authorization", "")


RecordedRequest = SandboxRequest


@dataclass(frozen=True, slots=True)
class Reply:
    """A response to send."""

    status: int
    """The HTTP status."""
    body: bytes = b""
    """The body, as sent."""
    content_type: str = "application/json"
    """Its media type."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """More headers (``Allow``, ``Retry-After``)."""


def json_reply(status: int, payload: object) -> Reply:
    """A JSON response."""
    return Reply(status, json.dumps(payload).encode())


def method_not_allowed(payload: object) -> Reply:
    """``405 Method Not Allowed`` with the ``Allow`` header RFC 9110 requires; ``payload`` is the vendor's error."""
    return Reply(405, json.dumps(payload).encode(), headers={"Allow": ", ".join(SERVED_METHODS)})
