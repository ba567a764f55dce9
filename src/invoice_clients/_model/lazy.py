"""Fields built on first read: ``.raw`` of :class:`Invoice`, :class:`LineItem` and :class:`InvoicePage`.

Most callers never read the generated model behind an invoice, and building it costs more than the rest of
parsing.  A decoder therefore stores a :class:`Deferred` in the ``raw`` field; :class:`LazySlot` replaces the
field's slot descriptor on the class (a msgspec Struct's or a slotted dataclass's alike), so that the first read
builds the value, stores it in the slot and returns it: ``.raw`` has the same type and value as if it had been
built at once.  Two threads reading at once may each build it; one of the equal values is kept.  What reads the
slot without the descriptor (``msgspec.structs.asdict``, ``msgspec.json.encode``) sees the ``Deferred``: read
``.raw`` instead.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Deferred", "LazySlot", "make_lazy"]


class Deferred:
    """A value not built yet: a decoder's subclass says how (:meth:`build`)."""

    __slots__ = ()

    def build(self) -> object:
        """The value."""
        raise NotImplementedError


class LazySlot:
    """A slot descriptor that builds a :class:`Deferred` value on first read (see the module docstring)."""

    __slots__ = ("_slot",)

    def __init__(self, slot: Any) -> None:
        self._slot = slot

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = self._slot.__get__(obj, owner)
        if isinstance(value, Deferred):
            value = value.build()
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
