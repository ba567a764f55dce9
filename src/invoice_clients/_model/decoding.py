"""Response bodies decoded by msgspec into Structs that state the spec; a misfit named by its place.

Each vendor states its response schemas once, as msgspec Structs (``vendors/<name>/schema.py``; the test
``tests/vendors/test_wire_structs.py`` holds them to ``generated/<api>.effective.yaml``).  msgspec checks types,
nulls, required properties, integer bounds (``Meta``) and calendar dates in C while it decodes, and skips
properties a Struct does not declare: an upstream addition breaks nothing, and the generated model behind
``.raw`` (built from the body on first read, :class:`ModelSource`) keeps it.  A string's pattern is a
:class:`StringRule` in the field's annotation instead of msgspec's ``Meta(pattern=...)``, which is slower than
Python's ``re`` per field; :class:`StringRules` checks all of one Struct's in a single expression as the vendor
converts it.  Strings stay strings, so an amount never passes through a float.

A misfit is a ``ValueError`` whose message names the place (``page.results[3].amount_total``, from msgspec's
path), what the spec wants there, the value found (scrubbed of the active key), and the invoice.
"""

from __future__ import annotations

import datetime
import json
import re
import reprlib
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import Annotated, Any, Generic, TypeVar, Union, get_args, get_origin

import msgspec

from .._exceptions import RequestDetails, ResponseValidationError
from .._redaction import scrub_active
from .lazy import Deferred
from .parsing import GENERATED_MISFITS, decode_json

__all__ = [
    "CURRENCY",
    "DATE_TIME",
    "DECIMAL",
    "JOIN",
    "MAP_VALUE",
    "MISSING",
    "BrokenRule",
    "CurrencyCode",
    "DateTimeString",
    "DecimalString",
    "Decoder",
    "DeferredModel",
    "Int32",
    "ModelSource",
    "NonNegative",
    "Path",
    "StringRule",
    "StringRules",
    "describe",
    "expected",
    "rule_of",
    "show",
    "value_at",
]

T = TypeVar("T")
Path = tuple[str | int, ...]
"""Where a value sits in a body: object keys (as on the wire) and array indices."""


@dataclass(frozen=True, slots=True)
class StringRule:
    """What a string must look like: the spec's ``pattern`` or ``format``, and the expression that checks it.

    ``regex`` must match the whole value (``fullmatch``) exactly when the spec accepts it, and never match a
    NUL (:class:`StringRules` joins values with one).
    """

    what: str
    """How a message names a value that fits (``"a decimal string"``)."""
    regex: str
    """What is checked, by ``fullmatch``."""
    pattern: str | None = None
    """The spec's ``pattern`` this rule checks (read whole, as ECMA-262 reads ``^...$``)."""
    format: str | None = None
    """The spec's ``format`` this rule checks."""


DECIMAL = StringRule(
    "a decimal string",
    # \d as Python's re reads it (every Unicode decimal digit); [0-9] first, which the engine tries at once.
    # Possessive (``++``): a digit run never gives back, which nothing after it could use; the engine then
    # keeps no backtracking state.
    r"-?[0-9\d]++(?:\.[0-9\d]++)?+",
    pattern=r"^-?\d+(\.\d+)?$",
    format="decimal",
)
CURRENCY = StringRule("a three-letter currency code", "[A-Z]{3}", pattern="^[A-Z]{3}$")
_YEAR = "(?!0000)[0-9]{4}"
_LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
# Any month's days 01-28 first (what most dates are), then the 29th and 30th of every month but February, the
# 31st of the long months, and 29 February of a leap year.  Atomic: each alternative is ten characters and at
# most one fits, so nothing is lost by never backtracking into it.
_DAY = (
    f"(?>{_YEAR}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
    f"|{_LEAP_YEAR}-02-29)"
)
_HOUR = "(?:[01][0-9]|2[0-3])"
DATE_TIME = StringRule(
    "an RFC 3339 date-time",
    # RFC 3339 with a real calendar day; ``t`` or ``T`` but only ``Z`` (the generated model's parser,
    # datetime.fromisoformat, reads no lower-case ``z``), and no leap second (a datetime has none).
    f"{_DAY}[Tt]{_HOUR}:[0-5][0-9]:[0-5][0-9](?:\\.[0-9]++)?+(?:Z|[+-]{_HOUR}:[0-5][0-9])",
    format="date-time",
)

