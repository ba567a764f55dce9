"""How amounts are written, in-process (so ``nox -s mutants`` sees the code under test): the CSV's text, the
workbook's numbers and cell formats, and the workbook itself read back by openpyxl (an independent reader)."""

from __future__ import annotations

import datetime
import io
import os
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import msgspec
import openpyxl
import pytest

from invoice_clients import Money
from invoice_clients.cli._amounts import Amounts, AmountStyle, number_format, places, spreadsheet_number
from invoice_clients.cli._output import COLUMNS, OutputFormat, invoice_cells, write_invoice_workbook, write_invoices
from invoice_clients.cli._workbook import Cell, write_workbook
from tests.paging.test_cursor import _invoice


@pytest.mark.parametrize(
    ("amount", "currency", "minor", "rounded"),
    [
        ("6470.020000000000", "EUR", "6470.02", 0),
        ("15000", "JPY", "15000", 0),
        ("12.005", "KWD", "12.005", 0),
        ("0.125", "EUR", "0.12", 1),  # half to even
        ("0.135", "EUR", "0.14", 1),
        ("-0.125", "EUR", "-0.12", 1),
        ("1.5", "XAU", "1.5", 0),  # no minor unit: the vendor's places
        ("0E-12", "EUR", "0.00", 0),
        ("1E+3", "JPY", "1000", 0),
    ],
)
def test_minor_amounts_have_their_currencys_places(amount: str, currency: str, minor: str, rounded: int) -> None:
    amounts = Amounts()
    assert amounts.text(Money(Decimal(amount), currency)) == minor
    assert amounts(Money(Decimal(amount), currency)) == minor
    assert amounts.rounded == 2 * rounded  # once for each of the two calls
    exact = Amounts(AmountStyle.EXACT)
    assert exact.decimal(Money(Decimal(amount), currency)) == Decimal(amount)
    assert str(exact.decimal(Money(Decimal(amount), currency))) == str(Decimal(amount))
    assert exact.rounded == 0
    assert "E" not in exact.text(Money(Decimal(amount), currency))  # type: ignore[operator]


def test_rounding_is_counted_per_amount() -> None:
    amounts = Amounts()
    for text in ("0.125", "0.135", "0.10", "0.105"):
        amounts.text(Money(Decimal(text), "EUR"))
    assert amounts.rounded == 3
    assert amounts.text(None) is None
    assert amounts.rounded == 3
    assert Amounts().style is AmountStyle.MINOR


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("12.005", "12.005"),
        ("6470.02", "6470.02"),
        ("-6470.02", "-6470.02"),
        ("15000", "15000"),
        ("0.1", "0.1"),
        ("999999999999999.9", "999999999999999.9"),  # 16 digits a double still tells apart
        ("0E-12", "0"),
        ("-0.00", "0"),
        ("123456789012345678.12", None),  # 20 digits: no double holds them
        ("0.10000000000000001", None),
        ("1E+400", None),  # past a double's range
        ("-Infinity", None),
        ("NaN", None),
    ],
)
def test_a_spreadsheet_number_is_exact_or_none(value: str, number: str | None) -> None:
    found = spreadsheet_number(Decimal(value))
    assert found == (None if number is None else Decimal(number))
    assert found is None or str(found) == number


@pytest.mark.parametrize(
    ("value", "count", "shown"),
    [
        ("12.005", 3, "#,##0.000"),
        ("6470.02", 2, "#,##0.00"),
        ("6470.020000000000", 12, "#,##0.000000000000"),
        ("15000", 0, "#,##0"),
        ("1E+3", 0, "#,##0"),
        ("0.5", 1, "#,##0.0"),
    ],
)
def test_the_cell_format_shows_exactly_the_places(value: str, count: int, shown: str) -> None:
    assert places(Decimal(value)) == count
    assert number_format(Decimal(value)) == shown


def test_what_is_not_a_number_has_no_places() -> None:
    assert places(Decimal("NaN")) == places(Decimal("-Infinity")) == 0


def _read(data: bytes) -> list[list[openpyxl.cell.cell.Cell]]:
    return list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows())


