"""The API key kept secret: never printed, and scrubbed from any text a server could have echoed it in.

An :class:`ApiKey`'s ``repr``/``str`` are redacted, so it cannot leak through a client's ``repr``, a debugger or a
traceback's locals; it is revealed only to build one request's ``Authorization`` header.  A server can echo the
key in a status line, a header or a body, in any encoding: every text built from a response goes through
:func:`redact_text` before it is cut or collapsed, code that quotes body values scrubs the key of its
:func:`scrubbing` block, and the loggers of httpx and httpcore (whose DEBUG records print headers) carry a
filter that scrubs every live key.  Below every layer that shows text (HTTP, model, command line), it imports
nothing of theirs.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import re
import threading
import weakref
from collections.abc import Iterator
from contextvars import ContextVar
from typing import NoReturn

from ._exceptions import CredentialsError

__all__ = [
    "REDACTING_LOGGERS",
    "ApiKey",
    "redact_text",
    "resolve_api_key",
    "scrub_active",
    "scrub_live",
    "scrubbing",
    "visible",
]

_REDACTED = "***"
_LIVE_KEYS: weakref.WeakSet[ApiKey] = weakref.WeakSet()
_LIVE_KEYS_LOCK = threading.Lock()  # a client created on one thread while another logs


def _live_keys() -> list[ApiKey]:
    with _LIVE_KEYS_LOCK:
        return list(_LIVE_KEYS)


REDACTING_LOGGERS = (
    "invoice_clients", "httpx", "httpcore", "httpcore.connection", "httpcore.http11", "httpcore.http2",
    "httpcore.proxy", "httpcore.socks", "hpack", "hpack.hpack", "hpack.table", "h2", "h2.connection",
)  # fmt: skip
"""Loggers whose records are scrubbed: a logger's filters only see the records created on it, so each is named."""


def _char_forms(char: str) -> str:
    """A regex matching ``char`` as itself or as any escape a server might echo it in."""
    code = ord(char)
    escaped = [f"%{code:02x}", rf"\\u{code:04x}", rf"\\x{code:02x}", f"&#0*{code};", f"&#x0*{code:x};"]
    if char == "/":
        escaped.append(r"\\/")
    return f"(?:{re.escape(char)}|(?i:{'|'.join(escaped)}))"


