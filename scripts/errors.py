"""The one error type the toolchain raises for bad input.

Every failure a maintainer can cause (a malformed file, a stale overlay, a
generator warning) is reported as a single line that names the file and the
place in it, so that CI logs point straight at the thing to fix.
"""

from __future__ import annotations

__all__ = ["ToolchainError"]


class ToolchainError(Exception):
    """Bad input to the toolchain, reported as ``where: what``.

    ``where`` names a file and, when known, the place in it
    (``overlays/x.yaml:12: actions[3]``); ``what`` says what is wrong.
    """

    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where}: {what}")
        self.where = where
        self.what = what
