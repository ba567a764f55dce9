"""JSON bodies read without a typed decoder: numbers kept exact, and a misfit always a ``ValueError``.

A parser signals a body that does not fit with a ``ValueError`` naming the place (msgspec's own errors are
``ValueError`` too); the sender turns it into the typed error naming the request
(:meth:`invoice_clients._http.sender.Sender.parse`).  JSON read without a typed decoder is decoded with
``parse_float=Decimal``, so that an amount a server sends as a JSON number is still exact.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TypeVar

__all__ = ["GENERATED_MISFITS", "decode_json", "json_parser"]

T = TypeVar("T")

_NOT_VALUE_ERRORS = (KeyError, TypeError, AttributeError, IndexError, InvalidOperation)
GENERATED_MISFITS = (ValueError, *_NOT_VALUE_ERRORS)
"""What code reading decoded JSON with the generated models raises on data that does not fit: their
``from_dict`` checks nothing, and fails with whatever a missing key or a value of another type raises."""


_decoders = threading.local()


def decode_json(body: bytes) -> object:
    """Decode a JSON body, keeping non-integer numbers exact.

    ``json.loads(body, parse_float=Decimal)``, with the decoder kept (one per thread) rather than built for
    every body: building it is not cheap.
    """
    try:
        decoder: json.JSONDecoder = _decoders.decoder
    except AttributeError:
        decoder = _decoders.decoder = json.JSONDecoder(parse_float=Decimal)
    return decoder.decode(body.decode(json.detect_encoding(body), "surrogatepass"))  # as json.loads decodes bytes


def json_parser(parse: Callable[[object], T]) -> Callable[[bytes], T]:
    """A parser of the body's bytes for ``parse``, which reads decoded JSON with generated models (a vendor
    without a typed decoder): their misfits become a ``ValueError``, which the sender reports as a
    :class:`~invoice_clients.ResponseValidationError`."""

    def parser(body: bytes) -> T:
        data = decode_json(body)
        try:
            return parse(data)
        except _NOT_VALUE_ERRORS as exc:
            raise ValueError(f"{type(exc).__name__}: {exc}") from None

    return parser