def _base64_cores(secret: bytes) -> list[str]:
    """The part of the key's base64 that is the same wherever the key sits in a base64 stream."""
    cores = []
    for shift in range(3):
        encoded = base64.b64encode(bytes(shift) + secret).decode()
        first = -(-shift * 8 // 6)  # the first character no prefix byte touches
        last = (shift + len(secret)) * 8 // 6  # the characters made of key bits only
        core = encoded[first:last]
        if len(core) >= 8:
            cores += [core, core.replace("+", "-").replace("/", "_")]
    return cores


def _echo_pattern(secret: str) -> re.Pattern[str]:
    forms = ["".join(_char_forms(char) for char in secret)]
    forms += [re.escape(core) for core in _base64_cores(secret.encode())]
    return re.compile("|".join(forms))


class ApiKey:
    """An API key that never prints itself, and knows how to find itself in a server's echo."""

    __slots__ = ("__weakref__", "_pattern", "_value")

    def __init__(self, value: str) -> None:
        self._value = value
        self._pattern = _echo_pattern(value)
        with _LIVE_KEYS_LOCK:
            _LIVE_KEYS.add(self)

    def scrub(self, text: str) -> str:
        """``text`` with the key, raw or escaped (percent, ``\\uXXXX``, ``\\/``, HTML, base64), as ``***``."""
        return self._pattern.sub(_REDACTED, text)

    def reveal(self) -> str:
        """The key itself; call only to build a request header."""
        return self._value

    def __repr__(self) -> str:
        return f"ApiKey({_REDACTED})"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("ApiKey cannot be pickled")


def resolve_api_key(api_key: object, env_var: str) -> ApiKey:
    """The explicit key, else the environment variable's, as a header-safe :class:`ApiKey`.

    Outer whitespace is dropped (a copy-paste's newline); what is left must be
    visible ASCII (0x21-0x7E), inner spaces included in the refusal: no vendor
    issues such keys, and one would be quoted back in an encoding or protocol
    error.  Every refusal is a :class:`CredentialsError` that names the
    position of the first bad character, never the key or a part of it.
    """
    value = api_key if api_key is not None else os.environ.get(env_var)
    if value is None:
        raise CredentialsError(f"no API key: pass api_key=... or set {env_var}")
    if not isinstance(value, str):
        raise CredentialsError(f"the API key must be a str, got {type(value).__name__}")
    value = value.strip(" \t\r\n")
    if not value:
        raise CredentialsError(f"no API key: pass api_key=... or set {env_var}")
    for position, char in enumerate(value, 1):
        if not "!" <= char <= "~":
            what = (
                "a line break"
                if char in "\r\n"
                else "a space"
                if char.isspace()
                else "a non-printable or non-ASCII character"
            )
            raise CredentialsError(
                f"the API key has {what} at position {position}: only visible ASCII can be sent in a header"
                " (check for a stray character from a copy-paste)"
            )
    return ApiKey(value)


def redact_text(text: str, key: ApiKey) -> str:
    """Server-sent ``text`` made safe to show on one line: printable only, then redacted, then collapsed.

    Invisible characters go first: a server could hide the key behind a
    backspace or a zero-width space that a terminal (or rich, which strips
    control codes) would later remove, rejoining the key after redaction.
    Whitespace becomes a space and is collapsed only after redaction.
    """
    return " ".join(key.scrub(visible(text)).split())


def visible(text: str) -> str:
    """``text`` as a terminal would show it: whitespace as spaces, control and invisible characters dropped."""
    return "".join(ch if ch.isprintable() else " " if ch.isspace() else "" for ch in text)


_ACTIVE: ContextVar[ApiKey | None] = ContextVar("invoice_clients_active_key", default=None)


@contextlib.contextmanager
def scrubbing(key: ApiKey) -> Iterator[None]:
    """Within this block, :func:`scrub_active` removes ``key``: for code that quotes body values, key-unaware."""
    token = _ACTIVE.set(key)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def scrub_active(text: str) -> str:
    """``text`` without the key of the enclosing :func:`scrubbing` block (unchanged outside one)."""
    key = _ACTIVE.get()
    return text if key is None else key.scrub(text)


def scrub_live(text: str) -> str:
    """``text`` without any key a client of this process holds (for output that is not tied to one client)."""
    return _scrub_all(text, _live_keys())


def _scrub_all(text: str, keys: list[ApiKey]) -> str:
    """``text`` without any of ``keys``, each found in the text as it was.

    Scrubbing one key after the other would let a short key that occurs inside a longer one (``k`` in
    ``sk-live-...``) cut the longer key's occurrence apart first, leaving most of it unmatched and shown.
    """
    spans = sorted(match.span() for key in keys for match in key._pattern.finditer(text))
    pieces, shown_from = [], 0
    for start, end in spans:
        if start >= shown_from:
            pieces += [text[shown_from:start], _REDACTED]
            shown_from = end
        elif end > shown_from:  # overlaps the previous match: extend it
            shown_from = end
    return "".join(pieces) + text[shown_from:] if spans else text


class _RedactingFilter(logging.Filter):
    """Scrubs every live key from a record's rendered message (and its exception text) before handlers see it."""

    def filter(self, record: logging.LogRecord) -> bool:
        keys = _live_keys()
        if not keys:
            return True
        message = original = record.getMessage()
        message = _scrub_all(message, keys)
        if message != original:
            record.msg, record.args = message, None
        if record.exc_info and record.exc_info[1] is not None:
            text = _scrub_all(logging.Formatter().formatException(record.exc_info), keys)
            record.exc_info, record.exc_text = None, text
        return True


_FILTER = _RedactingFilter()
for _name in REDACTING_LOGGERS:
    _logger = logging.getLogger(_name)
    if _FILTER not in _logger.filters:
        _logger.addFilter(_FILTER)