DecimalString = Annotated[str, DECIMAL]
CurrencyCode = Annotated[str, CURRENCY]
DateTimeString = Annotated[str, DATE_TIME]
Int32 = Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31 - 1)]
NonNegative = Annotated[int, msgspec.Meta(ge=0)]


def rule_of(annotation: Any) -> StringRule | None:
    """The :class:`StringRule` of a field's annotation (``None`` if it has none)."""
    if get_origin(annotation) is Annotated:
        return next((extra for extra in get_args(annotation)[1:] if isinstance(extra, StringRule)), None)
    return None


class BrokenRule(Exception):  # noqa: N818  (caught by the vendor's decoder, which raises the misfit)
    """A decoded value whose field breaks its :class:`StringRule`."""

    def __init__(self, value: object, field: str, rule: StringRule) -> None:
        super().__init__(field)
        self.value = value
        self.field = field
        self.rule = rule

    def index_in(self, values: Sequence[object]) -> int:
        """The index of the broken value in ``values`` (it is one of them)."""
        return next(index for index, value in enumerate(values) if value is self.value)


class StringRules:
    """The :class:`StringRule` fields of one Struct type, checked in one expression, for one value or many.

    ``fits(JOIN(values(decoded)))`` is ``None`` when a field breaks its rule (then :meth:`broken` names it):
    the values joined by NUL, which no rule matches, so the whole fits exactly when each part does.
    :meth:`check_all` checks a page of values with one expression, which costs less than one per value.
    """

    __slots__ = ("_each", "_rows", "_width", "fits", "values")

    def __init__(self, struct: type[msgspec.Struct]) -> None:
        ruled = [
            (info.name, info.encode_name, rule)
            for info in msgspec.structs.fields(struct)
            if (rule := rule_of(info.type)) is not None
        ]
        names = [name for name, _, _ in ruled]
        parts = [rule.regex for _, _, rule in ruled]
        if len(names) == 1:  # attrgetter of one name gives the value, not a tuple: read it twice
            names, parts = names * 2, parts * 2
        self.values: Callable[[Any], tuple[str, ...]] = attrgetter(*names)
        """The ruled fields' values of a decoded Struct, in declaration order."""
        row = "\x00".join(f"(?:{part})" for part in parts)
        self.fits = re.compile(row).fullmatch
        self._rows = re.compile(f"(?>{row}\x00)*+{row}").fullmatch  # atomic: only the last row lacks a NUL
        self._width = len(names)
        self._each = tuple((name, encode, rule, re.compile(rule.regex).fullmatch) for name, encode, rule in ruled)

    def check(self, value: object) -> None:
        """Raise :class:`BrokenRule` for the first field of ``value`` that breaks its rule."""
        if self.fits(JOIN(self.values(value))) is None:
            raise self.broken(value)

    def check_all(self, values: Sequence[object]) -> None:
        """Raise :class:`BrokenRule` for the first field of the first of ``values`` that breaks its rule.

        All the values' fields joined by NUL, as for one: the count of NULs first, because a value holding NULs
        could otherwise pass as more rows (no rule matches a NUL, so with the count right, none holds one).
        """
        if not values:
            return
        joined = JOIN(chain.from_iterable(map(self.values, values)))
        if joined.count("\x00") != len(values) * self._width - 1 or self._rows(joined) is None:
            for value in values:  # with the count right, the rows break exactly where a value does
                self.check(value)

    def broken(self, value: object) -> BrokenRule:
        """The :class:`BrokenRule` of the first field of ``value`` that breaks its rule (one does)."""
        for name, encode_name, rule, fullmatch in self._each:
            if fullmatch(getattr(value, name)) is None:
                return BrokenRule(value, encode_name, rule)
        raise AssertionError(f"no field of {value!r} breaks its rule")


JOIN = "\x00".join


# -- the generated models behind ``.raw`` --------------------------------------------------------------------


