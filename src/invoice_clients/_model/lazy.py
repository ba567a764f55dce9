"""Fields built on first read: ``.raw`` of :class:`Invoice` and :class:`InvoicePage`.

A listing hands out tens of thousands of invoices whose generated model (``.raw``)
most callers never look at; building it is a third of the cost of parsing one.
The parsers therefore store, in the ``raw`` slot, a :data:`Deferred` tuple: a
:class:`Builder` and the values it needs, all already checked.  :class:`LazySlot`
replaces the slot's descriptor on the class: the first read builds the model,
stores it in the slot and returns it, so ``.raw`` has the same type and value as
if it had been built eagerly (``tests/facade/test_gcore_fast_path.py``).  Two
threads reading at once may each build it: equal models, one of which is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Builder", "LazySlot", "is_deferred", "make_lazy"]


class Builder:
    """The first item of a deferred value: what builds it from the rest."""

    __slots__ = ("build",)

    def __init__(self, build: Callable[..., Any]) -> None:
        self.build = build


def is_deferred(value: object) -> bool:
    """Whether ``value`` is a deferred tuple ``(Builder, *args)`` rather than a built value."""
    return type(value) is tuple and len(value) > 0 and type(value[0]) is Builder


class LazySlot:
    """A slot descriptor that builds a deferred value on first read (see the module docstring)."""

    __slots__ = ("_slot",)

    def __init__(self, slot: Any) -> None:
        self._slot = slot

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = self._slot.__get__(obj, owner)
        if type(value) is tuple and value and type(value[0]) is Builder:
            value = value[0].build(*value[1:])
            self._slot.__set__(obj, value)
        return value

    def __set__(self, obj: object, value: object) -> None:
        self._slot.__set__(obj, value)

    def __delete__(self, obj: object) -> None:
        self._slot.__delete__(obj)

    def peek(self, obj: object) -> Any:
        """The stored value, deferred or not, without building it."""
        return self._slot.__get__(obj, type(obj))


def make_lazy(cls: type, name: str) -> LazySlot:
    """Put a :class:`LazySlot` over ``cls``'s slot ``name``; returns it."""
    lazy = LazySlot(vars(cls)[name])
    setattr(cls, name, lazy)
    return lazy
