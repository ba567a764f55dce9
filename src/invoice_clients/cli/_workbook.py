"""``--format xlsx``: a workbook a spreadsheet reads right in every locale.

A CSV leaves the reading to the spreadsheet's import, which guesses by the reader's locale: with German settings
``10096.42`` is text and KWD's ``12.005`` is twelve thousand and five.  A workbook says what each cell is, so
nothing is guessed: amounts are numbers whose cell format shows their currency's places (KWD three, JPY none),
dates are dates (shown ``yyyy-mm-dd``), and ids, invoice numbers and codes are text (an id is never summed, nor a
leading zero lost); the header row is frozen and filtered.  Text is always written as text, so an invoice number
starting with ``=`` is never a formula.

Written by XlsxWriter (a maintained, dependency-free writer of the format), streaming: each row goes to a
scratch file as it comes (``constant_memory``: memory stays flat), and the workbook is zipped into the stream at
the end.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

from ._amounts import number_format, spreadsheet_number

__all__ = ["Cell", "write_workbook"]

Cell = str | int | Decimal | datetime.date | None
"""A cell: text, a count, an amount (its places are the cell format's), a date, or empty."""

_DATE_FORMAT = "yyyy-mm-dd"
_OPTIONS = {
    "constant_memory": True,  # rows are written as they come: memory stays flat, however long the listing
    "strings_to_numbers": False,  # and below: text is text, whatever it looks like
    "strings_to_formulas": False,
    "strings_to_urls": False,
}


def write_workbook(stream: IO[bytes], sheet: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> int:
    """Write one sheet of ``rows`` under ``header`` to ``stream``; returns how many amounts a spreadsheet's number
    cannot hold exactly and were written as text instead (see :mod:`._amounts`).

    Nothing reaches ``stream`` unless every row was read: a listing that fails half-way (or Ctrl-C) writes no
    workbook at all, and leaves no temporary file (the rows wait in a scratch folder removed either way).
    """
    import xlsxwriter  # here: only a workbook needs it

    with tempfile.TemporaryDirectory(prefix="invoice-clients-xlsx-", ignore_cleanup_errors=True) as scratch:
        book = xlsxwriter.Workbook(stream, {**_OPTIONS, "tmpdir": scratch})
        worksheet = book.add_worksheet(sheet)
        bold = book.add_format({"bold": True})
        date = book.add_format({"num_format": _DATE_FORMAT})
        formats: dict[str, Any] = {}
        as_text = 0
        for column, name in enumerate(header):
            worksheet.write_string(0, column, name, bold)
        row = 0
        for row, cells in enumerate(rows, start=1):
            for column, value in enumerate(cells):
                if value is None:
                    continue
                if isinstance(value, str):
                    worksheet.write_string(row, column, value)
                elif isinstance(value, Decimal):
                    number = spreadsheet_number(value)
                    if number is None:
                        worksheet.write_string(row, column, format(value, "f"))
                        as_text += 1
                        continue
                    shown = number_format(value)
                    if shown not in formats:
                        formats[shown] = book.add_format({"num_format": shown})
                    worksheet.write(row, column, number, formats[shown])  # a Decimal: written as a number, exactly
                elif isinstance(value, datetime.date):
                    worksheet.write_datetime(row, column, datetime.datetime.combine(value, datetime.time()), date)
                else:
                    worksheet.write_number(row, column, value)
        worksheet.freeze_panes(1, 0)
        worksheet.autofilter(0, 0, row, len(header) - 1)
        book.close()  # the workbook is zipped into the stream here, and only here
    return as_text
