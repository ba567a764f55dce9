"""Writing to a path the user named, whatever is there: the one code path of ``download_pdf(to=)``, ``export -o``
and ``pdf -o``.

The rules (docs/guarantees.md, "Output files"):

- A regular file, or a path where nothing exists yet, is written atomically: a temporary file beside it, renamed
  over it only once everything was written, so a failure half-way (the network, a full disk, Ctrl-C) leaves the
  previous file as it was and no temporary file behind.  An existing file keeps its mode (and owner and group,
  where the process may set them); a new one gets ``0666`` less the umask, as ``open()`` would give it.
- A symbolic link is followed: its final target is written atomically, beside the target, and the link stays.
- Anything that is not a regular file is written in place, streamed, and never replaced: a character device
  (``/dev/null``; ``/dev/full`` fails with "No space left on device"), a FIFO (its reader gets the bytes), a Unix
  socket (connected to, as a stream).  A name of one of this process's own descriptors (``/dev/stdout``,
  ``/dev/fd/N``, ``/proc/self/fd/N``) writes to that descriptor, wherever it leads (a pipe, a terminal, the file
  the shell opened, at the shell's offset).
- Every local failure, at any point (opening, writing, flushing, closing, renaming), is a
  :class:`~invoice_clients.LocalFileError` naming the path as the user gave it, never a temporary name.

Where a path leads is decided once, by :meth:`OutputPath.of`, before anything is fetched: a missing directory is
reported before a request is sent.
"""

from __future__ import annotations

import errno
import io
import os
import secrets
import socket
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from enum import Enum
from typing import IO

from ._exceptions import LocalFileError

__all__ = ["OutputKind", "OutputPath", "local_error"]

_MAX_LINKS = 40  # as the kernel's own limit on symbolic links followed in one lookup


class OutputKind(Enum):
    """How a path is written."""

    ATOMIC = "atomic"
    """A regular file or a new one: a temporary file beside it, renamed over it at the end."""
    IN_PLACE = "in place"
    """A device or a FIFO: opened and written, streamed."""
    SOCKET = "socket"
    """A Unix socket: connected to and written, streamed."""
    DESCRIPTOR = "descriptor"
    """One of this process's own file descriptors, named through ``/proc/self/fd`` (``/dev/stdout``)."""


def local_error(exc: OSError, path: object) -> LocalFileError:
    """``exc`` as a one-line :class:`LocalFileError` naming ``path``."""
    return LocalFileError(exc.errno or errno.EIO, exc.strerror or str(exc) or type(exc).__name__, os.fspath(str(path)))


