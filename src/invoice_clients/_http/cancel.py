"""Cancelling blocking work from outside it: a client's close(), a listing abandoned, Ctrl-C.

Blocking reads cannot be interrupted from another thread, so they are made to
look: the network backend (:mod:`.deadline_backend`) waits in slices of
:data:`SLICE` seconds and, between slices, asks the :class:`Cancellation` the
running call is bound to (:func:`.deadline.bounded`) whether to give up.  A
request so cancelled fails in the middle of its response, which makes httpcore
close its connection: a stalled server holds neither a thread nor a socket for
longer than a slice once nobody wants its answer.

Cancellations form a tree: a client's own (cancelled by ``close()``), and below
it one per listing (cancelled when the listing ends, is closed or dropped, or
raises, ``KeyboardInterrupt`` included).  Cancelling a node cancels the nodes
below it and shuts down the workers attached to it; :meth:`Cancellation.join`
then waits, boundedly, for those workers' threads to end.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

__all__ = ["SLICE", "Cancellation", "Worker", "current", "running_under"]

SLICE = 0.1
"""Seconds a blocking read, write or back-off waits before looking whether it was cancelled."""


class Worker(Protocol):
    """Threads doing work for a cancellation (the prefetch pool): stopped on cancel, joined on :meth:`join`."""

    def shutdown(self) -> None: ...

    def join(self, timeout: float) -> None: ...


class Cancellation:
    """A flag that ends the blocking I/O and back-off of the calls bound to it, and of its children's."""

    __slots__ = ("__weakref__", "_children", "_event", "_lock", "_workers")

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._children: weakref.WeakSet[Cancellation] = weakref.WeakSet()
        self._workers: weakref.WeakSet[Worker] = weakref.WeakSet()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def child(self) -> Cancellation:
        """A new cancellation below this one (cancelled now if this one is)."""
        child = Cancellation()
        with self._lock:
            self._children.add(child)
        if self.cancelled:
            child.cancel()
        return child

    def attach(self, worker: Worker) -> None:
        """Shut ``worker`` down when this is cancelled (at once if it already is); :meth:`join` waits for it."""
        with self._lock:
            self._workers.add(worker)
        if self.cancelled:
            worker.shutdown()

    def cancel(self) -> None:
        """Cancel this and everything below it; idempotent, and safe from any thread."""
        if self._event.is_set():
            return
        self._event.set()
        with self._lock:
            children, workers = list(self._children), list(self._workers)
        for child in children:
            child.cancel()
        for worker in workers:
            worker.shutdown()

    def after_fork(self) -> None:
        """In a forked child: new locks (one a parent thread held at the fork would stay held here), same state."""
        was_cancelled = self.cancelled
        self._event, self._lock = threading.Event(), threading.Lock()
        if was_cancelled:
            self._event.set()
        for child in list(self._children):
            child.after_fork()

    def wait(self, seconds: float) -> bool:
        """Sleep ``seconds``, or less if cancelled meanwhile; whether it was cancelled."""
        return self._event.wait(seconds) if seconds > 0 else self.cancelled

    def join(self, timeout: float) -> None:
        """Wait until the workers attached here and below have ended, for ``timeout`` seconds at most."""
        ends_at = time.monotonic() + timeout
        for worker in self._all_workers():
            worker.join(max(ends_at - time.monotonic(), 0.0))

    def _all_workers(self) -> Iterator[Worker]:
        with self._lock:
            children, workers = list(self._children), list(self._workers)
        yield from workers
        for child in children:
            yield from child._all_workers()


_local = threading.local()


def current() -> Cancellation | None:
    """The cancellation this thread's work runs under (a listing's, in its prefetch threads), if any."""
    found: Cancellation | None = getattr(_local, "cancellation", None)
    return found


@contextmanager
def running_under(cancellation: Cancellation) -> Iterator[None]:
    """Bind the calls this thread makes to ``cancellation`` (see :func:`current`)."""
    previous = current()
    _local.cancellation = cancellation
    try:
        yield
    finally:
        _local.cancellation = previous