def test_a_workbook_types_every_cell() -> None:
    out = io.BytesIO()
    rows = [
        ["=1+1", 7, Decimal("12.005"), datetime.date(2026, 1, 31), None],
        ["0042", 0, Decimal("15000"), datetime.date(2025, 12, 1), "x"],
        ["big", 1, Decimal("123456789012345678.12"), None, None],
    ]
    assert write_workbook(out, "sheet", ["text", "count", "amount", "day", "more"], rows) == 1
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    sheet = book.active
    assert (sheet.title, sheet.freeze_panes, sheet.auto_filter.ref) == ("sheet", "A2", "A1:E4")
    header, first, second, third = list(sheet.iter_rows())
    assert [cell.value for cell in header] == ["text", "count", "amount", "day", "more"]
    assert all(cell.font.b for cell in header)
    assert (first[0].value, first[0].data_type) == ("=1+1", "s")  # text, never a formula
    assert (second[0].value, second[0].data_type) == ("0042", "s")  # a leading zero kept
    assert (first[1].value, first[1].data_type, first[1].number_format) == (7, "n", "General")
    assert (first[2].value, first[2].number_format) == (12.005, "#,##0.000")
    assert (second[2].value, second[2].number_format) == (15000, "#,##0")
    assert first[3].is_date and first[3].value == datetime.datetime(2026, 1, 31)
    assert first[3].number_format == "yyyy-mm-dd"
    assert (first[4].value, second[4].value) == (None, "x")
    assert (third[2].value, third[2].data_type) == ("123456789012345678.12", "s")
    assert third[3].value is None


def test_an_empty_workbook_has_its_header() -> None:
    out = io.BytesIO()
    assert write_workbook(out, "invoices", ["a", "b"], []) == 0
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    (header,) = list(sheet.iter_rows())
    assert [cell.value for cell in header] == ["a", "b"]
    assert sheet.auto_filter.ref == "A1:B1"


def test_every_amount_a_number_cannot_hold_is_text_and_the_row_goes_on() -> None:
    out = io.BytesIO()
    rows = [
        [Decimal("1.2345678901234567890E+30"), Decimal("NaN"), "after", Decimal("-Infinity"), Decimal("2.5")],
    ]
    assert write_workbook(out, "sheet", ["a", "b", "c", "d", "e"], rows) == 3
    (_, row) = _read(out.getvalue())
    assert [cell.value for cell in row] == ["1234567890123456789000000000000", "NaN", "after", "-Infinity", 2.5]


def test_the_rows_wait_in_a_scratch_folder_of_their_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen: list[list[str]] = []

    def rows() -> Iterator[list[Cell]]:
        yield ["first"]
        (scratch,) = os.listdir(tmp_path)  # one folder, named for whose it is, holding the rows so far
        seen.append([scratch, *os.listdir(tmp_path / scratch)])
        yield ["second"]

    out = io.BytesIO()
    write_workbook(out, "sheet", ["a"], rows())
    ((scratch, *inside),) = seen
    assert scratch.startswith("invoice-clients-xlsx-") and len(inside) == 1
    assert os.listdir(tmp_path) == []  # and gone after
    assert [row[0].value for row in _read(out.getvalue())] == ["a", "first", "second"]


def test_a_failure_while_reading_the_rows_writes_nothing() -> None:
    out = io.BytesIO()

    def rows() -> object:
        yield ["a"]
        raise OSError("the listing failed")

    with pytest.raises(OSError, match="the listing failed"):
        write_workbook(out, "sheet", ["a"], rows())  # type: ignore[arg-type]
    assert out.getvalue() == b""


def test_invoice_rows_in_a_workbook_and_a_csv_agree() -> None:
    invoice = msgspec.structs.replace(_invoice("7"), total=Money(Decimal("0.125"), "EUR"))
    cells = invoice_cells(invoice, Amounts())
    assert len(cells) == len(COLUMNS)
    row = dict(zip(COLUMNS, cells, strict=True))
    assert row["total"] == Decimal("0.12") and row["id"] == "7"
    out = io.BytesIO()
    written = write_invoice_workbook([invoice, invoice], out)
    assert (written.count, written.rounded, written.as_text) == (2, 2, 0)
    header, *rows = _read(out.getvalue())
    assert [cell.value for cell in header] == list(COLUMNS)
    assert [row[COLUMNS.index("total")].value for row in rows] == [0.12, 0.12]
    exact = io.BytesIO()
    assert write_invoice_workbook([invoice], exact, AmountStyle.EXACT).rounded == 0
    assert _read(exact.getvalue())[1][COLUMNS.index("total")].number_format == "#,##0.000"
    text = io.StringIO()
    assert write_invoices([invoice], OutputFormat.CSV, text).rounded == 1
    with pytest.raises(ValueError, match="binary"):
        write_invoices([invoice], OutputFormat.XLSX, io.StringIO())
