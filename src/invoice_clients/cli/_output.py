"""Writing invoices as a table, CSV or JSON lines, with exact money.

Amounts never pass through a float.  By default (``--amounts minor``) each is written with the places of its
currency's minor unit (ISO 4217: ``6470.02`` EUR, ``15000`` JPY, ``12.005`` KWD), which is what accounting
tools import: exact whenever the vendor sent no more significant places than that (Gcore sends twelve
decimals, ``6470.020000000000``, all zero beyond the cent), rounded half to even only where it did, and those
are counted (:class:`Written`).  A currency with no minor unit in the ISO 4217 data keeps the vendor's places.
``--amounts exact`` writes the vendor's decimal as sent.  The columns (:data:`COLUMNS`):

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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.table import Table

from .._destination import OutputPath
from .._model.invoice import Invoice
from .._model.money import Money

__all__ = [
    "COLUMNS",
    "STDOUT",
    "AmountStyle",
    "Amounts",
    "OutputFormat",
    "Written",
    "invoice_record",
    "open_output",
    "write_invoices",
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


class _Console(Console):
    """rich's console, except that a closed pipe is left to the command line (rich would exit with status 1)."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


class AmountStyle(StrEnum):
    """``--amounts``: how amounts are written."""

    MINOR = "minor"
    """With the places of the currency's minor unit (half-even where the vendor sent more significant places)."""
    EXACT = "exact"
    """The vendor's decimal as sent."""


class Amounts:
    """Formats amounts in one :class:`AmountStyle`, counting those that rounding changed."""

    def __init__(self, style: AmountStyle = AmountStyle.MINOR) -> None:
        self.style = style
        self.rounded = 0
        """How many amounts were rounded (their value changed, not just their places)."""

    def __call__(self, money: Money | None) -> str | None:
        if money is None:
            return None
        if self.style is AmountStyle.MINOR:
            try:
                rounded = money.quantize()
            except ValueError:  # no minor unit in the ISO 4217 data: nothing to round to, keep it exact
                pass
            else:
                self.rounded += rounded.amount != money.amount
                money = rounded
        return format(money.amount, "f")  # never exponent notation (0E-12)


@dataclass(frozen=True, slots=True)
class Written:
    """What :func:`write_invoices` wrote: ``count`` invoices, of whose amounts ``rounded`` were rounded."""

    count: int
    rounded: int


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


def write_invoices(
    invoices: Iterable[Invoice],
    output_format: OutputFormat,
    stream: IO[str],
    amounts: AmountStyle = AmountStyle.MINOR,
) -> Written:
    """Write ``invoices`` to ``stream`` as they arrive (the table waits for all)."""
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
