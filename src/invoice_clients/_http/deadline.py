"""A total deadline per call, for blocking I/O too.

httpx's timeouts bound each socket operation, not a request: a server that
sends one byte every couple of seconds never trips a read timeout, and holds a
call for as long as it likes, headers included (httpcore reads the read timeout
once per phase).  The async sender simply cancels the call at its deadline
(``asyncio.timeout``).  Blocking code cannot be cancelled, so the clients this
package creates talk through :class:`DeadlineBackend`: an httpcore network
backend whose every connect, read and write is given the smaller of its own
timeout and the time left before the deadline of the call running on this
thread (:func:`bounded`).  A dribbling server therefore gets a read that times
out exactly at the deadline; nothing needs to be closed from another thread.
The backend lives in :mod:`.deadline_backend` (which imports this module, never the reverse), imported with
the first client: ``import invoice_clients`` does not import httpcore (httpx itself defers it).

The same thread-local state carries the :class:`~.cancel.Cancellation` the
call is bound to: the backend waits in slices and gives up between two once it
is cancelled (see :mod:`.cancel`).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cancel import Cancellation

__all__ = ["bounded", "cancelled", "cap_timeout", "time_left"]

_state = threading.local()
_MIN_WAIT = 0.001  # a socket timeout of 0 would mean non-blocking, not "now"


@contextlib.contextmanager
def bounded(ends_at: float, cancellation: Cancellation | None = None) -> Iterator[None]:
    """Bound the blocking network I/O of this thread (through :class:`DeadlineBackend`) by ``ends_at``, and end it
    early once ``cancellation`` is cancelled."""
    previous = getattr(_state, "ends_at", None), getattr(_state, "cancellation", None)
    _state.ends_at, _state.cancellation = ends_at, cancellation
    try:
        yield
    finally:
        _state.ends_at, _state.cancellation = previous


def cancelled() -> bool:
    """Whether the call running on this thread was cancelled (see :func:`bounded`)."""
    cancellation: Cancellation | None = getattr(_state, "cancellation", None)
    return cancellation is not None and cancellation.cancelled


def time_left() -> float | None:
    """Seconds before this thread's deadline (``None`` outside :func:`bounded`)."""
    ends_at: float | None = getattr(_state, "ends_at", None)
    return None if ends_at is None else ends_at - time.monotonic()


def cap_timeout(timeout: float | None) -> float | None:
    """``timeout``, shortened to the time left before this thread's deadline (never below a millisecond)."""
    left = time_left()
    if left is None:
        return timeout
    left = max(left, _MIN_WAIT)
    return left if timeout is None else min(timeout, left)