class ModelSource:
    """One response body, kept so that the generated models of its parts can be built on first read.

    A subclass says how (:meth:`build`) and what a failure calls the part (:meth:`place`).  The body fitted
    its Struct, so every property the facade reads is there and well formed; a property it does not know
    (an upstream addition the generated model reads, or a value it cannot) fails only here, as a
    :class:`~invoice_clients.ResponseValidationError` naming the part.
    """

    __slots__ = ("_body", "_built", "_data", "_request")

    def __init__(self, body: bytes, request: RequestDetails) -> None:
        self._body = body
        self._request = request
        self._data: Any = None
        self._built: dict[object, object] = {}

    def data(self) -> Any:
        """The body as JSON (decoded once, fractions as ``Decimal``), what the generated models read."""
        if self._data is None:
            self._data = decode_json(self._body)
        return self._data

    def model(self, key: object = None) -> object:
        """The generated model of part ``key`` (``None``: the whole body), built once."""
        try:
            return self._built[key]
        except KeyError:
            pass
        try:
            model = self.build(key)
        except GENERATED_MISFITS as exc:
            raise ResponseValidationError(
                f"{self.place(key)} does not fit the generated model ({type(exc).__name__})", **self._request
            ) from None
        self._built[key] = model
        return model

    def build(self, key: object) -> object:
        """Build the generated model of part ``key``."""
        raise NotImplementedError

    def place(self, key: object) -> str:
        """What a message calls part ``key``."""
        raise NotImplementedError


class DeferredModel(msgspec.Struct, Deferred, frozen=True, gc=False):
    """A ``.raw`` not built yet: part ``key`` of ``source`` (a Struct: made in C, once per invoice)."""

    source: ModelSource
    key: object = None

    def build(self) -> object:
        return self.source.model(self.key)


# -- decoding, and a misfit's message -------------------------------------------------------------------------


MISSING = object()
"""What :func:`value_at` finds where there is nothing (or the body is not JSON)."""
_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|(\[\.\.\.\])")


class Decoder(Generic[T]):
    """msgspec's decoder for one kind of body (a Struct, or a list of them), and how its misfits read.

    ``where`` names the body (``"page"``); ``label(data, path)`` names the invoice at ``path`` in the body as
    JSON (``"invoice id 42"``), or ``None`` (and must take ``data`` being :data:`MISSING`: not JSON).
    """

    def __init__(self, root: Any, where: str, label: Callable[[Any, Path], str | None]) -> None:
        self.root = root
        self.where = where
        self._label = label
        self._decode = msgspec.json.Decoder(root).decode

    def decode(self, body: bytes) -> T:
        """The body as the root type; ``ValueError`` naming the place where it does not fit."""
        encoding = json.detect_encoding(body)
        if encoding != "utf-8":  # UTF-16 or 32, or a byte order mark: json.loads reads them, msgspec does not
            body = body.decode(encoding, "surrogatepass").encode("utf-8", "surrogatepass")
        try:
            decoded: T = self._decode(body)
        except msgspec.ValidationError as exc:
            raise self._from_msgspec(body, str(exc)) from None
        except (msgspec.DecodeError, UnicodeDecodeError) as exc:  # msgspec 0.19 raises the latter for bad UTF-8
            raise ValueError(f"{self.where} is not JSON: {exc}") from None
        return decoded

    def broken(self, body: bytes, path: Path, broken: BrokenRule) -> ValueError:
        """The misfit of a field that breaks its :class:`StringRule`, ``path`` leading to the value broken."""
        return self.misfit(body, (*path, broken.field), what=broken.rule.what)

    def misfit(self, body: bytes, path: Path, *, what: str | None = None, problem: str | None = None) -> ValueError:
        """The misfit at ``path``: the value there is not ``what``, or the ``problem`` said."""
        data = _lenient(body)
        if problem is None:
            value = value_at(data, path)
            problem = f"must be {what}" if value is MISSING else f"must be {what}, got {show(value)}"
        label = self._label(data, path)
        return ValueError(f"{self.where}{_place(path)} {problem}" + (f" ({label})" if label else ""))

    def _from_msgspec(self, body: bytes, message: str) -> ValueError:
        reason, _, where = message.partition(" - at `$")  # no path: at the root
        path = _steps(where)
        if reason.startswith("Object missing required field `"):
            name = reason.removeprefix("Object missing required field `").removesuffix("`")
            return self.misfit(body, path, problem=f"lacks required {name}")
        what = expected(self.root, path)
        if what is None or not reason.startswith(("Expected", "Invalid")):
            return self.misfit(body, path, problem=f"does not fit: {reason}")
        return self.misfit(body, path, what=what)


