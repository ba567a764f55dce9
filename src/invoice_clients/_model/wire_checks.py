"""Does a decoded response body fit the effective spec?  Checked before the generated models see it.

The generated ``from_dict`` methods trust their input: they keep a string where
the spec says integer, a number where it says string, and their date parser
accepts forms (``20260101``, a date-time for a date) that the spec's formats do
not.  Without a check, a malformed response would become a wrong ``Invoice``
instead of a :class:`~invoice_clients.ResponseValidationError`.

Each vendor's ``checks.py`` restates the response schemas of its ``generated/*.effective.yaml``
with these rules, for the properties they declare (extra properties are allowed, as there).  A
full JSON Schema validator per response would cost more than parsing itself;
instead ``tests/property/test_facade_parsing.py`` holds these rules to the
spec: ``jsonschema`` judges thousands of generated bodies and the facade must
agree with every verdict, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

import datetime
import functools
import re
import reprlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from .._http.security import scrub_active

__all__ = ["DATE_PATTERN", "DATE_TIME_PATTERN", "DECIMAL_PATTERN", "Rule", "Schema", "schema"]

DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
DATE_TIME_PATTERN = re.compile(
    r"\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)", re.ASCII
)
DECIMAL_PATTERN = re.compile(
    r"-?\d+(\.\d+)?"
)  # the overlay's amount pattern (Unicode \d, as JSON Schema tools read it)
_CURRENCY = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True, slots=True)
class Rule:
    """A named predicate: ``what`` is how an error message describes the expected value.

    ``wire`` gives the type a typed decoder (msgspec, see :meth:`Schema.wire_type`) reads such a value as, in C;
    it is a function, so that msgspec is imported only by a vendor that decodes with it.  When ``wire_exact``,
    the decoder refuses whatever the rule refuses (were it to refuse more, a fast path would defer to the
    general one, only slower); otherwise it is looser, and a fast path that decodes with it must check the
    value itself.  ``tests/facade/test_wire_types.py`` holds these claims.
    """

    what: str
    accepts: Callable[[object], bool]
    wire: Callable[[], Any] = lambda: object
    wire_exact: bool = False

    def wire_type(self) -> Any:
        """The msgspec type for this rule (see ``wire``)."""
        return self.wire()

    def or_null(self) -> Rule:
        accepts, wire = self.accepts, self.wire
        return Rule(
            f"{self.what} or null",
            lambda value: value is None or accepts(value),
            lambda: wire() | None,
            self.wire_exact,
        )


def _bounded_int(ge: int, le: int | None = None) -> Any:
    """``int`` with msgspec's bounds checked while decoding."""
    from msgspec import Meta

    return Annotated[int, Meta(ge=ge, le=le)]


def _integer(value: object) -> bool:
    return type(value) is int  # JSON gives exact ints; a bool is not an integer here


def _date(value: object) -> bool:
    return type(value) is str and _valid_date(value)


