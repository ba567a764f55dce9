"""Where a downloaded PDF goes: bytes in memory, or streamed to a path or binary file.

A download streams into a spooled temporary file (memory up to a few MiB, disk
beyond), restarted from scratch on every retry, and is delivered to the caller's
destination only once complete and checked (see :mod:`._body`): a retried or
failed download never leaves a truncated PDF behind.  A path is written
atomically: a sibling temporary file, created with mode 0666 so that the umask
decides the final permissions as for any new file (``tempfile.mkstemp`` would
force 0600), then renamed over the destination.  Any local failure is a
:class:`~invoice_clients.LocalFileError`: both an ``InvoiceClientsError`` and
an ``OSError``, naming the path.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import BinaryIO

from ._exceptions import LocalFileError

__all__ = ["Destination", "Spool"]

Destination = str | os.PathLike[str] | BinaryIO
_IN_MEMORY = 8 * 1024 * 1024


def _local_error(exc: OSError, path: object) -> LocalFileError:
    return LocalFileError(exc.errno or errno.EIO, exc.strerror or type(exc).__name__, os.fspath(str(path)))


class Spool:
    """A restartable buffer for one download, bound for ``destination`` (checked before anything is sent)."""

    def __init__(self, destination: Destination | None = None) -> None:
        if isinstance(destination, str | os.PathLike):
            path = Path(destination)
            if not path.parent.is_dir():
                raise LocalFileError(errno.ENOENT, "No such directory to write into", str(path))
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
            raise _local_error(exc, tempfile.gettempdir()) from None

    def _restart(self) -> None:
        self._file.seek(0)
        self._file.truncate()

    def deliver(self, destination: Destination) -> None:
        """Copy the completed body to a path (atomically) or into a binary file object."""
        self._file.seek(0)
        if not isinstance(destination, str | os.PathLike):
            try:
                shutil.copyfileobj(self._file, destination)
            except OSError as exc:
                raise _local_error(exc, getattr(destination, "name", "the file object")) from None
            return
        path = Path(destination)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            try:
                with os.fdopen(fd, "wb") as out:
                    shutil.copyfileobj(self._file, out)
                os.replace(tmp, path)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        except OSError as exc:
            failed_on = path if exc.filename in (None, str(tmp), os.fspath(tmp)) else exc.filename
            raise _local_error(exc, failed_on) from None

    def close(self) -> None:
        self._file.close()
