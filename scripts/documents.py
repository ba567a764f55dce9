"""Loading the two kinds of document the toolchain reads: OpenAPI and Overlay.

Both loaders check the shape they rely on before anything uses it, so a file
of the wrong kind fails with one line that names it instead of a traceback
from deep inside the engine or the generator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.errors import ToolchainError
from scripts.yamlio import load_yaml_text, read_text, sequence_lines

__all__ = ["OverlayDocument", "check_openapi", "load_openapi", "load_overlay", "parse_overlay"]

_OPENAPI_VERSION = re.compile(r"^3\.\d+\.\d+$")
_OVERLAY_VERSION = re.compile(r"^1\.\d+\.\d+$")


def check_openapi(doc: Any, name: str) -> dict[str, Any]:
    """Return ``doc`` if it looks like an OpenAPI 3.x document, else raise."""
    if not isinstance(doc, dict):
        raise ToolchainError(name, "not an OpenAPI document: the top level is not a mapping")
    version = doc.get("openapi")
    if version is None:
        hint = " (Swagger 2.0 is not supported)" if "swagger" in doc else ""
        raise ToolchainError(name, f"not an OpenAPI document: no 'openapi' field{hint}")
    if not isinstance(version, str) or not _OPENAPI_VERSION.match(version):
        raise ToolchainError(name, f"not an OpenAPI 3.x document: openapi is {version!r}")
    if not isinstance(doc.get("info"), dict):
        raise ToolchainError(name, "not an OpenAPI document: no 'info' object")
    if not any(isinstance(doc.get(key), dict) for key in ("paths", "components", "webhooks")):
        raise ToolchainError(name, "not an OpenAPI document: no 'paths', 'components' or 'webhooks'")
    return doc


def load_openapi(path: Path, name: str | None = None) -> dict[str, Any]:
    """Read an OpenAPI document from ``path``; ``name`` is how errors call it."""
    label = name or str(path)
    return check_openapi(load_yaml_text(read_text(path, label), label), label)


@dataclass(frozen=True)
class OverlayDocument:
    """A parsed Overlay document and where its actions sit in the file."""

    name: str
    data: dict[str, Any]
    action_lines: tuple[int, ...]

    @property
    def actions(self) -> list[dict[str, Any]]:
        actions: list[dict[str, Any]] = self.data["actions"]
        return actions

    def place(self, index: int) -> str:
        """``file:line: actions[i]`` for error messages."""
        line = self.action_lines[index] if index < len(self.action_lines) else None
        return f"{self.name}:{line}: actions[{index}]" if line else f"{self.name}: actions[{index}]"


def parse_overlay(text: str, name: str) -> OverlayDocument:
    """Parse and validate Overlay document ``text`` (any 1.x version)."""
    data = load_yaml_text(text, name)
    if not isinstance(data, dict) or "overlay" not in data:
        raise ToolchainError(name, "not an Overlay document: no 'overlay' field")
    version = data["overlay"]
    if not isinstance(version, str) or not _OVERLAY_VERSION.match(version):
        raise ToolchainError(name, f"unsupported overlay version {version!r} (expected a string like '1.1.0')")
    if not isinstance(data.get("info"), dict):
        raise ToolchainError(name, "not an Overlay document: no 'info' object")
    actions = data.get("actions")
    if not isinstance(actions, list) or not actions:
        raise ToolchainError(name, "not an Overlay document: 'actions' must be a non-empty list")
    document = OverlayDocument(name, data, tuple(sequence_lines(text, "actions")))
    for index, action in enumerate(actions):
        _check_action(document, index, action)
    return document


def load_overlay(path: Path, name: str | None = None) -> OverlayDocument:
    """Read and validate the Overlay document at ``path``."""
    label = name or str(path)
    return parse_overlay(read_text(path, label), label)


def _check_action(document: OverlayDocument, index: int, action: Any) -> None:
    place = document.place(index)
    if not isinstance(action, dict):
        raise ToolchainError(place, "an action must be a mapping")
    target = action.get("target")
    if not isinstance(target, str) or not target.startswith("$"):
        raise ToolchainError(place, f"'target' must be a JSONPath query starting with '$', not {target!r}")
    remove = action.get("remove", False)
    if not isinstance(remove, bool):
        raise ToolchainError(place, f"'remove' must be true or false, not {remove!r}")
    if "copy" in action and not (isinstance(action["copy"], str) and action["copy"].startswith("$")):
        raise ToolchainError(place, f"'copy' must be a JSONPath query starting with '$', not {action['copy']!r}")
    modifiers = [key for key in ("update", "copy") if key in action] + (["remove"] if remove else [])
    if len(modifiers) != 1:
        found = ", ".join(modifiers) or "none"
        raise ToolchainError(place, f"an action needs exactly one of update, copy or remove: true (found {found})")