@dataclass(frozen=True, slots=True)
class OutputPath:
    """Where writing to ``path`` really goes (see the module docstring)."""

    path: str
    """As the user named it: what messages say."""
    kind: OutputKind
    target: str
    """The file that is written (the end of any links), or for :attr:`OutputKind.DESCRIPTOR` the descriptor."""
    mode: int | None = None
    """An existing regular file's permission bits (kept), else ``None`` (a new file: the umask decides)."""
    owner: tuple[int, int] | None = None
    """An existing regular file's owner and group (kept where the process may set them)."""

    @classmethod
    def of(cls, path: str | os.PathLike[str]) -> OutputPath:
        """Follow ``path`` to what would be written; a :class:`LocalFileError` if nothing can be (no such directory,
        a directory, a loop of links)."""
        named = os.fspath(path)
        current = os.path.join(os.getcwd(), named)  # not abspath: ".." after a link is the kernel's to resolve
        for _ in range(_MAX_LINKS):
            descriptor = _own_descriptor(current)
            if descriptor is not None:
                return cls(named, OutputKind.DESCRIPTOR, str(descriptor))
            try:
                found = os.lstat(current)
                link = os.readlink(current) if stat.S_ISLNK(found.st_mode) else None
            except FileNotFoundError:  # (a link removed since lstat too: nothing is there now)
                directory, name = os.path.split(current)
                if not os.path.isdir(directory):
                    raise LocalFileError(errno.ENOENT, "No such directory to write into", named) from None
                return cls(named, OutputKind.ATOMIC, os.path.join(os.path.realpath(directory), name))
            except OSError as exc:
                raise local_error(exc, named) from None
            if link is not None:
                current = os.path.join(os.path.realpath(os.path.dirname(current)), link)
                continue
            if stat.S_ISREG(found.st_mode):
                directory, name = os.path.split(current)
                where = os.path.join(os.path.realpath(directory), name)
                return cls(named, OutputKind.ATOMIC, where, stat.S_IMODE(found.st_mode), (found.st_uid, found.st_gid))
            if stat.S_ISDIR(found.st_mode):
                raise LocalFileError(errno.EISDIR, "Is a directory", named)
            kind = OutputKind.SOCKET if stat.S_ISSOCK(found.st_mode) else OutputKind.IN_PLACE
            return cls(named, kind, current)
        raise LocalFileError(errno.ELOOP, "Too many levels of symbolic links", named)

    @contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        """Open for writing bytes; an atomic write is committed when the block ends without an exception, and
        discarded otherwise.

        Every :class:`OSError` inside the block or while committing becomes a :class:`LocalFileError` naming
        :attr:`path`; a :class:`LocalFileError` raised inside the block is passed on as it is.
        """
        try:
            with self._binary() as binary:
                yield binary
        except LocalFileError:
            raise
        except OSError as exc:
            raise local_error(exc, self.path) from None

    @contextmanager
    def open_text(self, encoding: str = "utf-8") -> Iterator[IO[str]]:
        """As :meth:`open`, for text in ``encoding`` (line ends written as given: CSV brings its own)."""
        with self.open() as binary:
            text = io.TextIOWrapper(binary, encoding=encoding, newline="")
            try:
                yield text
                text.flush()
            finally:
                text.detach()  # the binary file is :meth:`open`'s to close (or commit)

    @contextmanager
    def _binary(self) -> Iterator[IO[bytes]]:
        if self.kind is OutputKind.ATOMIC:
            with self._atomic() as out:
                yield out
            return
        if self.kind is OutputKind.DESCRIPTOR:
            out = os.fdopen(os.dup(int(self.target)), "wb")
        elif self.kind is OutputKind.SOCKET:
            out = _connected(self.target)
        else:  # no O_CREAT: it exists, and is not to be replaced; O_TRUNC means nothing to a device or FIFO
            out = os.fdopen(os.open(self.target, os.O_WRONLY | os.O_TRUNC | _NOCTTY | _CLOEXEC), "wb")
        with out:
            yield out

    @contextmanager
    def _atomic(self) -> Iterator[IO[bytes]]:
        directory, name = os.path.split(self.target)
        temporary = os.path.join(directory, f".{name}.{secrets.token_hex(6)}.part")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _CLOEXEC | getattr(os, "O_BINARY", 0)
        # A new file: 0666 and the kernel applies the umask (and any default ACL), as open() would.  An existing
        # one: created private, then given the old file's mode (asking the umask would change it process-wide).
        fd = os.open(temporary, flags, 0o666 if self.mode is None else 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                if self.mode is not None and hasattr(os, "fchmod"):
                    os.fchmod(out.fileno(), self.mode)
                    if self.owner is not None and hasattr(os, "fchown"):
                        with suppress(OSError):  # only root, or the owner for a group it is in, may
                            os.fchown(out.fileno(), *self.owner)
                yield out
            os.replace(temporary, self.target)
        except BaseException:
            with suppress(OSError):
                os.unlink(temporary)
            raise


_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOCTTY = getattr(os, "O_NOCTTY", 0)  # a terminal named by -o does not become the controlling terminal


def _own_descriptor(path: str) -> int | None:
    """``N`` if ``path`` names this process's descriptor ``N`` through procfs (``/proc/self/fd/N``,
    ``/proc/<pid>/fd/N``, ``/dev/fd/N``, ``/dev/stdout`` once its link is followed)."""
    directory, name = os.path.split(path)
    if not name.isdigit() or not name.isascii():
        return None
    if os.path.realpath(directory) not in {f"/proc/{os.getpid()}/fd", "/dev/fd"}:
        return None
    with suppress(OSError):
        os.fstat(int(name))  # still open
        return int(name)
    return None


_SOCKET_PATH_MAX = 107  # sun_path holds 108 bytes, the last one the terminating NUL


def _connected(path: str) -> IO[bytes]:
    """A stream socket connected to the Unix socket at ``path``, as a binary file.

    A socket's address is limited to 107 bytes, so a socket deep in a directory tree (named relatively by the
    user) is reached through a descriptor of its directory (``/proc/self/fd/N/name``) where procfs has one.
    """
    sock = socket.socket(socket.AF_UNIX)  # a stream socket: the default type
    try:
        if len(os.fsencode(path)) <= _SOCKET_PATH_MAX:
            sock.connect(path)
        else:
            _connect_through_directory(sock, path)
        out = sock.makefile("wb")
    except BaseException:
        sock.close()
        raise
    sock.close()  # the file holds its own reference: the connection closes with it
    return out


def _connect_through_directory(sock: socket.socket, path: str) -> None:
    directory, name = os.path.split(path)
    flags = getattr(os, "O_PATH", os.O_RDONLY) | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC
    fd = os.open(directory, flags)
    try:
        short = f"/proc/self/fd/{fd}/{name}"
        if len(os.fsencode(short)) > _SOCKET_PATH_MAX or not os.path.isdir(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENAMETOOLONG, f"Socket path too long to connect to (over {_SOCKET_PATH_MAX} bytes)")
        sock.connect(short)
    finally:
        os.close(fd)