MAP_VALUE = "[...]"
"""The step to a value of a map, whose key msgspec's path does not give."""


def _steps(where: str) -> Path:
    """msgspec's path (``.results[3].id``, after the ``$``) as steps."""
    steps: list[str | int] = []
    for match in _STEP.finditer(where):
        name, index, value = match.groups()
        steps.append(name if name is not None else int(index) if index is not None else value)
    return tuple(steps)


def _place(path: Path) -> str:
    return "".join(f"[{step}]" if isinstance(step, int) else step if step == MAP_VALUE else f".{step}" for step in path)


def _lenient(body: bytes) -> Any:
    """The body as JSON for a message (what was found, which invoice), or ``MISSING`` if it is not JSON."""
    try:
        return decode_json(body)
    except (ValueError, RecursionError):
        return MISSING


def value_at(data: Any, path: Path) -> Any:
    """The value at ``path`` in ``data``, or ``MISSING``."""
    for step in path:
        if isinstance(step, int):
            inside = type(data) is list and step < len(data)
        else:
            inside = type(data) is dict and step in data
        if not inside:
            return MISSING
        data = data[step]
    return data


# -- what a type wants, in words ------------------------------------------------------------------------------

_WORDS: dict[Any, str] = {
    int: "an integer",
    str: "a string",
    bool: "a boolean",
    datetime.date: "a YYYY-MM-DD date",
    msgspec.Raw: "any value",
}


def describe(annotation: Any) -> str:
    """What a value of a Struct field's type is, for a message (``"a YYYY-MM-DD date or null"``)."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        rule = rule_of(annotation)
        if rule is not None:
            return rule.what
        meta = next((extra for extra in args[1:] if isinstance(extra, msgspec.Meta)), None)
        if meta is not None and args[0] is int:
            return _bounded(meta.ge, meta.le)
        return describe(args[0])
    if origin in (Union, types.UnionType):
        kinds = [arg for arg in args if arg not in (type(None), msgspec.UnsetType)]
        text = " or ".join(describe(arg) for arg in kinds)
        return f"{text} or null" if type(None) in args else text
    if origin is list:
        return "an array"
    if origin is dict or (isinstance(annotation, type) and issubclass(annotation, msgspec.Struct)):
        return "an object"
    return _WORDS.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _bounded(low: float | None, high: float | None) -> str:
    if (low, high) == (-(2**31), 2**31 - 1):
        return "a 32-bit integer"
    if (low, high) == (0, None):
        return "a non-negative integer"
    return f"an integer between {low} and {high}"


def expected(root: Any, path: Path) -> str | None:
    """What the type at ``path`` under ``root`` wants, in words (``None`` if the path leads nowhere)."""
    annotation = root
    for step in path:
        annotation = _inside(annotation, step)
        if annotation is None:
            return None
    return describe(annotation)


def _inside(annotation: Any, step: str | int) -> Any:
    """The type of ``step`` inside a value of ``annotation`` (a Struct's field, a list's item, a map's value), or
    ``None``.  (Only the leaves of a Struct are ``Annotated``.)"""
    if get_origin(annotation) in (Union, types.UnionType):
        kinds = [arg for arg in get_args(annotation) if arg not in (type(None), msgspec.UnsetType)]
        if len(kinds) != 1:
            return None
        annotation = kinds[0]
    if isinstance(step, int):
        return get_args(annotation)[0] if get_origin(annotation) is list else None
    if step == MAP_VALUE:
        return get_args(annotation)[1] if get_origin(annotation) is dict else None
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        fields = {info.encode_name: info.type for info in msgspec.structs.fields(annotation)}
        return fields.get(step)
    return None


_REPR = reprlib.Repr()  # keyword arguments only from Python 3.12
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict = 2, 4, 4
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = 4096  # cut after scrubbing, below, not before


def show(value: object) -> str:
    """A short rendering of a body value for a message: depth-limited, key scrubbed *before* it is cut."""
    try:
        text = scrub_active(_REPR.repr(value))
    except (ValueError, RecursionError):  # an int too long to print, say
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 40 else text[:37] + "..."
