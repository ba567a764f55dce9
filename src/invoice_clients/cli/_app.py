"""The ``invoice-clients`` command: invoices to a terminal, a spreadsheet or a script.

    invoice-clients invoices list   --vendor gcore --currency EUR
    invoice-clients invoices export --vendor versori --organisation org_acme --from 2026-01-01 -o q1.csv
    invoice-clients invoices get 42
    invoice-clients invoices pdf 42 -o invoice-42.pdf
    invoice-clients demo

Keys come from ``GCORE_API_KEY`` / ``VERSORI_API_KEY``; ``GCORE_BASE_URL`` /
``VERSORI_BASE_URL`` (or ``--base-url``) point at another server, such as the
sandbox.  Errors are one line on stderr with a documented exit code (see
:mod:`invoice_clients.cli._exit`).
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import sys
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .._exceptions import InvoiceClientsError
from .._models import Invoice
from .._security import scrub_live, visible
from ..gcore import GcoreBilling
from ..versori import Versori
from ._exit import ExitCode, exit_code_for
from ._output import OutputFormat, open_output, write_invoices

__all__ = ["app", "main"]

app = typer.Typer(
    name="invoice-clients",
    help="Read invoices from Gcore Billing and Versori: list, export to CSV/JSONL, fetch PDFs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
invoices_app = typer.Typer(help="List, export and fetch invoices.", no_args_is_help=True)
app.add_typer(invoices_app, name="invoices")

_stderr = Console(stderr=True, highlight=False)


class VendorName(StrEnum):
    GCORE = "gcore"
    VERSORI = "versori"


class MoveTypeOption(StrEnum):
    OUT_INVOICE = "out_invoice"
    OUT_REFUND = "out_refund"


class PaymentStateOption(StrEnum):
    NOT_PAID = "not_paid"
    IN_PAYMENT = "in_payment"
    PAID = "paid"
    PARTIAL = "partial"
    REVERSED = "reversed"


def fail(message: str, code: ExitCode) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    _stderr.print(f"error: {message}", markup=False, soft_wrap=True)
    raise typer.Exit(int(code))


def _date(value: str | None, option: str) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option) from None


def _gcore(base_url: str | None) -> GcoreBilling:
    return GcoreBilling(base_url=base_url or os.environ.get("GCORE_BASE_URL"))


def _versori(base_url: str | None) -> Versori:
    return Versori(base_url=base_url or os.environ.get("VERSORI_BASE_URL"))


_TEXT_FIELDS = ("id", "number", "kind", "currency", "payment_state", "document_url")


def _safe(text: str) -> str:
    """``text``, unless it shows a key: then scrubbed (and made visible first, if that is what reveals it)."""
    scrubbed = scrub_live(text)
    if scrubbed != text:
        return scrubbed
    shown = visible(text)
    return text if scrub_live(shown) == shown else scrub_live(shown)


def _scrubbed(invoices: Iterable[Invoice]) -> Iterator[Invoice]:
    """The invoices, with any echo of the API key in their text replaced by ``***`` before it is printed.

    A hostile server can put the key in an invoice's number or URL (also split
    by invisible characters a terminal would drop); the library hands data back
    as received, but the command line never prints the key.
    """
    for invoice in invoices:
        changes: dict[str, object] = {}
        for name in _TEXT_FIELDS:
            value = getattr(invoice, name)
            if isinstance(value, str) and _safe(value) != value:
                changes[name] = _safe(value)
        items = tuple(dataclasses.replace(item, description=_safe(item.description)) for item in invoice.line_items)
        if items != invoice.line_items:
            changes["line_items"] = items
        yield dataclasses.replace(invoice, **changes) if changes else invoice  # type: ignore[arg-type]


def _with_progress(invoices: Iterable[Invoice]) -> Iterator[Invoice]:
    """Count invoices on a stderr progress line, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield from invoices
        return
    columns = (SpinnerColumn(), TextColumn("{task.completed} invoices"), TimeElapsedColumn())
    with Progress(*columns, console=_stderr, transient=True) as progress:
        task = progress.add_task("listing", total=None)
        for invoice in invoices:
            progress.advance(task)
            yield invoice


BaseUrl = Annotated[
    str | None, typer.Option("--base-url", help="API base URL (default: the vendor's; or GCORE_/VERSORI_BASE_URL).")
]
Output = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")]


