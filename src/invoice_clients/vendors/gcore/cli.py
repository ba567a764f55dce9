"""Gcore's own commands: ``invoices get ID`` and ``invoices pdf ID -o FILE`` (added through the registry)."""

# No `from __future__ import annotations`: typer reads the annotations, which name classes imported below.
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..._exceptions import InvoiceClientsError
from .._registry import get

__all__ = ["add_commands"]


def add_commands(cli: Any) -> None:
    """Add the commands to ``cli.invoices_app`` (``cli`` is the command line's context)."""
    from ...cli._app import BaseUrl
    from ...cli._output import OutputFormat

    invoices_app: typer.Typer = cli.invoices_app

    @invoices_app.command("get")
    def get_invoice(
        invoice_id: Annotated[int, typer.Argument(metavar="ID", help="The Gcore ERP invoice id.")],
        output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
            OutputFormat.TABLE
        ),
        base_url: BaseUrl = None,
    ) -> None:
        """Show one Gcore invoice."""
        try:
            with cli.client_for(get("gcore"), base_url) as gcore:
                invoice = gcore.invoices.get(invoice_id)
        except InvoiceClientsError as error:
            cli.fail_for(error)
        try:
            cli.write_invoices(cli.scrubbed([invoice]), output_format, sys.stdout)
            sys.stdout.flush()
        except OSError as error:  # a closed pipe (quiet) or a full disk
            cli.fail_output(None, error)

    @invoices_app.command("pdf")
    def download_pdf(
        invoice_id: Annotated[int, typer.Argument(metavar="ID", help="The Gcore ERP invoice id.")],
        output: Annotated[
            Path, typer.Option("--output", "-o", metavar="FILE", help="Where to write the PDF (- for stdout).")
        ],
        base_url: BaseUrl = None,
    ) -> None:
        """Download a Gcore invoice's PDF."""
        to_stdout = str(output) == "-"
        try:
            with cli.client_for(get("gcore"), base_url) as gcore:
                size = gcore.invoices.download_pdf(invoice_id, to=sys.stdout.buffer if to_stdout else output)
            if to_stdout:
                sys.stdout.buffer.flush()
        except OSError as error:  # before InvoiceClientsError: LocalFileError is both
            cli.fail_output(None if to_stdout else output, error)
        except InvoiceClientsError as error:
            cli.fail_for(error)
        cli.stderr.print(f"wrote {size} bytes to {'standard output' if to_stdout else output}", markup=False)
