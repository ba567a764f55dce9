"""Read a vendor's OpenAPI document from its URL or from a local file.

The drift check runs unattended (a scheduled workflow), so every way of not
getting a usable document (no connection, no answer, an HTTP error status, a
body that is not YAML or not OpenAPI) is one :class:`ToolchainError` line that
names the URL or file, and never a traceback.  Only http(s) and local paths are
accepted: tests and CI point ``--upstream`` at a loopback server or a file.
"""

from __future__ import annotations

import hashlib
import http.client
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.documents import check_openapi
from scripts.errors import ToolchainError
from scripts.yamlio import load_yaml_text

__all__ = ["TIMEOUT", "URL", "Fetched", "fetch"]

TIMEOUT = 30.0  # seconds to connect, and between bytes of the answer
URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class Fetched:
    """An upstream document as fetched: where from, its raw bytes, and the parsed document."""

    source: str
    raw: bytes
    document: dict[str, Any]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


def fetch(source: str, timeout: float | None = None) -> Fetched:
    """The OpenAPI document at ``source``, an http(s) URL or a file path (relative to the working directory)."""
    raw = _download(source, TIMEOUT if timeout is None else timeout) if URL.match(source) else _read(source)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ToolchainError(source, f"malformed document: not UTF-8 text (byte {exc.start})") from None
    return Fetched(source, raw, check_openapi(load_yaml_text(text, source), source))


def _download(url: str, timeout: float) -> bytes:
    if not url.lower().startswith(("http://", "https://")):
        raise ToolchainError(url, "only http(s) URLs and local files can be fetched")
    accept = {"Accept": "application/yaml, application/json;q=0.9, */*;q=0.1"}
    request = urllib.request.Request(url, headers=accept)  # noqa: S310 (http(s) only, checked above)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) only, checked above)
            body: bytes = response.read()
            return body
    except urllib.error.HTTPError as exc:
        raise ToolchainError(url, f"HTTP {exc.code} {exc.reason}".rstrip()) from None
    except TimeoutError:
        raise ToolchainError(url, f"unreachable: no answer within {timeout:g} s") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise ToolchainError(url, f"unreachable: no answer within {timeout:g} s") from None
        raise ToolchainError(url, f"unreachable: {reason}") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:  # dropped half-way, a bad URL, ...
        raise ToolchainError(url, f"unreachable: {type(exc).__name__}: {exc}".rstrip(": ")) from None


def _read(source: str) -> bytes:
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise ToolchainError(source, f"cannot read: {exc.strerror or exc}") from None
