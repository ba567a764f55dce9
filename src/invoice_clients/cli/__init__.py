"""The ``invoice-clients`` command line (``python -m invoice_clients`` too).

Built on the standard library's argparse (:mod:`._parser`), with our own words for every usage error and our
own help (:mod:`._help`), and rich for tables and the progress line; see :mod:`._app` for
the commands and :mod:`._exit` for the documented exit codes.
"""

from __future__ import annotations

from ._app import main
from ._exit import ExitCode

__all__ = ["ExitCode", "main"]
