"""Writing invoices as a table, CSV, JSON lines or a workbook (:mod:`._workbook`), with exact money.

Amounts never pass through a float; how each is written (``--amounts minor``: its currency's places, half-even
where the vendor sent more, and counted; ``--amounts exact``: as sent) is :mod:`._amounts`'.  The CSV is UTF-8
(no byte-order mark), with a header row and ``.`` as the decimal point whatever the locale: for tools and
scripts; a spreadsheet reads the workbook right (:mod:`._workbook`).  The columns (:data:`COLUMNS`):

==============  =====================================================================================
vendor          ``gcore`` or ``versori``
id              the vendor's invoice id (Versori: the document's name)
number          the human invoice number (``INV/2026/00042``); empty where the vendor has none
kind            ``invoice`` or ``credit_note``
payment_state   ``not_paid``, ``in_payment``, ``paid``, ``partial``, ``reversed`` (or the vendor's new value)
client_id       who is billed: Gcore's client id, Versori's organisation id
payer_id        who pays: Gcore's payer id; empty for Versori
currency        the ISO 4217 code of every amount in the row
issue_date      YYYY-MM-DD; due_date, period_start and period_end likewise (empty where unknown)
subtotal        before tax; tax; total (negative for credit notes)
document_url    Versori's PDF link; empty for Gcore (``invoices pdf`` downloads those)
==============  =====================================================================================
"""

from __future__ import annotations

import csv
import errno
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.table import Table

from .._destination import OutputPath
from .._model.invoice import Invoice
from .._model.money import Money
from ._amounts import Amounts, AmountStyle
from ._workbook import Cell, write_workbook

__all__ = [
    "COLUMNS",
    "STDOUT",
    "AmountStyle",
    "Amounts",
    "OutputFormat",
    "Written",
    "invoice_cells",
    "invoice_record",
    "open_binary_output",
    "open_output",
    "write_invoice_workbook",
    "write_invoices",
    "write_rows",
]

COLUMNS = (
    "vendor",
    "id",
    "number",
    "kind",
    "payment_state",
    "client_id",
    "payer_id",
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
    XLSX = "xlsx"
    """A workbook (:mod:`._workbook`): binary, so to a file (``-o``) or a pipe, never a terminal."""


class _Console(Console):
    """rich's console, except that a closed pipe is left to the command line (rich would exit with status 1)."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


@dataclass(frozen=True, slots=True)
class Written:
    """What :func:`write_invoices` wrote: ``count`` invoices, of whose amounts ``rounded`` were rounded (and, in a
    workbook, ``as_text`` written as text: too many digits for a spreadsheet's number)."""

    count: int
    rounded: int
    as_text: int = 0


def invoice_record(invoice: Invoice, amounts: Callable[[Money | None], str | None] | None = None) -> dict[str, Any]:
    """One invoice as a flat record of strings (or ``None``), in :data:`COLUMNS` order; amounts as ``amounts``
    formats them (default: exact)."""
    amount = amounts or Amounts(AmountStyle.EXACT)
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
                invoice.client_id,
                invoice.payer_id,
                invoice.currency,
                *(None if day is None else day.isoformat() for day in dates),
                amount(invoice.subtotal),
                amount(invoice.tax),
                amount(invoice.total),
                invoice.document_url,
            ),
            strict=True,
        )
    )


def invoice_cells(invoice: Invoice, amounts: Amounts) -> list[Cell]:
    """One invoice as a workbook's row, in :data:`COLUMNS` order: text, dates and amounts (as ``amounts`` writes
    them, so a workbook and a CSV of one run hold the same values)."""
    record = invoice_record(invoice)
    dates = (invoice.issue_date, invoice.due_date, invoice.period_start, invoice.period_end)
    money = (invoice.subtotal, invoice.tax, invoice.total)
    cells: list[Cell] = [record[name] for name in COLUMNS[:8]]
    cells += dates
    cells += [None if value is None else amounts.decimal(value) for value in money]
    cells.append(record["document_url"])
    return cells


def write_invoice_workbook(
    invoices: Iterable[Invoice], stream: IO[bytes], amounts: AmountStyle = AmountStyle.MINOR
) -> Written:
    """Write ``invoices`` to ``stream`` as a workbook (:mod:`._workbook`) of :data:`COLUMNS`."""
    count = 0
    amount = Amounts(amounts)

    def rows() -> Iterator[list[Cell]]:
        nonlocal count
        for invoice in invoices:
            yield invoice_cells(invoice, amount)
            count += 1

    as_text = write_workbook(stream, "invoices", COLUMNS, rows())
    return Written(count, amount.rounded, as_text)


