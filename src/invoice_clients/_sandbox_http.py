"""The sandbox's tiny HTTP vocabulary (outside ``testing`` so vendor sandbox APIs import it without the Sandbox).

The vendor handlers are pure functions from :class:`SandboxRequest` to
:class:`Reply`, so they hold no socket code and the server applies faults
uniformly to whatever they answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["RecordedRequest", "Reply", "SandboxRequest", "json_reply"]


@dataclass(frozen=True, slots=True)
class SandboxRequest:
    """A request as the sandbox saw it; ``query`` keeps wire order and repeated names."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]

    def params(self, name: str) -> list[str]:
        """Every value sent for ``name``."""
        return [value for key, value in self.query if key == name]

    @property
    def authorization(self) -> str:
        return self.headers.get("authorization", "")


RecordedRequest = SandboxRequest


@dataclass(frozen=True, slots=True)
class Reply:
    """A response to send."""

    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)


def json_reply(status: int, payload: object) -> Reply:
    """A JSON response."""
    return Reply(status, json.dumps(payload).encode())
