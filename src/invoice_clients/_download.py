"""Where a downloaded PDF goes: bytes in memory, or streamed to a path or binary file.

A download streams into a spooled temporary file (memory up to a few MiB, disk
beyond), restarted from scratch on every retry, and is delivered to the caller's
destination only once complete: a retried or failed download never leaves a
truncated PDF behind.  A path is written atomically (temporary file + rename).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["Destination", "Spool"]

Destination = str | os.PathLike[str] | BinaryIO
_IN_MEMORY = 8 * 1024 * 1024


class Spool:
    """A restartable buffer for one download."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)  # noqa: SIM115 - closed in close()

    def consume(self, chunks: Iterator[bytes]) -> int:
        """Store one attempt's body, discarding any earlier attempt; return its size."""
        self._restart()
        for chunk in chunks:
            self._file.write(chunk)
        return self._file.tell()

    async def aconsume(self, chunks: AsyncIterator[bytes]) -> int:
        """The async twin of :meth:`consume`."""
        self._restart()
        async for chunk in chunks:
            self._file.write(chunk)
        return self._file.tell()

    def _restart(self) -> None:
        self._file.seek(0)
        self._file.truncate()

    def deliver(self, destination: Destination) -> None:
        """Copy the completed body to a path (atomically) or into a binary file object."""
        self._file.seek(0)
        if isinstance(destination, str | os.PathLike):
            path = Path(destination)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
            try:
                with os.fdopen(fd, "wb") as out:
                    shutil.copyfileobj(self._file, out)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        else:
            shutil.copyfileobj(self._file, destination)

    def close(self) -> None:
        self._file.close()
