"""YAML in and out, the way OpenAPI documents mean it.

OpenAPI documents are JSON data written as YAML, so loading follows JSON's
data model: mapping keys are always strings (YAML reads ``200:`` as an
integer, OpenAPI means the string ``"200"``) and dates stay strings (YAML 1.1
would turn ``2026-01-01`` into a ``datetime.date``).  Dumping is
deterministic: keys keep their order, long lines are not folded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from scripts.errors import ToolchainError

__all__ = ["dump_yaml", "load_yaml", "load_yaml_text", "read_text", "sequence_lines"]


class _JsonDataLoader(yaml.SafeLoader):
    """A safe loader without YAML 1.1's timestamp type."""


_JsonDataLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[str, Any]:
    loader.flatten_mapping(node)
    pairs = loader.construct_pairs(node, deep=True)
    result: dict[str, Any] = {}
    for key, value in pairs:
        result[_key_to_str(key)] = value
    return result


def _key_to_str(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


_JsonDataLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

# libyaml's parser, when PyYAML has it, with the same (Python) resolvers and constructors: about ten times
# faster on a 100 KB document, which `spec-drift --history` reads hundreds of.  Errors are reported by the
# pure-Python parser, whose messages are the ones documented.
_FastLoader: type[Any] | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _CJsonDataLoader(yaml.CSafeLoader):
        """:class:`_JsonDataLoader` on libyaml's parser."""

    _CJsonDataLoader.yaml_implicit_resolvers = _JsonDataLoader.yaml_implicit_resolvers
    _CJsonDataLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _FastLoader = _CJsonDataLoader


def load_yaml_text(text: str, name: str) -> Any:
    """Parse YAML ``text``; errors name ``name`` with line and column."""
    if _FastLoader is not None:
        try:
            return yaml.load(text, Loader=_FastLoader)  # noqa: S506 - a CSafeLoader subclass
        except yaml.YAMLError:
            pass  # the pure-Python parser below says what is wrong, in its words
    try:
        return yaml.load(text, Loader=_JsonDataLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        problem = exc.problem or exc.context or "malformed YAML"
        raise ToolchainError(where, f"malformed YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise ToolchainError(name, f"malformed YAML: {exc}") from None


def read_text(path: Path, label: str) -> str:
    """A file's text; a missing or unreadable file is a one-line error naming ``label``."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ToolchainError(label, "file does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ToolchainError(label, f"cannot read: {exc}") from None


def load_yaml(path: Path, name: str | None = None) -> Any:
    """Read and parse the YAML (or JSON) file at ``path``."""
    label = name or str(path)
    return load_yaml_text(read_text(path, label), label)


def sequence_lines(text: str, key: str) -> list[int]:
    """1-based line of each item of the top-level sequence ``key``.

    Used to point error messages at an overlay action by line as well as by
    index.  Returns an empty list when the document has no such sequence.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    for key_node, value_node in root.value:
        if key_node.value == key and isinstance(value_node, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value_node.value]
    return []


class _Dumper(yaml.SafeDumper):
    """A safe dumper that indents sequences inside mappings, as specs do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """Serialise ``data`` as block YAML, keeping key order, deterministically."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=10_000,
        default_flow_style=False,
    )
