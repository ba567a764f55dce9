"""Writing invoices as a table, CSV or JSON lines, with exact money.

Amounts are written as the exact decimal the vendor sent (``1512.500000000000``
stays that, never ``1512.5`` through a float) next to the currency code, so a
spreadsheet or a script gets the number the invoice has.
"""

from __future__ import annotations

import csv
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.table import Table

from .._models import Invoice
from .._money import Money

__all__ = ["COLUMNS", "OutputFormat", "invoice_record", "open_output", "write_invoices"]

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
        Console(file=stream, width=160, height=25, force_terminal=_is_terminal(stream)).print(table)
    return count


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


@contextmanager
def open_output(path: Path | None, stdout: IO[str]) -> Iterator[IO[str]]:
    """``path`` opened for writing, replaced only when everything was written; else ``stdout``.

    A listing that fails half-way (network down, rate limited) never leaves a
    truncated export where a good one was.  The file gets the permissions a
    plain ``open()`` would give it: an existing file's mode is kept, a new one
    is ``0666`` less the umask (``0644`` under the usual ``022``), not the
    temporary file's ``0600``.
    """
    if path is None:
        yield stdout
        return
    directory = path.resolve().parent
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        os.fchmod(fd, _file_mode(path))
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            yield stream
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _file_mode(path: Path) -> int:
    """The mode ``path`` would have if opened for writing: its own if it exists, else ``0o666`` less the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
