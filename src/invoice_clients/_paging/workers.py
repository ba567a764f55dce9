"""The threads a sync listing prefetches on: daemon threads bound to the listing's cancellation.

Why not ``concurrent.futures.ThreadPoolExecutor``: its threads are joined when
the interpreter exits, so a Ctrl-C that leaves a listing suspended (a script
interrupted in its own loop body keeps the generator alive in the traceback)
made the process wait for every page in flight, up to the read timeout, however
the requests themselves are cancelled.  These threads are daemons: the process
never waits for them; and they run under the listing's
:class:`~invoice_clients._http.cancel.Cancellation` (:func:`invoice_clients._http.cancel.running_under`), so cancelling
it ends their requests within a slice and the threads with them.

Scheduling is the executor's: a call goes to an idle thread if there is one,
else to a new thread while fewer than ``size`` exist; calls queue behind them.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, ParamSpec, TypeVar

from .._http.cancel import Cancellation, running_under

__all__ = ["Workers"]

P = ParamSpec("P")
T = TypeVar("T")
_Job = tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class Workers(Executor):
    """Up to ``size`` daemon threads running calls under ``cancellation``, which shuts them down when cancelled."""

    def __init__(self, size: int, cancellation: Cancellation, name: str = "invoice-clients-prefetch") -> None:
        self._size = size
        self._cancellation = cancellation
        self._name = name
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._idle = threading.Semaphore(0)
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._stopped = False
        cancellation.attach(self)

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        with self._lock:
            if self._stopped:
                raise RuntimeError("cannot schedule new work after shutdown")
            self._jobs.put((future, fn, args, kwargs))
            if not self._idle.acquire(blocking=False) and len(self._threads) < self._size:
                thread = threading.Thread(target=self._work, name=f"{self._name}-{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
        return future

    def _work(self) -> None:
        with running_under(self._cancellation):
            while True:
                job = self._jobs.get()
                if job is None:
                    return
                future, fn, args, kwargs = job
                del job
                if future.set_running_or_notify_cancel():
                    try:
                        result = fn(*args, **kwargs)
                    except BaseException as exc:  # the future carries it to whoever waits
                        future.set_exception(exc)
                    else:
                        future.set_result(result)
                del future, fn, args, kwargs
                self._idle.release()

    def shutdown(self, wait: bool = False, *, cancel_futures: bool = True) -> None:
        """No new calls; calls not started are cancelled; each thread ends after the call it runs, if any.

        (``cancel_futures`` is always true here; ``wait`` joins for as long as it takes: see :meth:`join`.)"""
        with self._lock:
            if not self._stopped:
                self._stopped = True
                while True:
                    try:
                        job = self._jobs.get_nowait()
                    except queue.Empty:
                        break
                    if job is not None:
                        job[0].cancel()
                for _ in self._threads:
                    self._jobs.put(None)
        if wait:
            for thread in self._threads:
                thread.join()

    def join(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds in all for the threads to end (after :meth:`shutdown`)."""
        ends_at = time.monotonic() + timeout
        for thread in list(self._threads):
            if thread is not threading.current_thread():
                thread.join(max(ends_at - time.monotonic(), 0.0))
