"""Standard output that fails: a closed pipe ends the command quietly, a full disk is one line and exit code 8.

``invoice-clients invoices list | head`` closes the pipe after ten lines; the
next write fails with ``EPIPE``.  That is the reader's choice, not an error:
the command ends with no message and no traceback, with the status a program
killed by ``SIGPIPE`` has in a shell (141), and standard output is pointed at
``/dev/null`` so that the interpreter's last flush at exit has somewhere to go
(it would otherwise print "Exception ignored ... BrokenPipeError").  Standard
output on a full disk or a failing device (``> /dev/full``) is an output that
cannot be written, as for ``-o``: one line, exit code 8.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable

from ._exit import ExitCode

__all__ = ["guarded", "stdout_closed"]

_CANNOT_WRITE = frozenset({errno.ENOSPC, errno.EFBIG, errno.EIO, getattr(errno, "EDQUOT", errno.ENOSPC)})
"""What a write to standard output fails with when the disk or device behind it does."""


def stdout_closed() -> int:
    """Standard output's reader has gone: silence it for good, and return the exit status to end with."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
    except (OSError, ValueError):  # no file descriptor behind sys.stdout (replaced, or closed): nothing to silence
        pass
    return int(ExitCode.STDOUT_CLOSED)


def guarded(run: Callable[[], int]) -> int:
    """``run()``'s exit status, with standard output flushed; a write to standard output that escaped the command's
    own handling ends as the module docstring says."""
    try:
        status = run()
        sys.stdout.flush()
    except OSError as error:
        if error.errno == errno.EPIPE:
            return stdout_closed()
        if error.errno not in _CANNOT_WRITE:
            raise
        print(f"invoice-clients: error: cannot write standard output: {error.strerror}", file=sys.stderr)
        return int(ExitCode.OUTPUT_FILE)
    return status
