"""Where a downloaded PDF goes: bytes in memory, or streamed to a path or binary file.

A download streams into a spooled temporary file (memory up to a few MiB, disk
beyond), restarted from scratch on every retry, and is delivered to the caller's
destination only once complete and checked (see :mod:`invoice_clients._http.body`): a retried or
failed download never leaves a truncated PDF behind.  A path is written by the
rules of :mod:`._destination` (atomically for a regular file, through a link to
its target, in place for a device or FIFO), the same as the command line's
``-o``.  Any local failure is a :class:`~invoice_clients.LocalFileError`: both
an ``InvoiceClientsError`` and an ``OSError``, naming the path.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from typing import BinaryIO

from ._destination import OutputPath, local_error

__all__ = ["Destination", "Spool"]

Destination = str | os.PathLike[str] | BinaryIO
_IN_MEMORY = 8 * 1024 * 1024


class Spool:
    """A restartable buffer for one download, bound for ``destination`` (a path is followed, and a missing
    directory reported, before anything is sent)."""

    def __init__(self, destination: Destination | None = None) -> None:
        self._path = OutputPath.of(destination) if isinstance(destination, str | os.PathLike) else None
        self._file = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)  # noqa: SIM115 - closed in close()

    def consume(self, chunks: Iterator[bytes]) -> int:
        """Store one attempt's body, discarding any earlier attempt; return its size."""
        self._restart()
        for chunk in chunks:
            self._write(chunk)
        return self._file.tell()

    async def aconsume(self, chunks: AsyncIterator[bytes]) -> int:
        """The async twin of :meth:`consume`."""
        self._restart()
        async for chunk in chunks:
            self._write(chunk)
        return self._file.tell()

    def _write(self, chunk: bytes) -> None:
        try:
            self._file.write(chunk)
        except OSError as exc:  # the spool rolled over to a full or unwritable temporary directory
            raise local_error(exc, tempfile.gettempdir()) from None

    def _restart(self) -> None:
        self._file.seek(0)
        self._file.truncate()

    def deliver(self, destination: Destination) -> None:
        """Copy the completed body to the path given to the constructor (see :mod:`._destination`), or into
        ``destination``, a binary file object."""
        self._file.seek(0)
        if self._path is not None:
            with self._path.open() as out:
                shutil.copyfileobj(self._file, out)
            return
        assert not isinstance(destination, str | os.PathLike)  # a path was given to the constructor
        try:
            shutil.copyfileobj(self._file, destination)
        except OSError as exc:
            raise local_error(exc, getattr(destination, "name", "the file object")) from None

    def close(self) -> None:
        self._file.close()
