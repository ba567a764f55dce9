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
import ipaddress
import os
import sys
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import httpx
import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .._exceptions import InvoiceClientsError, RateLimitError
from .._models import Invoice
from .._security import scrub_live, visible
from .._version import __version__
from ..gcore import GcoreBilling
from ..versori import Versori
from ._exit import ExitCode, exit_code_for
from ._output import OutputFormat, open_output, write_invoices
from ._usage import run_app

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
    """Print ``invoice-clients: error: message`` on stderr (one line) and exit with ``code``."""
    _stderr.print(f"invoice-clients: error: {message}", markup=False, soft_wrap=True)
    raise typer.Exit(int(code))


def fail_for(error: InvoiceClientsError) -> NoReturn:
    """One line for an error the facade raised, with the documented exit code."""
    message = str(error)
    if isinstance(error, RateLimitError) and error.retry_after is not None:
        message += f" (retry after {error.retry_after:g} s)"
    fail(message, exit_code_for(error))


def fail_output(path: Path, error: OSError) -> NoReturn:
    """One line naming the user's file (never a temporary one) for an output that cannot be written."""
    reason = error.strerror or str(error)
    fail(f"cannot write {path}: {reason}", ExitCode.OUTPUT_FILE)


def _date(value: str | None, option: str) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option) from None


def _is_loopback(host: str) -> bool:
    if host.lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _cli_checks(env_key: str, env_url: str, base_url: str | None) -> str | None:
    """The base URL to use, after the checks the facade also makes, worded for the command line.

    The facade's messages advise Python (``api_key=...``, ``allow_insecure_http=True``);
    a command-line user sets an environment variable or an option.  There is no
    ``--api-key`` on purpose: a key on the command line ends up in shell history
    and ``ps``.
    """
    if not os.environ.get(env_key, "").strip():
        fail(f"no API key: set {env_key} (invoice-clients sandbox prints a test key)", ExitCode.CREDENTIALS)
    url = base_url or os.environ.get(env_url) or None
    source = "--base-url" if base_url else env_url
    if url is not None:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError):
            fail(f"{source}: {url!r} is not a URL", ExitCode.USAGE)
        if parsed.scheme not in {"http", "https"} or not parsed.host:
            fail(f"{source}: {url!r} is not an absolute http(s) URL", ExitCode.USAGE)
        if parsed.scheme == "http" and not _is_loopback(parsed.host):
            fail(
                f"{source}: refusing to send the API key over plain HTTP to {parsed.host}; use https "
                "(plain http only to this machine, e.g. the sandbox)",
                ExitCode.USAGE,
            )
    return url


def _gcore(base_url: str | None) -> GcoreBilling:
    return GcoreBilling(base_url=_cli_checks("GCORE_API_KEY", "GCORE_BASE_URL", base_url))


def _versori(base_url: str | None) -> Versori:
    return Versori(base_url=_cli_checks("VERSORI_API_KEY", "VERSORI_BASE_URL", base_url))


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
    str | None,
    typer.Option("--base-url", metavar="URL", help="API base URL (default: the vendor's; or GCORE_/VERSORI_BASE_URL)."),
]
Output = Annotated[
    Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write to this file instead of stdout.")
]


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
        fail_for(error)
    except OSError as error:
        if output is None:
            raise
        fail_output(output, error)
    if output is not None:
        _stderr.print(f"wrote {count} invoices to {output}", markup=False)


_DATE = "YYYY-MM-DD"


