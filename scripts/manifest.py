"""The API manifest (``specs/manifest.toml``): what is vendored, from where, into what.

Everything the toolchain does per API is driven by this file, so a third API
is a new ``[apis.NAME]`` table plus its files.  Loading checks every entry
completely (fields, types, that the named files exist) before any work starts.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.errors import ToolchainError

__all__ = ["ROOT", "Api", "Manifest", "Provenance", "load_manifest", "sha256_file", "update_provenance"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MANIFEST = ROOT / "specs" / "manifest.toml"

_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_PACKAGE = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Provenance:
    """Where a vendored spec came from, and the sha256 it had when it was taken."""

    retrieved: str
    source: str
    sha256: str


@dataclass(frozen=True)
class Api:
    """One API entry of the manifest, with its paths resolved against the root."""

    name: str
    title: str
    root: Path
    spec: str
    upstream: str
    operations: tuple[str, ...]
    overlay: str
    package: str
    generator_config: str
    provenance: Provenance

    @property
    def spec_path(self) -> Path:
        return self.root / self.spec

    @property
    def overlay_path(self) -> Path:
        return self.root / self.overlay

    @property
    def config_path(self) -> Path:
        return self.root / self.generator_config

    @property
    def effective_spec_name(self) -> str:
        """File name of the patched spec committed beside the generated package."""
        return f"{self.name}.effective.yaml"


@dataclass(frozen=True)
class Manifest:
    """All API entries, in file order."""

    path: Path
    apis: tuple[Api, ...]

    def select(self, name: str | None) -> tuple[Api, ...]:
        """All entries, or the one called ``name``."""
        if name is None:
            return self.apis
        for api in self.apis:
            if api.name == name:
                return (api,)
        known = ", ".join(api.name for api in self.apis)
        raise ToolchainError(str(self.path), f"no API named {name!r} (known: {known})")


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_manifest(path: Path = DEFAULT_MANIFEST, root: Path | None = None) -> Manifest:
    """Read and validate the manifest; file paths are relative to ``root``."""
    root = root or path.resolve().parent.parent
    label = _relative(path, root)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ToolchainError(label, "file does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ToolchainError(label, f"malformed TOML: {exc}") from None
    tables = data.get("apis")
    if not isinstance(tables, dict) or not tables:
        raise ToolchainError(label, "no [apis.NAME] tables")
    apis = tuple(_api(label, root, name, table) for name, table in tables.items())
    packages = [api.package for api in apis]
    for package in packages:
        if packages.count(package) > 1:
            raise ToolchainError(label, f"package {package!r} is used by more than one API")
    return Manifest(path, apis)


def _api(label: str, root: Path, name: str, table: Any) -> Api:
    where = f"{label}: [apis.{name}]"
    if not _NAME.match(name):
        raise ToolchainError(where, "API names are lower-case words joined by '-'")
    if not isinstance(table, dict):
        raise ToolchainError(where, "must be a table")

    def text(key: str, source: dict[str, Any] = table, place: str = where) -> str:
        value = source.get(key)
        if not isinstance(value, str) or not value:
            raise ToolchainError(place, f"'{key}' must be a non-empty string")
        return value

    def existing(key: str) -> str:
        relative = text(key)
        if not (root / relative).is_file():
            raise ToolchainError(where, f"{key} file {relative} does not exist")
        return relative

    operations = table.get("operations")
    if not isinstance(operations, list) or not operations or not all(isinstance(op, str) for op in operations):
        raise ToolchainError(where, "'operations' must be a non-empty list of operationIds")
    package = text("package")
    if not _PACKAGE.match(package):
        raise ToolchainError(where, f"package {package!r} is not a valid Python package name")
    provenance = table.get("provenance")
    if not isinstance(provenance, dict):
        raise ToolchainError(where, "missing [provenance] table")
    ptext = f"{label}: [apis.{name}.provenance]"
    return Api(
        name=name,
        title=text("title"),
        root=root,
        spec=existing("spec"),
        upstream=text("upstream"),
        operations=tuple(operations),
        overlay=existing("overlay"),
        package=package,
        generator_config=existing("generator_config"),
        provenance=Provenance(
            retrieved=text("retrieved", provenance, ptext),
            source=text("source", provenance, ptext),
            sha256=text("sha256", provenance, ptext),
        ),
    )


def update_provenance(text: str, api: str, **values: str) -> str:
    """Set keys of ``[apis.<api>.provenance]`` in the manifest's text, keeping every other line as it was."""
    header = re.search(rf"^\[apis\.{re.escape(api)}\.provenance\][ \t]*(#.*)?$", text, re.MULTILINE)
    if header is None:
        raise ToolchainError("specs/manifest.toml", f"no [apis.{api}.provenance] table to update")
    following = re.search(r"^[ \t]*\[", text[header.end() :], re.MULTILINE)
    end = header.end() + following.start() if following else len(text)
    section = text[header.end() : end]
    for key, value in values.items():
        line = f"{key} = {json.dumps(value, ensure_ascii=False)}"  # a JSON string is a valid TOML basic string
        pattern = rf"^{re.escape(key)}[ \t]*=.*$"
        section, found = re.subn(pattern, line.replace("\\", "\\\\"), section, count=1, flags=re.MULTILINE)
        if not found:
            section = section.rstrip("\n") + f"\n{line}\n" + ("\n" if following else "")
    updated = text[: header.end()] + section + text[end:]
    try:
        recorded = tomllib.loads(updated)["apis"][api]["provenance"]
    except (tomllib.TOMLDecodeError, KeyError, TypeError):
        recorded = {}
    if any(recorded.get(key) != value for key, value in values.items()):  # e.g. a value written over lines
        raise ToolchainError("specs/manifest.toml", f"[apis.{api}.provenance]: cannot be updated as text")
    return updated


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
