"""Gcore's own commands (added through the registry): ``invoices get ID``, and ``invoices pdf``, for one invoice
(``pdf ID -o FILE``) or for every invoice a listing selects (``pdf --dir DIR`` with the listing's filters)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ..._exceptions import InvoiceClientsError
from ..._model.invoice import Invoice
from .._registry import get

__all__ = ["add_commands"]

_PDF_HELP = "Download one Gcore invoice's PDF (ID -o FILE), or every PDF a listing selects (--dir DIR and filters)."
_PDF_EXAMPLES = """
One: invoice-clients invoices pdf 1 -o invoice-1.pdf. Many: invoice-clients invoices pdf --last-month --dir pdfs
--skip-existing.
"""


def add_commands(cli: Any) -> None:
    """Add the commands under ``invoices`` (``cli`` is the command line's ``VendorCommands``)."""
    plugin = get("gcore")

    def get_invoice(invoice_id: int, output_format: str, base_url: str | None) -> None:
        try:
            with cli.client_for(plugin, base_url) as gcore:
                invoice = gcore.invoices.get(invoice_id)
        except InvoiceClientsError as error:
            cli.fail_for(error)
        try:
            cli.write_invoices(cli.scrubbed([invoice]), cli.output_format(output_format), sys.stdout)
            sys.stdout.flush()
        except OSError as error:  # a closed pipe (quiet) or a full disk
            cli.fail_output(None, error)

    def one_pdf(invoice_id: int, output: Path, base_url: str | None, quiet: bool) -> None:
        to_stdout = str(output) == "-"
        try:
            with cli.client_for(plugin, base_url) as gcore:
                size = gcore.invoices.download_pdf(invoice_id, to=sys.stdout.buffer if to_stdout else output)
            if to_stdout:
                sys.stdout.buffer.flush()
        except OSError as error:  # before InvoiceClientsError: LocalFileError is both
            cli.fail_output(None if to_stdout else output, error)
        except InvoiceClientsError as error:
            cli.fail_for(error)
        if not quiet:
            cli.say(f"wrote {size} bytes to {'standard output' if to_stdout else output}")

    def download(gcore: Any, invoice: Invoice, path: Path) -> int:
        size: int = gcore.invoices.download_pdf(int(invoice.id), to=path)
        return size

    def pdf(
        invoice_id: int | None,
        output: Path | None,
        directory: Path | None,
        name: str,
        skip_existing: bool,
        jobs: int,
        quiet: bool,
        base_url: str | None,
        **given: Any,
    ) -> int:
        filters = [option.name for option in filter_options if given.get(option.dest) not in (None, False, ())]
        if invoice_id is not None:
            if directory is not None or filters:
                chosen = "--dir" if directory is not None else filters[0]
                cli.fail(f"ID and {chosen}: give an ID (with -o) or a listing's filters (with --dir)", cli.usage)
            if output is not None:
                one_pdf(invoice_id, cli.output_path(output, "--output", {"vendor": plugin.name}), base_url, quiet)
                return 0
            cli.fail("ID needs -o FILE (- for standard output)", cli.usage)
        if output is not None:
            cli.fail("-o is for one invoice (ID -o FILE); a listing's PDFs go to --dir DIR", cli.usage)
        if directory is None:
            cli.fail("give an ID and -o FILE, or --dir DIR for every invoice a listing selects", cli.usage)
        batch = cli.batch(directory, cli.name_template(name), skip_existing, jobs)
        status: int = cli.pdf_batch(plugin, base_url, given, batch, quiet, download)
        return status

    format_option = cli.format_option(cli.output_format.TABLE)
    invoice_id = cli.argument("invoice_id", "ID", "The Gcore ERP invoice id.", "int")
    cli.add_command(
        cli.command(
            "get", "Show one Gcore invoice.", get_invoice, (format_option, cli.base_url_option), (invoice_id,),
            epilog=cli.epilog,
        )
    )  # fmt: skip
    filter_options = cli.listing_options(plugin)
    pdf_options = (
        cli.option("output", ("--output", "-o"), "One invoice: where to write its PDF (- for standard output).",
                   "path", "FILE"),
        cli.option("directory", ("--dir",), "A listing: the folder for its PDFs (created if missing).", "path", "DIR"),
        cli.option("name", ("--name",), "A listing: each file's name (fields below).", "str", "TEMPLATE",
                   default=cli.default_name),
        cli.option("skip_existing", ("--skip-existing",), "A listing: keep files that are already whole PDFs.",
                   "bool"),
        cli.option("jobs", ("--jobs", "-j"), f"A listing: PDFs fetched at once (1-{cli.max_jobs}).", "int", "N",
                   default=cli.default_jobs),
        cli.quiet_option,
        cli.base_url_option,
        *filter_options,
    )  # fmt: skip
    optional_id = cli.argument("invoice_id", "ID", "One Gcore ERP invoice id (or none: --dir).", "int", required=False)
    epilog = "\n".join((_PDF_EXAMPLES, cli.batch_help, cli.epilog))
    cli.add_command(cli.command("pdf", _PDF_HELP, pdf, pdf_options, (optional_id,), epilog=epilog))