def _listing_command(default_format: OutputFormat, name: str, help_text: str) -> None:
    @invoices_app.command(name, help=help_text)
    def command(
        vendor: Annotated[VendorName, typer.Option(help="Which API to read.")] = VendorName.GCORE,
        output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = default_format,
        output: Output = None,
        base_url: BaseUrl = None,
        start: Annotated[
            str | None,
            typer.Option("--from", metavar=_DATE, help="First date, inclusive (Gcore: invoice date; Versori: from)."),
        ] = None,
        end: Annotated[str | None, typer.Option("--to", metavar=_DATE, help="Last date, inclusive.")] = None,
        organisation: Annotated[str | None, typer.Option(metavar="ORG_ID", help="Versori organisation id.")] = None,
        upcoming: Annotated[
            bool, typer.Option("--upcoming", is_flag=True, help="Versori: the upcoming invoice (a flag).")
        ] = False,
        billing_period_from: Annotated[
            str | None, typer.Option(metavar=_DATE, help="Gcore: billing period starts on/after.")
        ] = None,
        billing_period_to: Annotated[
            str | None, typer.Option(metavar=_DATE, help="Gcore: billing period ends on/before.")
        ] = None,
        currency: Annotated[
            str | None, typer.Option(metavar="CODE", help="Gcore: ISO 4217 currency code, e.g. EUR (any case).")
        ] = None,
        move_type: Annotated[MoveTypeOption | None, typer.Option(help="Gcore: invoices or credit notes.")] = None,
        payment_state: Annotated[PaymentStateOption | None, typer.Option(help="Gcore: payment state.")] = None,
        client_id: Annotated[int | None, typer.Option(metavar="ID", help="Gcore: client id.")] = None,
        payer_id: Annotated[int | None, typer.Option(metavar="ID", help="Gcore: payer id.")] = None,
        ordering: Annotated[
            str | None,
            typer.Option(
                metavar="FIELDS", help="Gcore: comma-separated fields, '-' for descending, e.g. -invoice_date."
            ),
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
    invoice_id: Annotated[int, typer.Argument(metavar="ID", help="The Gcore ERP invoice id.")],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.TABLE,
    base_url: BaseUrl = None,
) -> None:
    """Show one Gcore invoice."""
    try:
        with _gcore(base_url) as gcore:
            invoice = gcore.invoices.get(invoice_id)
    except InvoiceClientsError as error:
        fail_for(error)
    write_invoices(_scrubbed([invoice]), output_format, sys.stdout)


@invoices_app.command("pdf")
def download_pdf(
    invoice_id: Annotated[int, typer.Argument(metavar="ID", help="The Gcore ERP invoice id.")],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE", help="Where to write the PDF.")],
    base_url: BaseUrl = None,
) -> None:
    """Download a Gcore invoice's PDF."""
    try:
        with _gcore(base_url) as gcore:
            size = gcore.invoices.download_pdf(invoice_id, to=output)
    except OSError as error:  # before InvoiceClientsError: LocalFileError is both
        fail_output(output, error)
    except InvoiceClientsError as error:
        fail_for(error)
    _stderr.print(f"wrote {size} bytes to {output}", markup=False)


@app.command()
def demo(
    directory: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            metavar="DIR",
            help="Where to write the demo's CSV and PDF (default: a new temporary directory, kept and printed).",
        ),
    ] = None,
) -> None:
    """Run the CLI against the offline sandbox: no account needed."""
    from ._demo import run_demo

    raise typer.Exit(run_demo(directory))


@app.command()
def sandbox(
    port: Annotated[int, typer.Option(metavar="PORT", help="Port to listen on (default: a free one).")] = 0,
    host: Annotated[str, typer.Option(metavar="HOST", help="Loopback address to listen on.")] = "127.0.0.1",
) -> None:
    """Serve the offline sandbox (both APIs) until Ctrl-C, printing the environment to point the CLI at it."""
    from ._serve import run_sandbox

    raise typer.Exit(run_sandbox(host, port))


def _show_version(value: bool) -> None:
    if value:
        print(f"invoice-clients {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_flag=True, is_eager=True, callback=_show_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Read invoices from Gcore Billing and Versori: list, export to CSV/JSONL, fetch PDFs."""


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: usage errors are one line (see :mod:`invoice_clients.cli._usage`)."""
    raise SystemExit(run_app(app, argv))