@functools.lru_cache(maxsize=4096)  # invoices share a few dates (periods, due dates): check each once
def _valid_date(value: str) -> bool:
    if not DATE_PATTERN.fullmatch(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _date_time(value: object) -> bool:
    return type(value) is str and _valid_date_time(value)


@functools.lru_cache(maxsize=4096)
def _valid_date_time(value: str) -> bool:
    if not DATE_TIME_PATTERN.fullmatch(value.upper()):
        return False
    try:
        return datetime.date.fromisoformat(value[:10]).year > 0
    except ValueError:
        return False


# The typed decoder's own checks where they equal the rule: integers (not floats, not booleans; any size),
# strings, booleans, and RFC 3339 full dates (ASCII digits, real calendar days).  Its date-time reader is
# more lenient than DATE_TIME (lower-case ``t``, a space, more than six fractional digits rounded), so
# date-times, decimals and currency codes are read as strings and checked by the fast path.
INTEGER = Rule("an integer", _integer, lambda: int, True)
INT32 = Rule(
    "a 32-bit integer",
    lambda v: _integer(v) and -(2**31) <= v < 2**31,  # type: ignore[operator]
    lambda: _bounded_int(ge=-(2**31), le=2**31 - 1),
    True,
)
NON_NEGATIVE = Rule(
    "a non-negative integer",
    lambda v: _integer(v) and v >= 0,  # type: ignore[operator]
    lambda: _bounded_int(ge=0),
    True,
)
STRING = Rule("a string", lambda v: type(v) is str, lambda: str, True)
BOOLEAN = Rule("a boolean", lambda v: isinstance(v, bool), lambda: bool, True)
DATE = Rule("a YYYY-MM-DD date", _date, lambda: datetime.date, True)
DATE_TIME = Rule("an RFC 3339 date-time", _date_time, lambda: str)
DECIMAL = Rule("a decimal string", lambda v: type(v) is str and DECIMAL_PATTERN.fullmatch(v) is not None, lambda: str)
CURRENCY = Rule(
    "a three-letter currency code", lambda v: type(v) is str and _CURRENCY.fullmatch(v) is not None, lambda: str
)
ANY = Rule("any value", lambda v: True)  # loose: msgspec reads a JSON fraction as a float, not a Decimal


class _MisfitError(Exception):
    """Raised inside a check; the path is assembled while it unwinds, so a body that fits builds no strings."""

    def __init__(self, step: str, message: str) -> None:
        self.steps = [step]
        self.message = message


@dataclass(frozen=True, slots=True)
class Schema:
    """An object schema (``fields`` + ``required``), an array of one (``items``), or a map of ``values``."""

    fields: Mapping[str, Rule | Schema] | None = None
    required: frozenset[str] = frozenset()
    items: Schema | None = None
    values: Rule | None = None
    _plan: tuple[tuple[str, Rule | None, Schema | None], ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        plan = tuple(
            (name, None, rule) if isinstance(rule, Schema) else (name, rule, None)
            for name, rule in (self.fields or {}).items()
        )
        object.__setattr__(self, "_plan", plan)  # the fields, pre-sorted into leaves and nested schemas

    def wire_type(self, name: str) -> Any:
        """A msgspec type that decodes a JSON body this schema accepts, checking in C what its rules'
        ``wire`` types check (and refusing properties the schema does not declare: a fast path then
        defers to the general one, which keeps them).  ``name`` names the struct types made."""
        from msgspec import UNSET, UnsetType, defstruct  # here: only the vendors that decode with it load it

        if self.items is not None:
            return list[self.items.wire_type(name)]  # type: ignore[misc]
        if self.values is not None:
            return dict[str, self.values.wire_type()]  # type: ignore[misc]
        fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
        for key, rule in (self.fields or {}).items():
            kind = rule.wire_type(f"{name}_{key}") if isinstance(rule, Schema) else rule.wire_type()
            fields.append((key, kind) if key in self.required else (key, kind | UnsetType, UNSET))
        return defstruct(name, fields, kw_only=True, forbid_unknown_fields=True, frozen=True, gc=False)

    def check(self, value: object, where: str) -> None:
        """Raise ``ValueError`` naming the first place in ``value`` (called ``where``) that breaks the schema."""
        try:
            self._check(value)
        except _MisfitError as misfit:
            raise ValueError(f"{where}{''.join(reversed(misfit.steps))} {misfit.message}") from None

    def _check(self, value: object) -> None:
        if self.items is not None:
            if type(value) is not list:
                raise _MisfitError("", f"must be an array, got {_show(value)}")
            check = self.items._check
            for index, element in enumerate(value):
                try:
                    check(element)
                except _MisfitError as misfit:
                    misfit.steps.append(f"[{index}]")
                    raise
            return
        if type(value) is not dict:
            raise _MisfitError("", f"must be an object, got {_show(value)}")
        if self.values is not None:
            accepts = self.values.accepts
            for key, element in value.items():
                if not accepts(element):
                    raise _MisfitError(f".{key}", f"must be {self.values.what}, got {_show(element)}")
            return
        if not self.required.issubset(value):
            missing = ", ".join(sorted(self.required.difference(value)))
            raise _MisfitError("", f"lacks required {missing}")
        for name, rule, nested in self._plan:
            if name not in value:
                continue
            item = value[name]
            if nested is not None:
                try:
                    nested._check(item)
                except _MisfitError as misfit:
                    misfit.steps.append(f".{name}")
                    raise
            elif rule is not None and not rule.accepts(item):
                raise _MisfitError(f".{name}", f"must be {rule.what}, got {_show(item)}")


_REPR = reprlib.Repr()  # keyword arguments only from Python 3.12
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict = 2, 4, 4
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = 4096  # cut after scrubbing, below, not before


def _show(value: object) -> str:
    """A short rendering of a body value for a message: depth-limited, key scrubbed *before* it is cut."""
    try:
        text = scrub_active(_REPR.repr(value))
    except (ValueError, RecursionError):  # an int too long to print, say
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 40 else text[:37] + "..."


def schema(fields: Mapping[str, Rule | Schema], *, optional: tuple[str, ...] = ()) -> Schema:
    """An object schema: ``fields`` all required but the ``optional`` ones."""
    return Schema(fields=fields, required=frozenset(fields).difference(optional))
