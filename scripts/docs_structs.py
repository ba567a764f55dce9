"""A griffe extension: the constructors of msgspec Structs, as griffe makes those of dataclasses.

griffe reads the source without importing it, and writes a dataclass's ``__init__`` from its decorator; a
msgspec Struct (``Invoice``, ``LineItem``, ``Money``) gets its ``__init__`` from msgspec's metaclass, which
griffe does not see.  This writes it the same way: one parameter per annotated attribute of the class body, in
order, with its default (keyword-only with ``kw_only=True``).  The API reference then shows each signature, and
the public-API check (``scripts/release/api.py``) compares them, so that reordering ``Invoice``'s fields (which
breaks positional construction) is a break it reports.
"""

from __future__ import annotations

from typing import Any

import griffe

__all__ = ["StructInit", "is_struct"]


def is_struct(cls: griffe.Class) -> bool:
    """Whether ``cls`` derives directly from ``msgspec.Struct`` (the public types do; none inherits fields)."""
    return any(getattr(base, "canonical_path", None) == "msgspec.Struct" for base in cls.bases)


def _parameters(cls: griffe.Class) -> list[griffe.Parameter]:
    kind = griffe.ParameterKind.positional_or_keyword
    if cls.keywords.get("kw_only") == "True":
        kind = griffe.ParameterKind.keyword_only
    return [
        griffe.Parameter(member.name, annotation=member.annotation, kind=kind, default=member.value)
        for member in cls.members.values()
        if isinstance(member, griffe.Attribute)
        and member.annotation is not None
        and "instance-attribute" in member.labels
    ]


def _add_init(cls: griffe.Class) -> None:
    self = griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)
    parameters = griffe.Parameters(self, *_parameters(cls))
    init = griffe.Function("__init__", lineno=0, endlineno=0, parent=cls, parameters=parameters, returns="None")
    cls.set_member("__init__", init)


def _visit(obj: griffe.Module | griffe.Class) -> None:
    for member in obj.members.values():
        if member.is_alias:
            continue
        if isinstance(member, griffe.Class):
            if is_struct(member) and "__init__" not in member.members:
                _add_init(member)
            _visit(member)
        elif isinstance(member, griffe.Module):
            _visit(member)


class StructInit(griffe.Extension):
    """Adds each msgspec Struct's ``__init__`` once the package is loaded (see the module docstring)."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        _visit(pkg)