def _listing(
    vendor: VendorName,
    output_format: OutputFormat,
    output: Path | None,
    base_url: str | None,
    *,
    organisation: str | None,
    start: str | None,
    end: str | None,
    upcoming: bool,
    billing_period_from: str | None,
    billing_period_to: str | None,
    currency: str | None,
    move_type: MoveTypeOption | None,
    payment_state: PaymentStateOption | None,
    client_id: int | None,
    payer_id: int | None,
    ordering: str | None,
) -> None:
    first, last = _date(start, "--from"), _date(end, "--to")
    try:
        if vendor is VendorName.VERSORI:
            gcore_only = [
                billing_period_from,
                billing_period_to,
                currency,
                move_type,
                payment_state,
                client_id,
                payer_id,
            ]
            if any(value is not None for value in gcore_only) or ordering:
                fail("only --organisation, --from, --to and --upcoming apply to --vendor versori", ExitCode.USAGE)
            if not organisation:
                fail("--vendor versori needs --organisation", ExitCode.USAGE)
            with _versori(base_url) as versori:
                if upcoming:
                    found = versori.invoices.upcoming(organisation)
                    rows: Iterable[Invoice] = [] if found is None else [found]
                else:
                    rows = versori.invoices.list(organisation, first, last)
                with open_output(output, sys.stdout) as stream:
                    count = write_invoices(_scrubbed(rows), output_format, stream)
        else:
            if organisation or upcoming:
                fail("--organisation and --upcoming apply to --vendor versori only", ExitCode.USAGE)
            with _gcore(base_url) as gcore:
                pager = gcore.invoices.list(
                    invoice_date_from=first,
                    invoice_date_to=last,
                    billing_period_from=_date(billing_period_from, "--billing-period-from"),
                    billing_period_to=_date(billing_period_to, "--billing-period-to"),
                    currency=currency,
                    move_type=None if move_type is None else move_type.value,
                    payment_state=None if payment_state is None else payment_state.value,
                    client_id=client_id,
                    payer_id=payer_id,
                    ordering=ordering,
                )
                with open_output(output, sys.stdout) as stream:
                    count = write_invoices(_scrubbed(_with_progress(pager)), output_format, stream)
    except InvoiceClientsError as error:
        fail(str(error), exit_code_for(error))
    if output is not None:
        _stderr.print(f"wrote {count} invoices to {output}", markup=False)


def _listing_command(default_format: OutputFormat, name: str, help_text: str) -> None:
    @invoices_app.command(name, help=help_text)
    def command(
        vendor: Annotated[VendorName, typer.Option(help="Which API to read.")] = VendorName.GCORE,
        output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = default_format,
        output: Output = None,
        base_url: BaseUrl = None,
        start: Annotated[
            str | None, typer.Option("--from", help="First date, inclusive (Gcore: invoice date; Versori: from).")
        ] = None,
        end: Annotated[str | None, typer.Option("--to", help="Last date, inclusive (YYYY-MM-DD).")] = None,
        organisation: Annotated[str | None, typer.Option(help="Versori organisation id.")] = None,
        upcoming: Annotated[bool, typer.Option("--upcoming", help="Versori: the upcoming invoice.")] = False,
        billing_period_from: Annotated[str | None, typer.Option(help="Gcore: billing period starts on/after.")] = None,
        billing_period_to: Annotated[str | None, typer.Option(help="Gcore: billing period ends on/before.")] = None,
        currency: Annotated[str | None, typer.Option(help="Gcore: currency code, e.g. EUR.")] = None,
        move_type: Annotated[MoveTypeOption | None, typer.Option(help="Gcore: invoices or credit notes.")] = None,
        payment_state: Annotated[PaymentStateOption | None, typer.Option(help="Gcore: payment state.")] = None,
        client_id: Annotated[int | None, typer.Option(help="Gcore: client id.")] = None,
        payer_id: Annotated[int | None, typer.Option(help="Gcore: payer id.")] = None,
        ordering: Annotated[
            str | None, typer.Option(help="Gcore: comma-separated fields, '-' for descending, e.g. -invoice_date.")
        ] = None,
    ) -> None:
        _listing(
            vendor, output_format, output, base_url,
            organisation=organisation, start=start, end=end, upcoming=upcoming,
            billing_period_from=billing_period_from, billing_period_to=billing_period_to, currency=currency,
            move_type=move_type, payment_state=payment_state, client_id=client_id, payer_id=payer_id,
            ordering=ordering,
        )  # fmt: skip


_listing_command(OutputFormat.TABLE, "list", "List invoices (every page), as a table by default.")
_listing_command(OutputFormat.CSV, "export", "Export invoices, as CSV by default; -o writes a file atomically.")


@invoices_app.command("get")
def get_invoice(
    invoice_id: Annotated[int, typer.Argument(help="The Gcore ERP invoice id.")],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.TABLE,
    base_url: BaseUrl = None,
) -> None:
    """Show one Gcore invoice."""
    try:
        with _gcore(base_url) as gcore:
            invoice = gcore.invoices.get(invoice_id)
    except InvoiceClientsError as error:
        fail(str(error), exit_code_for(error))
    write_invoices(_scrubbed([invoice]), output_format, sys.stdout)


@invoices_app.command("pdf")
def download_pdf(
    invoice_id: Annotated[int, typer.Argument(help="The Gcore ERP invoice id.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the PDF.")],
    base_url: BaseUrl = None,
) -> None:
    """Download a Gcore invoice's PDF."""
    try:
        with _gcore(base_url) as gcore:
            size = gcore.invoices.download_pdf(invoice_id, to=output)
    except InvoiceClientsError as error:
        fail(str(error), exit_code_for(error))
    _stderr.print(f"wrote {size} bytes to {output}", markup=False)


@app.command()
def demo(
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="Where to write the demo's CSV and PDF (default: a temporary directory)."),
    ] = None,
) -> None:
    """Run the CLI against the offline sandbox: no account needed."""
    from ._demo import run_demo

    raise typer.Exit(run_demo(directory))


def main() -> None:
    """Console-script entry point."""
    app()
