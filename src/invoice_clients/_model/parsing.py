"""Turning a successful body into models, or into a :class:`ResponseValidationError`.

A parser signals a body that does not fit with a ``ValueError`` naming the place (msgspec's own errors are
``ValueError`` too), or a ``RecursionError`` for a body nested too deep; :func:`parse_bytes` is the one place
that turns those into the typed error, with the request's method, URL and a redacted body excerpt.  Any other
exception is a bug, and surfaces as one.  JSON read without a typed decoder is decoded with
``parse_float=Decimal``, so that an amount a server sends as a JSON number is still exact.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from .._exceptions import RequestDetails, ResponseValidationError
from .._http.security import redact_text, safe_url, scrubbing
from .._http.transport import RequestSpec, TransportCore

__all__ = ["GENERATED_MISFITS", "decode_json", "json_parser", "parse_bytes", "request_details"]

T = TypeVar("T")

_MISFITS = (ValueError, RecursionError)  # RecursionError: a body nested 100,000 deep
_NOT_VALUE_ERRORS = (KeyError, TypeError, AttributeError, IndexError, InvalidOperation)
GENERATED_MISFITS = (ValueError, *_NOT_VALUE_ERRORS)
"""What code reading decoded JSON with the generated models raises on data that does not fit: their
``from_dict`` checks nothing, and fails with whatever a missing key or a value of another type raises."""


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
    """A parser of the body's bytes for ``parse``, which reads decoded JSON with generated models (for
    :func:`parse_bytes`; a vendor without a typed decoder): their misfits become a ``ValueError``."""

    def parser(body: bytes) -> T:
        data = decode_json(body)
        try:
            return parse(data)
        except _NOT_VALUE_ERRORS as exc:
            raise ValueError(f"{type(exc).__name__}: {exc}") from None

    return parser


def request_details(transport: TransportCore, spec: RequestSpec, status_code: int = 200) -> RequestDetails:
    """Where a body came from (method, URL without credentials, status): what a misfit found in it later names."""
    return {"method": spec.method, "url": safe_url(transport.url(spec)), "status_code": status_code}


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
