"""The built-in vendors' names, part of the registry (``vendors/__init__.py`` registers them)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Vendor"]


class Vendor(StrEnum):
    """The built-in vendors' names (``Invoice.vendor``); another registered vendor's name is a plain ``str``."""

    GCORE = "gcore"
    VERSORI = "versori"
