"""Turning a successful body into models, or into a :class:`ResponseValidationError`.

JSON is decoded with ``parse_float=Decimal`` so that an amount a server sends as
a JSON number is still exact.  The generated models' ``from_dict`` and the
facade's conversions signal a misfit with the usual built-in exceptions; this
module is the one place that turns those into the typed error, with the
request's method, URL and a redacted body excerpt.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from .._exceptions import ResponseValidationError
from .._http.security import redact_text, safe_url, scrubbing
from .._http.transport import RequestSpec, TransportCore

__all__ = ["decode_json", "json_parser", "parse_bytes"]

T = TypeVar("T")

_MISFITS = (
    KeyError, TypeError, ValueError, AttributeError, IndexError, InvalidOperation, json.JSONDecodeError,
    RecursionError,  # a body nested 100,000 deep
)  # fmt: skip


_decoders = threading.local()


def decode_json(body: bytes) -> object:
    """Decode a JSON body, keeping non-integer numbers exact.

    ``json.loads(body, parse_float=Decimal)``, with the decoder kept (one per thread) rather than built for
    every body: building it costs as much as decoding a few invoices.
    """
    try:
        decoder: json.JSONDecoder = _decoders.decoder
    except AttributeError:
        decoder = _decoders.decoder = json.JSONDecoder(parse_float=Decimal)
    return decoder.decode(body.decode(json.detect_encoding(body), "surrogatepass"))  # as json.loads decodes bytes


def json_parser(parse: Callable[[object], T]) -> Callable[[bytes], T]:
    """A parser of the body's bytes for ``parse``, a parser of decoded JSON (for :func:`parse_bytes`)."""
    return lambda body: parse(decode_json(body))


def parse_bytes(
    body: bytes,
    parse: Callable[[bytes], T],
    *,
    transport: TransportCore,
    spec: RequestSpec,
    status_code: int = 200,
) -> T:
    """``parse(body)`` for a parser that decodes the bytes itself (a typed decoder), with any misfit raised as
    :class:`ResponseValidationError`.

    The message quotes body values, which may be the key echoed back: it is
    built from scrubbed parts only, and raised ``from None`` because the
    original exception's text was not.
    """
    try:
        with scrubbing(transport.api_key):
            return parse(body)
    except _MISFITS as exc:
        try:
            text = str(exc)
        except (ValueError, RecursionError):
            text = ""
        detail = redact_text(f"{type(exc).__name__}: {text}" if text else type(exc).__name__, transport.api_key)
        error = ResponseValidationError(
            f"response does not fit the spec: {detail[:300]}",
            method=spec.method,
            url=safe_url(transport.url(spec)),
            status_code=status_code,
            body=transport.excerpt(body),
        )
    raise error from None
