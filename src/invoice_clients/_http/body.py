"""Reading a response body from a hostile server: bounded decompression, a size limit, PDF checks.

httpx's own decoders inflate each received chunk in one go, so a 64 KiB chunk
of a gzip bomb becomes tens of MiB before anyone can count it.  The sender
therefore reads raw bytes and decodes them here with ``zlib``'s ``max_length``,
a slice at a time, counting decoded bytes against the limit as they appear:
memory stays bounded by the limit, whatever the compression ratio.  Only the
codings the clients ask for (``gzip``, ``deflate``) are accepted.

A PDF is checked as it streams: the media type, the ``%PDF-`` signature, and,
when the body had no framing (no Content-Length, not chunked: it simply ends
when the connection closes), the ``%%EOF`` marker every PDF ends with, which is
the only way to tell a complete document from one cut mid-way.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import httpx

from .._exceptions import APIConnectionError, ResponseTooLargeError, ResponseValidationError
from .security import safe_url

__all__ = ["ACCEPT_ENCODING", "PDF_MEDIA_TYPES", "BodyReader"]

ACCEPT_ENCODING = "gzip, deflate"
PDF_MEDIA_TYPES = frozenset({"application/pdf", "application/octet-stream"})
_SLICE = 64 * 1024  # decoded bytes produced per decompression step
_PDF_SIGNATURE = b"%PDF-"
_PDF_END = b"%%EOF"
_PDF_TAIL = 1024  # readers look for %%EOF within the last KiB


class _Inflater:
    """One ``gzip``/``deflate`` layer, decoded a slice at a time."""

    def __init__(self, coding: str) -> None:
        self._gzip = coding in {"gzip", "x-gzip"}
        # gzip: header required; deflate: zlib-wrapped, or raw (servers get this wrong), decided on first bytes
        self._zlib = zlib.decompressobj(31 if self._gzip else 15)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not self._started and not self._gzip and data:
            self._started = True
            if (data[0] & 0x0F) != 8:  # not a zlib header: raw deflate
                self._zlib = zlib.decompressobj(-15)
        while data and not self._zlib.eof:
            out = self._zlib.decompress(data, _SLICE)
            data = self._zlib.unconsumed_tail
            if out:
                yield out

    def finish(self) -> Iterator[bytes]:
        out = self._zlib.flush()
        if out:
            yield out
        if not self._zlib.eof:
            raise zlib.error("the compressed body ends before its end marker")


class BodyReader:
    """Turns one response's raw chunks into decoded, counted (and, for a PDF, checked) chunks."""

    def __init__(self, response: httpx.Response, *, limit: int, method: str, url: str, pdf: bool) -> None:
        """``url`` as requested: its user-info is removed (by parsing it) only for an error's message."""
        self._limit, self._method, self._url, self._pdf = limit, method, url, pdf
        self._size = 0
        self._head = b""
        self._tail = b""
        codings = [c.strip().lower() for c in response.headers.get("Content-Encoding", "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in {"gzip", "x-gzip", "deflate"}):
            raise self.invalid(f"unsupported Content-Encoding {response.headers['Content-Encoding']!r}"[:120])
        self._inflater = _Inflater(codings[0]) if codings else None
        declared = response.headers.get("Content-Length", "")
        # 19 digits or more is over any limit: refused as well, without handing int() a string of any length
        if not codings and declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
            raise self.too_large(f"Content-Length {declared}")
        transfer = response.headers.get("Transfer-Encoding", "").lower()
        self._framed = bool(declared) or "chunked" in transfer or response.http_version.startswith("HTTP/2")
        if pdf:
            media_type = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
            if media_type not in PDF_MEDIA_TYPES:
                raise self.invalid(f"expected a PDF, got Content-Type {media_type or 'none'!r}"[:120])

    def invalid(self, message: str) -> ResponseValidationError:
        return ResponseValidationError(message, method=self._method, url=safe_url(self._url), status_code=200)

    def too_large(self, what: str) -> ResponseTooLargeError:
        return ResponseTooLargeError(
            f"response body larger than the limit of {self._limit} bytes ({what})",
            method=self._method,
            url=safe_url(self._url),
        )

    def feed(self, raw: bytes) -> Iterator[bytes]:
        """The decoded chunks of one raw chunk."""
        try:
            yield from self._counted(self._inflater.feed(raw) if self._inflater else iter((raw,)))
        except zlib.error as exc:
            raise self.invalid(f"the body cannot be decoded: {exc}") from None

    def finish(self) -> Iterator[bytes]:
        """What the decoder still held; then the end-of-body checks."""
        try:
            yield from self._counted(self._inflater.finish() if self._inflater else iter(()))
        except zlib.error as exc:
            raise self.invalid(f"the body cannot be decoded: {exc}") from None
        if self._pdf:
            if not self._head.startswith(_PDF_SIGNATURE):
                raise self.invalid("expected a PDF, but the body does not start with %PDF-")
            if not self._framed and _PDF_END not in self._tail:
                raise APIConnectionError(
                    "the PDF ended without its %%EOF marker on a connection with no length or chunked framing:"
                    " the body was cut",
                    method=self._method,
                    url=safe_url(self._url),
                )

    def _counted(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            self._size += len(chunk)
            if self._size > self._limit:
                raise self.too_large("more was still coming")
            if self._pdf:
                if len(self._head) < len(_PDF_SIGNATURE):
                    self._head += chunk[: len(_PDF_SIGNATURE) - len(self._head)]
                    if not _PDF_SIGNATURE.startswith(self._head):
                        raise self.invalid("expected a PDF, but the body does not start with %PDF-")
                self._tail = (self._tail + chunk)[-_PDF_TAIL:]
            yield chunk
