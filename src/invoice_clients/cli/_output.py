"""Writing invoices as a table, CSV or JSON lines, with exact money.

Amounts are written as the exact decimal the vendor sent (``1512.500000000000``
stays that, never ``1512.5`` through a float) next to the currency code, so a
spreadsheet or a script gets the number the invoice has.
"""

from __future__ import annotations

import csv
import errno
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.table import Table

from .._destination import OutputPath
from .._models import Invoice
from .._money import Money

__all__ = ["COLUMNS", "STDOUT", "OutputFormat", "invoice_record", "open_output", "write_invoices"]

COLUMNS = (
    "vendor",
    "id",
    "number",
    "kind",
    "payment_state",
    "currency",
    "issue_date",
    "due_date",
    "period_start",
    "period_end",
    "subtotal",
    "tax",
    "total",
    "document_url",
)


class OutputFormat(StrEnum):
    """How ``invoices list|export|get`` write invoices."""

    TABLE = "table"
    CSV = "csv"
    JSONL = "jsonl"


class _Console(Console):
    """rich's console, except that a closed pipe is left to the command line (rich would exit with status 1)."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


def _amount(money: Money | None) -> str | None:
    return None if money is None else format(money.amount, "f")  # never exponent notation (0E-12)


def invoice_record(invoice: Invoice) -> dict[str, Any]:
    """One invoice as a flat record of strings (or ``None``), in :data:`COLUMNS` order."""
    dates = (invoice.issue_date, invoice.due_date, invoice.period_start, invoice.period_end)
    return dict(
        zip(
            COLUMNS,
            (
                str(invoice.vendor),
                invoice.id,
                invoice.number,
                str(invoice.kind),
                None if invoice.payment_state is None else str(invoice.payment_state),
                invoice.currency,
                *(None if day is None else day.isoformat() for day in dates),
                _amount(invoice.subtotal),
                _amount(invoice.tax),
                _amount(invoice.total),
                invoice.document_url,
            ),
            strict=True,
        )
    )


def write_invoices(invoices: Iterable[Invoice], output_format: OutputFormat, stream: IO[str]) -> int:
    """Write ``invoices`` to ``stream`` as they arrive (the table waits for all); return the count."""
    count = 0
    if output_format is OutputFormat.CSV:
        writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for invoice in invoices:
            writer.writerow(invoice_record(invoice))
            count += 1
    elif output_format is OutputFormat.JSONL:
        for invoice in invoices:
            record = invoice_record(invoice)
            record["line_items"] = [
                {"description": item.description, "quantity": item.quantity, "total": str(item.total.amount)}
                for item in invoice.line_items
            ]
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    else:
        table = Table("id", "number", "kind", "state", "issued", "period", "total", box=None, header_style="bold")
        for invoice in invoices:
            record = invoice_record(invoice)
            period = f"{record['period_start'] or '?'}..{record['period_end'] or '?'}"
            total = f"{record['total']} {invoice.currency}"
            table.add_row(
                record["id"], record["number"] or "", record["kind"], record["payment_state"] or "",
                record["issue_date"] or "", period, total,
            )  # fmt: skip
            count += 1
        # Escape codes only for a terminal: FORCE_COLOR (set by CI runners) would make rich colour a pipe or a
        # file, and TERM=dumb would shrink the table to 80 columns unless the height is given too.
        _Console(file=stream, width=160, height=25, force_terminal=_is_terminal(stream)).print(table)
    return count


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


STDOUT = "-"
"""The ``-o`` value that means standard output."""


@contextmanager
def open_output(path: Path | None, stdout: IO[str]) -> Iterator[IO[str]]:
    """``path`` opened for writing UTF-8 text by the rules of :mod:`invoice_clients._destination` (the same as
    ``download_pdf(to=)``'s); ``stdout`` for no path or ``-``.

    A regular file is replaced only when everything was written, keeping its mode: a listing that fails half-way
    (network down, rate limited, disk full, Ctrl-C) never leaves a truncated export where a good one was.  A
    link's target is written, the link kept; a device, FIFO or socket is written in place, never replaced.
    """
    if path is None or str(path) == STDOUT:
        yield stdout
        stdout.flush()  # a closed pipe or a full disk shows here, inside the caller's error handling
        return
    with OutputPath.of(path).open_text("utf-8") as stream:
        yield stream
