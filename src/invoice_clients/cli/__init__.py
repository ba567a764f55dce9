"""The ``invoice-clients`` command line (``python -m invoice_clients`` too).

Built on typer and rich; see :mod:`invoice_clients.cli._app` for the commands
and :mod:`invoice_clients.cli._exit` for the documented exit codes.
"""

from __future__ import annotations

from ._app import app, main
from ._exit import ExitCode

__all__ = ["ExitCode", "app", "main"]