def write_invoices(
    invoices: Iterable[Invoice],
    output_format: OutputFormat,
    stream: IO[str],
    amounts: AmountStyle = AmountStyle.MINOR,
) -> Written:
    """Write ``invoices`` to ``stream`` as they arrive (the table waits for all); a workbook is
    :func:`write_invoice_workbook`'s (it is binary)."""
    count = 0
    amount = Amounts(amounts)
    if output_format is OutputFormat.CSV:
        writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for invoice in invoices:
            writer.writerow(invoice_record(invoice, amount))
            count += 1
    elif output_format is OutputFormat.JSONL:
        for invoice in invoices:
            record = invoice_record(invoice, amount)
            record["line_items"] = [
                {"description": item.description, "quantity": item.quantity, "total": amount(item.total)}
                for item in invoice.line_items
            ]
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    elif output_format is OutputFormat.XLSX:
        raise ValueError("a workbook is binary: write_invoice_workbook writes it")
    else:
        table = Table("id", "number", "kind", "state", "issued", "period", "total", box=None, header_style="bold")
        for invoice in invoices:
            record = invoice_record(invoice, amount)
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
    return Written(count, amount.rounded)


def _text(value: Cell) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)  # a count, a date (ISO 8601)


def write_rows(
    columns: Sequence[str], rows: Iterable[Sequence[Cell]], output_format: OutputFormat, stream: IO[str]
) -> None:
    """Rows of cells (``invoices totals``) as a table, CSV or JSON lines: amounts as their decimal's digits, counts
    as numbers in JSON; a workbook is :func:`~._workbook.write_workbook`'s."""
    if output_format is OutputFormat.CSV:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_text(cell) for cell in row] for row in rows)
    elif output_format is OutputFormat.JSONL:
        for row in rows:
            record = {
                name: cell if isinstance(cell, int) else _text(cell) for name, cell in zip(columns, row, strict=True)
            }
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif output_format is OutputFormat.XLSX:
        raise ValueError("a workbook is binary: write_workbook writes it")
    else:
        table = Table(*columns, box=None, header_style="bold", pad_edge=False)
        for row in rows:
            table.add_row(*(_text(cell) or "" for cell in row))
            for column, cell in zip(table.columns, row, strict=True):
                if isinstance(cell, int | Decimal):  # numbers line up on the right
                    column.justify = "right"
        _Console(file=stream, width=160, height=25, force_terminal=_is_terminal(stream)).print(table)


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


STDOUT = "-"
"""The ``-o`` value that means standard output."""


class _HeldBack(io.StringIO):
    """What is meant for standard output, held until the listing is complete; a terminal still looks like one
    (the table's colours)."""

    def __init__(self, stdout: IO[str]) -> None:
        super().__init__()
        self._stdout = stdout

    def isatty(self) -> bool:
        return _is_terminal(self._stdout)


@contextmanager
def open_output(path: Path | None, stdout: IO[str]) -> Iterator[IO[str]]:
    """``path`` opened for writing UTF-8 text by the rules of :mod:`invoice_clients._destination` (the same as
    ``download_pdf(to=)``'s); ``stdout`` for no path or ``-``.

    A regular file is replaced only when everything was written, keeping its mode: a listing that fails half-way
    (network down, rate limited, disk full, Ctrl-C) never leaves a truncated export where a good one was.  A
    link's target is written, the link kept; a device, FIFO or socket is written in place, never replaced.
    Standard output gets nothing until the block ends without an error: a listing that fails writes nothing
    there (not a CSV header, not the first pages), so a pipeline never mistakes a failure for a short result.
    What is held is the text itself (about 130 bytes an invoice in CSV; the table holds every row anyway).
    """
    if path is None or str(path) == STDOUT:
        held = _HeldBack(stdout)
        yield held
        stdout.write(held.getvalue())
        stdout.flush()  # a closed pipe or a full disk shows here, inside the caller's error handling
        return
    with OutputPath.of(path).open_text("utf-8") as stream:
        yield stream


@contextmanager
def open_binary_output(path: Path | None, stdout: IO[bytes]) -> Iterator[IO[bytes]]:
    """As :func:`open_output`, for bytes (a workbook); ``stdout`` is standard output's binary buffer."""
    if path is None or str(path) == STDOUT:
        yield stdout
        stdout.flush()
        return
    with OutputPath.of(path).open() as stream:
        yield stream
