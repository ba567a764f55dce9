"""Switchable faults: what can go wrong between a client and a real API, on demand.

Each :class:`Fault` is queued with :meth:`Sandbox.inject <invoice_clients.testing.Sandbox.inject>`
and hits the next matching requests (``times`` of them, or every one with
``times=None``), so a test states exactly which attempt fails and how:

    >>> sandbox.inject(Fault.rate_limit(retry_after=0.05))      # next request: 429
    >>> sandbox.inject(Fault.status(502), path="/download", times=2)
    >>> sandbox.inject(Fault.latency(0.2), times=None)           # every request, until cleared

Scope: a fault hits only requests to its ``vendor``'s API (a registered vendor's
name; inferred from ``path`` when that names one API's prefix) or to any API if
it names none.  A fault not used up stays queued until it is, until
:meth:`Sandbox.clear_faults` or until a client made by the sandbox
(``sandbox.client(vendor)``...) is closed: closing it drops the faults that could
hit it (its vendor's and the unscoped ones), so a fault meant for one client
never fires on a later, unrelated one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

__all__ = ["Fault", "FaultKind", "FaultPlan", "VendorName"]

FaultKind = Literal["latency", "status", "drop", "hang", "truncate"]
VendorName = str
"""A registered vendor's name."""


@dataclass(frozen=True, slots=True)
class Fault:
    """One misbehaviour of the server for one request."""

    kind: FaultKind
    """What goes wrong; the class methods build each kind."""
    code: int = 503
    """The status answered (``"status"`` faults)."""
    retry_after: str | None = None
    """The ``Retry-After`` header sent, if any."""
    delay: float = 0.0
    """Seconds of latency, or of silence before the connection is closed (``"hang"``)."""
    body: str | None = None
    """The error body sent instead of the vendor's default (``{authorization}`` is replaced by the request's)."""

    @classmethod
    def latency(cls, seconds: float) -> Fault:
        """Answer normally, but only after ``seconds``."""
        return cls("latency", delay=seconds)

    @classmethod
    def status(cls, code: int, *, retry_after: float | str | None = None, body: str | None = None) -> Fault:
        """Answer ``code`` with an error body (and ``Retry-After`` if given) instead of the real answer.

        ``body`` replaces the default JSON error; ``{authorization}`` in it is replaced by the
        request's ``Authorization`` header, to play a careless server that echoes credentials.
        """
        return cls("status", code=code, retry_after=None if retry_after is None else str(retry_after), body=body)

    @classmethod
    def rate_limit(cls, *, retry_after: float | str | None = 1) -> Fault:
        """Answer 429 Too Many Requests with ``Retry-After``."""
        return cls.status(429, retry_after=retry_after)

    @classmethod
    def drop(cls) -> Fault:
        """Close the connection without answering."""
        return cls("drop")

    @classmethod
    def timeout(cls, seconds: float) -> Fault:
        """Hang for ``seconds`` (longer than the client's read timeout), then close without answering."""
        return cls("hang", delay=seconds)

    @classmethod
    def truncate(cls) -> Fault:
        """Send the headers (full ``Content-Length``) and half the body, then close the connection."""
        return cls("truncate")


@dataclass
class _Entry:
    fault: Fault
    remaining: int | None
    path: str | None
    vendor: VendorName | None


class FaultPlan:
    """The queue of injected faults; thread-safe."""

    def __init__(self, vendors: set[str] | frozenset[str] = frozenset()) -> None:
        self._vendors = frozenset(vendors)
        self._entries: list[_Entry] = []
        self._lock = threading.Lock()

    def add(
        self, fault: Fault, *, times: int | None = 1, path: str | None = None, vendor: VendorName | None = None
    ) -> None:
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for every request)")
        if vendor is not None and vendor not in self._vendors:
            names = ", ".join(repr(name) for name in sorted(self._vendors))
            raise ValueError(f"vendor must be one of {names} or None, got {vendor!r}")
        with self._lock:
            self._entries.append(_Entry(fault, times, path, vendor))

    def clear(self, vendor: VendorName | None = None) -> None:
        """Drop every queued fault, or (with ``vendor``) those that could hit that vendor's API."""
        with self._lock:
            if vendor is None:
                self._entries.clear()
            else:
                self._entries[:] = [entry for entry in self._entries if entry.vendor not in (None, vendor)]

    def take(self, path: str, vendor: VendorName | None = None) -> Fault | None:
        """The fault for a request to ``path`` (of ``vendor``'s API), if any, consuming one use of it."""
        with self._lock:
            for entry in self._entries:
                if entry.path is not None and entry.path not in path:
                    continue
                if entry.vendor is not None and entry.vendor != vendor:
                    continue
                if entry.remaining is not None:
                    entry.remaining -= 1
                    if entry.remaining == 0:
                        self._entries.remove(entry)
                return entry.fault
        return None
