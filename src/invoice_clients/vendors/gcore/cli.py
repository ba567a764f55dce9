"""Gcore's own commands: ``invoices get ID`` and ``invoices pdf ID -o FILE`` (added through the registry)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ..._exceptions import InvoiceClientsError
from .._registry import get

__all__ = ["add_commands"]


def add_commands(cli: Any) -> None:
    """Add the commands under ``invoices`` (``cli`` is the command line's ``VendorCommands``)."""
    invoice_id = cli.argument("invoice_id", "ID", "The Gcore ERP invoice id.", "int")

    def get_invoice(invoice_id: int, output_format: str, base_url: str | None) -> None:
        try:
            with cli.client_for(get("gcore"), base_url) as gcore:
                invoice = gcore.invoices.get(invoice_id)
        except InvoiceClientsError as error:
            cli.fail_for(error)
        try:
            cli.write_invoices(cli.scrubbed([invoice]), cli.output_format(output_format), sys.stdout)
            sys.stdout.flush()
        except OSError as error:  # a closed pipe (quiet) or a full disk
            cli.fail_output(None, error)

    def download_pdf(invoice_id: int, output: Path, base_url: str | None) -> None:
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
        cli.say(f"wrote {size} bytes to {'standard output' if to_stdout else output}")

    format_option = cli.format_option(cli.output_format.TABLE)
    cli.add_command(
        cli.command("get", "Show one Gcore invoice.", get_invoice, (format_option, cli.base_url_option), (invoice_id,))
    )
    help_ = "Where to write the PDF (- for standard output)."
    output = cli.option("output", ("--output", "-o"), help_, "path", "FILE", required=True)
    pdf_options = (output, cli.base_url_option)
    cli.add_command(cli.command("pdf", "Download a Gcore invoice's PDF.", download_pdf, pdf_options, (invoice_id,)))
