"""Gcore's own commands (added through the registry): ``invoices get ID``, and ``invoices pdf``, for one invoice
(``pdf ID -o FILE``) or for every invoice a listing selects (``pdf --dir DIR`` with the listing's filters)."""

from __future__ import annotations

import datetime
import re
import sys
from pathlib import Path
from typing import Any

from ..._exceptions import InvoiceClientsError
from ..._model.invoice import Invoice
from .._registry import get

__all__ = ["add_commands", "describe_filters", "number_filters"]

_GET_HELP = """
invoice-clients invoices get --number INV/2026/00015 lists the invoices dated in the number's year (and of its
kind: INV invoices, RINV credit notes) and shows the one so numbered; if none is, every invoice is looked through.
No invoice so numbered: exit code 6.
"""
_PDF_HELP = "Download one Gcore invoice's PDF (ID -o FILE), or every PDF a listing selects (--dir DIR and filters)."
_PDF_EXAMPLES = """
One: invoice-clients invoices pdf 1 -o invoice-1.pdf. Many: invoice-clients invoices pdf --last-month --dir pdfs
--skip-existing.
"""


_NUMBER = re.compile(r"(?P<prefix>[A-Z]+)/(?P<year>[0-9]{4})/[0-9]+", re.ASCII)
"""An invoice number as Gcore's ERP writes them: a journal prefix, the year, a sequence (``INV/2026/00015``)."""
_PREFIXES = {"INV": "out_invoice", "RINV": "out_refund"}
"""The ERP's journal prefixes of customer invoices and of credit notes."""


def number_filters(number: str) -> dict[str, Any]:
    """The narrowest listing filters ``number`` allows: its year's invoice dates and, by its prefix, invoices or
    credit notes; none for a number of another form (a draft's ``INV/DRAFT/00031``, another journal's)."""
    found = _NUMBER.fullmatch(number)
    if found is None:
        return {}
    year = int(found["year"])
    filters: dict[str, Any] = {
        "invoice_date_from": datetime.date(year, 1, 1), "invoice_date_to": datetime.date(year, 12, 31)
    }  # fmt: skip
    if found["prefix"] in _PREFIXES:
        filters["move_type"] = _PREFIXES[found["prefix"]]
    return filters


def describe_filters(filters: dict[str, Any]) -> str:
    """``invoices dated 2026``, ``credit notes dated 2026``: what :func:`number_filters` searched."""
    kinds = {"out_invoice": "invoices", "out_refund": "credit notes"}.get(filters.get("move_type", ""), "invoices")
    return f"{kinds} dated {filters['invoice_date_from'].year}"


def add_commands(cli: Any) -> None:
    """Add the commands under ``invoices`` (``cli`` is the command line's ``VendorCommands``)."""
    plugin = get("gcore")

    def get_invoice(invoice_id: int | None, number: str | None, output_format: str, base_url: str | None) -> None:
        if invoice_id is not None and number is not None:
            cli.fail("ID and --number: give one", cli.usage)
        if invoice_id is None and number is None:
            cli.fail("give an ID, or --number NUMBER (an invoice number such as INV/2026/00015)", cli.usage)
        try:
            with cli.client_for(plugin, base_url) as gcore:
                found = [gcore.invoices.get(invoice_id)] if number is None else by_number(gcore, number)
        except InvoiceClientsError as error:
            cli.fail_for(error, plugin, listing=number is not None)
        if len(found) > 1:
            cli.say(f"{len(found)} invoices are numbered {number}")
        try:
            cli.write_invoices(cli.scrubbed(found), cli.output_format(output_format), sys.stdout)
            sys.stdout.flush()
        except OSError as error:  # a closed pipe (quiet) or a full disk
            cli.fail_output(None, error)

    def by_number(gcore: Any, number: str) -> list[Invoice]:
        """Every invoice numbered ``number``: looked for first where the number says it is (its year's invoice dates,
        and invoices or credit notes by its prefix), then, if not there, in every invoice; exit 6 if none is."""
        narrow = number_filters(number)
        searched = ""
        if narrow:
            found = [invoice for invoice in gcore.invoices.list(**narrow) if invoice.number == number]
            if found:
                return found
            searched = ", then every invoice"
        found = [invoice for invoice in gcore.invoices.list() if invoice.number == number]
        if not found:
            where = describe_filters(narrow) + searched if narrow else "every invoice"
            cli.fail(f"no Gcore invoice is numbered {number!r} (looked in {where})", cli.not_found)
        return found

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
            cli.fail_for(error, plugin)
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
    number_option = cli.option(
        "number", ("--number", "-n"), "The invoice number instead of its id (as a customer quotes it).", "str", "NUMBER"
    )
    invoice_id = cli.argument(
        "invoice_id", "ID", "The Gcore ERP invoice id (or --number).", "int", required=False,
        hint="for an invoice number: invoices get --number {value}",
    )  # fmt: skip
    cli.add_command(
        cli.command(
            "get", "Show one Gcore invoice, by its id or its number.", get_invoice,
            (number_option, format_option, cli.base_url_option), (invoice_id,), epilog=f"{_GET_HELP}\n{cli.epilog}",
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
    optional_id = cli.argument(
        "invoice_id", "ID", "One Gcore ERP invoice id (or none: --dir).", "int", required=False,
        hint="for an invoice number, find its id with: invoices get --number {value}",
    )  # fmt: skip
    epilog = "\n".join((_PDF_EXAMPLES, cli.batch_help, cli.epilog))
    cli.add_command(cli.command("pdf", _PDF_HELP, pdf, pdf_options, (optional_id,), epilog=epilog))
