"""Issue 32: a finance team's month, exact.  Each section is one finding of the issue, driven as a user drives the
command (a subprocess against the real sandbox), with the numbers checked against the library's own listing."""

from __future__ import annotations

import csv
import datetime
import io
import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from invoice_clients import UNPAID_STATES, Invoice
from invoice_clients._model.money import minor_unit_exponent
from invoice_clients.cli import ExitCode
from invoice_clients.cli._app import last_month
from invoice_clients.cli._output import COLUMNS
from invoice_clients.testing import Fault, Sandbox, monetary_value
from tests.cli.conftest import Run


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _list_queries(sandbox: Sandbox) -> list[dict[str, str]]:
    return [dict(request.query) for request in sandbox.requests if request.path.endswith("/erp-invoices")]


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    prefix = "invoice-clients: error: "
    assert lines[0].startswith(prefix), done.stderr
    return lines[0][len(prefix) :]


# -- 1. a repeated option is a union, or refused: never its last value alone --------------------------------------


@pytest.mark.parametrize(
    ("option", "values", "field"),
    [
        ("--currency", ("USD", "eur"), "currency"),
        ("--client-id", ("4242", "5151"), "client_id"),
        ("--payer-id", ("9090", "4242"), "payer_id"),
    ],
)
def test_a_repeated_filter_is_the_union_each_invoice_once(
    run: Run, sandbox: Sandbox, option: str, values: tuple[str, str], field: str
) -> None:
    done = run("invoices", "export", option, values[0], option, values[1], "--ordering", "-amount_total")
    assert done.returncode == 0, done.stderr
    assert len(_list_queries(sandbox)) == 2  # one listing per value: the API takes one
    wanted = {value.upper() for value in values}
    with sandbox.gcore_client() as gcore:
        expected = [i.id for i in gcore.invoices.list(ordering="-amount_total") if getattr(i, field) in wanted]
    ids = [row["id"] for row in _rows(done.stdout)]
    assert ids == expected  # every one, once, in the requested order
    assert len(set(ids)) == len(ids) > 0
    assert {row[field] for row in _rows(done.stdout)} == wanted  # both values, not the last alone


def test_repeated_filters_of_two_options_are_every_combination(run: Run, sandbox: Sandbox) -> None:
    done = run(
        "invoices", "export", "--currency", "EUR", "--currency", "USD", "--payment-state", "paid",
        "--payment-state", "not_paid",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    sent = {(q["currency"], q["payment_state"]) for q in _list_queries(sandbox)}
    assert sent == {("EUR", "paid"), ("EUR", "not_paid"), ("USD", "paid"), ("USD", "not_paid")}
    with sandbox.gcore_client() as gcore:
        expected = [
            i.id
            for i in gcore.invoices.list()
            if i.currency in {"EUR", "USD"} and i.payment_state in {"paid", "not_paid"}
        ]
    assert [row["id"] for row in _rows(done.stdout)] == expected


def test_too_many_combinations_are_refused_before_anything_is_sent(run: Run, sandbox: Sandbox) -> None:
    currencies = ("EUR", "USD", "GBP", "JPY", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF")
    args = [arg for code in currencies for arg in ("--currency", code)]
    done = run("invoices", "export", *args, "--unpaid")
    assert done.returncode == ExitCode.USAGE
    assert _one_line(done) == "11 --currency x 3 --payment-state is 33 listings; at most 32 in one run"
    assert not sandbox.requests


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--month", "2026-03", "--month", "2026-01"), "--month: given more than once ('2026-03', then '2026-01')"),
        (("--from", "2026-01-01", "--from", "2026-02-01"), "--from: given more than once"),
        (("--ordering", "id", "--ordering", "-name"), "--ordering: given more than once"),
        (("--vendor", "gcore", "--vendor", "versori"), "--vendor: given more than once"),
        (("-o", "a.csv", "--output", "b.csv"), "--output: given more than once ('a.csv', then 'b.csv')"),
        (("--format", "csv", "-fjsonl"), "--format: given more than once ('csv', then 'jsonl')"),
    ],
)
def test_an_option_that_takes_one_value_given_twice_is_a_usage_error(
    run: Run, sandbox: Sandbox, args: tuple[str, ...], message: str
) -> None:
    done = run("invoices", "export", *args)
    assert done.returncode == ExitCode.USAGE
    assert _one_line(done).startswith(message)
    assert not sandbox.requests


# -- 3. --unpaid: every state not fully paid, defined once ---------------------------------------------------------


def test_unpaid_is_every_state_not_fully_paid(run: Run, sandbox: Sandbox) -> None:
    assert set(UNPAID_STATES) == {"not_paid", "partial", "in_payment"}
    done = run("invoices", "export", "--unpaid", "--from", "2026-01-01", "--to", "2026-06-30")
    assert done.returncode == 0, done.stderr
    spelt = run(
        "invoices", "export", "--from", "2026-01-01", "--to", "2026-06-30",
        *(arg for state in ("not_paid", "partial", "in_payment") for arg in ("--payment-state", state)),
    )  # fmt: skip
    assert done.stdout == spelt.stdout
    states = {row["payment_state"] for row in _rows(done.stdout)}
    assert states == {"not_paid", "partial", "in_payment"}  # the sandbox's first half of 2026 has each


def test_unpaid_with_payment_state_is_a_usage_error(run: Run, sandbox: Sandbox) -> None:
    done = run("invoices", "export", "--unpaid", "--payment-state", "paid")
    assert done.returncode == ExitCode.USAGE
    assert _one_line(done) == "--unpaid and --payment-state: give one (--unpaid is not_paid, partial, in_payment)"
    assert not sandbox.requests


# -- 8. Versori: several organisations in one export --------------------------------------------------------------


def test_versori_several_organisations_in_one_export(run: Run, sandbox: Sandbox) -> None:
    args = ("--vendor", "versori", "--from", "2026-01-01", "--to", "2026-06-30")
    done = run("invoices", "export", *args, "--organisation", "org_acme", "--organisation", "org_kuwait",
               "--organisation", "org_tokyo", "--organisation", "org_acme")  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = _rows(done.stdout)
    expected = []
    with sandbox.versori_client() as versori:
        for organisation in ("org_acme", "org_kuwait", "org_tokyo"):
            found = versori.invoices.list(organisation, *_dates("2026-01-01", "2026-06-30"), select="starting")
            expected += [(organisation, invoice.id) for invoice in found]
    assert [(row["client_id"], row["id"]) for row in rows] == expected
    assert {row["client_id"] for row in rows} == {"org_acme", "org_kuwait", "org_tokyo"}
    assert len(rows) == 8  # six of org_acme, one each of the others; org_acme given twice is listed once


def _dates(*days: str) -> tuple[object, ...]:
    import datetime

    return tuple(datetime.date.fromisoformat(day) for day in days)


# -- 4. names by period: every month its own file -----------------------------------------------------------------


def test_month_in_the_output_name_keeps_every_months_file(run: Run, tmp_path: Path) -> None:
    for month in ("2026-02", "2026-03"):
        done = run("invoices", "export", "--month", month, "--unpaid", "-o", str(tmp_path / "unpaid-{month}.csv"))
        assert done.returncode == 0, done.stderr
        count = len(_rows((tmp_path / f"unpaid-{month}.csv").read_text(encoding="utf-8")))
        invoices = "invoice" if count == 1 else "invoices"
        assert done.stderr == f"wrote {count} {invoices} for {month} to {tmp_path / f'unpaid-{month}.csv'}\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["unpaid-2026-02.csv", "unpaid-2026-03.csv"]


def test_last_month_says_which_month_and_names_the_file_by_it(run: Run, tmp_path: Path) -> None:
    done = run("invoices", "export", "--last-month", "-o", str(tmp_path / "{vendor}-{month:%Y%m}.csv"))
    assert done.returncode == 0, done.stderr
    (written,) = tmp_path.iterdir()
    month = last_month(datetime.date.today())[0]
    if written.name != f"gcore-{month:%Y%m}.csv":  # the month turned while it ran: the name follows the filter
        month = last_month(datetime.date.today() + datetime.timedelta(days=1))[0]
    assert written.name == f"gcore-{month:%Y%m}.csv"
    assert done.stderr.endswith(f" for {month:%Y-%m} (last month) to {written}\n")


def test_a_range_names_its_days(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "q-{from}-{to}.csv"
    done = run("invoices", "export", "--from", "2026-01-01", "--to", "2026-03-31", "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "q-2026-01-01-2026-03-31.csv").is_file()
    assert done.stderr == f"wrote 6 invoices for 2026-01-01..2026-03-31 to {tmp_path / 'q-2026-01-01-2026-03-31.csv'}\n"
    exact = run("invoices", "export", "--from", "2026-02-01", "--to", "2026-02-28", "-o", str(tmp_path / "{month}.csv"))
    assert exact.returncode == 0, exact.stderr  # a range that is one calendar month is that month
    assert (tmp_path / "2026-02.csv").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--month", "2026-03", "-o", "unpaid-{mnth}.csv"),
         "--output: no placeholder {mnth}; the placeholders are {month}, {from}, {to}, {vendor}"),
        (("--from", "2026-01-01", "-o", "{month}.csv"),
         "--output: {month} needs --month or --last-month (or --from and --to spanning one calendar month)"),
        (("--from", "2026-01-01", "-o", "{to}.csv"), "--output: {to} needs --to (or --month, --last-month)"),
        (("--month", "2026-03", "-o", "{month"), "--output: '{month' is not a template"),
    ],
)  # fmt: skip
def test_an_unknown_or_empty_placeholder_is_a_usage_error(
    run: Run, sandbox: Sandbox, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    *options, output = args
    done = run("invoices", "export", *options, str(tmp_path / output))
    assert done.returncode == ExitCode.USAGE
    assert _one_line(done).startswith(message.replace("'{month'", repr(str(tmp_path / "{month}"))[:-2] + "'"))
    assert not sandbox.requests
    assert list(tmp_path.iterdir()) == []


def test_a_months_pdfs_go_to_a_folder_named_by_it(run: Run, tmp_path: Path) -> None:
    done = run(
        "invoices", "pdf", "--month", "2026-03", "--dir", str(tmp_path / "pdfs-{month}"), "--name", "{month}-{id}.pdf"
    )
    assert done.returncode == 0, done.stderr
    assert sorted(path.name for path in (tmp_path / "pdfs-2026-03").iterdir()) == ["2026-03-15.pdf", "2026-03-27.pdf"]
    assert done.stderr == f"wrote 2 PDFs for 2026-03 to {tmp_path / 'pdfs-2026-03'}\n"
    done = run("invoices", "pdf", "--dir", str(tmp_path / "x"), "--name", "{month}-{id}.pdf")
    assert done.returncode == ExitCode.USAGE
    assert _one_line(done).startswith("--name: {month} needs --month or --last-month")


# -- 2. a workbook a spreadsheet reads right: numbers, dates, text ------------------------------------------------


def _add_currencies(sandbox: Sandbox) -> None:
    """KWD's three places and JPY's none, beside the seed's EUR, USD and GBP, and a Versori organisation whose id is
    not ASCII (as an id a spreadsheet's default import would mangle)."""
    sandbox.gcore.add_invoice(id=40, currency="KWD", amount_untaxed="10.005", amount_tax="2", amount_total="12.005")
    sandbox.gcore.add_invoice(id=41, currency="JPY", amount_untaxed="15000", amount_tax="0", amount_total="15000")
    sandbox.gcore.add_invoice(id=42, currency="EUR", amount_untaxed="0.125", amount_tax="0", amount_total="0.125")
    sandbox.versori.add_invoice(
        "org_müller", datetime.date(2026, 1, 1), datetime.date(2026, 1, 31), monetary_value(99, 995, "KWD")
    )


def _sheet(path: Path) -> tuple[list[str], list[list[Any]], Any]:
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheet = book.active
    rows = list(sheet.iter_rows())
    return [cell.value for cell in rows[0]], rows[1:], sheet


def _check_invoice_row(header: list[str], cells: list[Any], invoice: Invoice) -> None:
    """Every cell of one workbook row is what the invoice says, typed: amounts are numbers that round-trip to the
    invoice's amount quantized to its currency (with the currency's places in the cell format), dates are dates,
    ids and numbers text."""
    row = dict(zip(header, cells, strict=True))
    for name in ("subtotal", "tax", "total"):
        money, cell = getattr(invoice, name), row[name]
        if money is None:
            assert cell.value is None
            continue
        expected = money.quantize().amount
        assert cell.data_type == "n" and isinstance(cell.value, int | float), (invoice.id, name, cell.value)
        places = minor_unit_exponent(invoice.currency)
        assert Decimal(repr(cell.value)).quantize(Decimal(1).scaleb(-places)) == expected, (invoice.id, name)
        assert cell.number_format == ("#,##0." + "0" * places if places else "#,##0"), (invoice.id, name)
    for name in ("issue_date", "due_date", "period_start", "period_end"):
        day, cell = getattr(invoice, name), row[name]
        if day is None:
            assert cell.value is None
        else:
            assert cell.is_date and cell.value.date() == day, (invoice.id, name)
    for name in ("id", "number", "client_id", "payer_id", "currency", "vendor", "kind"):
        value = getattr(invoice, name)
        assert row[name].value == (None if value is None else str(value)), (invoice.id, name)
        assert value is None or row[name].data_type == "s", (invoice.id, name)  # text: never summed, no zero lost


def test_xlsx_holds_numbers_dates_and_text_exactly(run: Run, sandbox: Sandbox, tmp_path: Path) -> None:
    _add_currencies(sandbox)
    target = tmp_path / "all.xlsx"
    done = run("invoices", "export", "--format", "xlsx", "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert done.stderr == (
        f"wrote 34 invoices to {target} (2 amounts rounded half-even to the currency's minor unit; "
        "--amounts exact keeps them)\n"
    )
    header, rows, sheet = _sheet(target)
    assert header == list(COLUMNS)
    assert sheet.freeze_panes == "A2"  # the header row stays in view
    with sandbox.gcore_client() as gcore:
        invoices = list(gcore.invoices.list())
    assert len(rows) == len(invoices) == 34
    for cells, invoice in zip(rows, invoices, strict=True):
        _check_invoice_row(header, cells, invoice)
    kwd = dict(zip(header, rows[[i.id for i in invoices].index("40")], strict=True))
    assert (kwd["total"].value, kwd["total"].number_format) == (12.005, "#,##0.000")  # not 12005


def test_versori_xlsx_of_several_organisations(run: Run, sandbox: Sandbox, tmp_path: Path) -> None:
    _add_currencies(sandbox)
    target = tmp_path / "versori-{month}.xlsx"
    done = run(
        "invoices", "list", "--vendor", "versori", "--month", "2026-01", "-f", "xlsx", "-o", str(target),
        *(arg for org in ("org_acme", "org_kuwait", "org_tokyo", "org_müller") for arg in ("--organisation", org)),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    header, rows, _ = _sheet(tmp_path / "versori-2026-01.xlsx")
    invoices = []
    with sandbox.versori_client() as versori:
        for org in ("org_acme", "org_kuwait", "org_tokyo", "org_müller"):
            invoices += versori.invoices.list(org, *_dates("2026-01-01", "2026-01-31"), select="starting")
    assert len(rows) == len(invoices) == 4
    for cells, invoice in zip(rows, invoices, strict=True):
        _check_invoice_row(header, cells, invoice)
    assert [row[header.index("client_id")].value for row in rows][-1] == "org_müller"


def test_an_amount_a_spreadsheet_cannot_hold_is_text_and_said(run: Run, sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.gcore.clear()
    big = "123456789012345678.12"  # 20 significant digits: a double keeps 15 to 17
    sandbox.gcore.add_invoice(id=1, currency="EUR", amount_untaxed=big, amount_tax="0", amount_total=big)
    target = tmp_path / "big.xlsx"
    done = run("invoices", "export", "-f", "xlsx", "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert done.stderr.endswith("(2 amounts written as text: more digits than a spreadsheet's number holds)\n")
    header, (row,), _ = _sheet(target)
    assert row[header.index("total")].value == big  # exact, as text: never a nearby number
    assert row[header.index("tax")].value == 0


def test_a_failed_workbook_leaves_the_previous_file_and_no_scratch(run: Run, sandbox: Sandbox, tmp_path: Path) -> None:
    target, scratch = tmp_path / "q.xlsx", tmp_path / "tmp"
    target.write_bytes(b"last month's workbook")
    scratch.mkdir()
    sandbox.inject(Fault.status(503), path="/erp-invoices", times=None)
    done = run("invoices", "export", "-f", "xlsx", "-o", str(target), env={"TMPDIR": str(scratch)})
    assert done.returncode == ExitCode.API_FAILURE, done.stderr
    assert target.read_bytes() == b"last month's workbook"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["q.xlsx", "tmp"]
    assert list(scratch.iterdir()) == []


def test_a_workbook_to_standard_output_is_for_a_pipe(run: Run, sandbox: Sandbox) -> None:
    import openpyxl

    done = subprocess.run(
        [sys.executable, "-m", "invoice_clients", "invoices", "export", "-f", "xlsx", "--month", "2026-03"],
        env=_env(sandbox), capture_output=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    sheet = openpyxl.load_workbook(io.BytesIO(done.stdout)).active
    assert sheet.max_row == 3  # the header and March 2026's two invoices


def test_a_workbook_is_not_written_to_a_terminal(sandbox: Sandbox) -> None:
    import os
    import pty

    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "invoice_clients", "invoices", "export", "-f", "xlsx"],
            stdout=terminal, stderr=subprocess.PIPE, env=_env(sandbox), timeout=120, check=False, text=True,
        )  # fmt: skip
    finally:
        os.close(terminal)
        os.close(controller)
    assert done.returncode == ExitCode.USAGE
    assert done.stderr == (
        "invoice-clients: error: --format xlsx: a workbook is a binary file: give -o FILE.xlsx "
        "(or redirect standard output)\n"
    )
    assert not sandbox.requests


def _env(sandbox: Sandbox) -> dict[str, str]:
    import os

    return {
        **os.environ, "GCORE_API_KEY": sandbox.gcore.api_key, "GCORE_BASE_URL": sandbox.gcore_base_url,
        "VERSORI_API_KEY": sandbox.versori.api_key, "VERSORI_BASE_URL": sandbox.versori_base_url,
    }  # fmt: skip


def test_the_csv_is_utf8_with_a_header_and_point_decimals(run: Run, sandbox: Sandbox) -> None:
    """What the docs promise of the CSV (the workbook is for spreadsheets; the CSV for tools and scripts)."""
    _add_currencies(sandbox)
    done = subprocess.run(
        [sys.executable, "-m", "invoice_clients", "invoices", "export", "--vendor", "versori",
         "--organisation", "org_müller", "--organisation", "org_kuwait", "--month", "2026-01"],
        env=_env(sandbox), capture_output=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"vendor,id,number,")  # a header row, and no byte-order mark before it
    text = done.stdout.decode("utf-8")  # UTF-8 (strictly)
    rows = _rows(text)
    assert [(row["client_id"], row["total"]) for row in rows] == [("org_müller", "99.995"), ("org_kuwait", "12.005")]
    assert "org_m\u00fcller".encode() in done.stdout


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_reads_the_workbook_as_numbers_and_dates(run: Run, sandbox: Sandbox, tmp_path: Path) -> None:
    """LibreOffice Calc opens the workbook (headless) and saves it again: what it read is what it writes back, read
    here by openpyxl: KWD's amounts still numbers at three places, dates still dates, ids still text."""
    _add_currencies(sandbox)
    target = tmp_path / "in" / "all.xlsx"
    target.parent.mkdir()
    done = run("invoices", "export", "-f", "xlsx", "-o", str(target))
    assert done.returncode == 0, done.stderr
    profile = tmp_path / "profile"
    converted = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx",
         "--outdir", str(tmp_path / "out"), str(target)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert converted.returncode == 0, converted.stderr
    header, rows, _ = _sheet(tmp_path / "out" / "all.xlsx")  # (headless, it keeps no view: no frozen pane)
    assert header == list(COLUMNS)
    with sandbox.gcore_client() as gcore:
        invoices = list(gcore.invoices.list())
    assert len(rows) == len(invoices)
    for cells, invoice in zip(rows, invoices, strict=True):
        _check_invoice_row(header, cells, invoice)


# -- 5. reconciliation: invoices totals ---------------------------------------------------------------------------


def _sums(invoices: list[Invoice], key: Any) -> dict[tuple[Any, ...], tuple[int, Decimal, Decimal, Decimal]]:
    found: dict[tuple[Any, ...], tuple[int, Decimal, Decimal, Decimal]] = {}
    for invoice in invoices:
        count, subtotal, tax, total = found.get(key(invoice), (0, Decimal(0), Decimal(0), Decimal(0)))
        found[key(invoice)] = (
            count + 1,
            subtotal + invoice.subtotal.quantize().amount,  # type: ignore[union-attr]
            tax + invoice.tax.quantize().amount,  # type: ignore[union-attr]
            total + invoice.total.quantize().amount,
        )
    return found


def test_totals_per_client_of_the_unpaid_are_the_exact_sums(run: Run, sandbox: Sandbox) -> None:
    done = run("invoices", "totals", "--unpaid", "--from", "2026-01-01", "--to", "2026-03-31", "--by", "client",
               "-f", "csv")  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = _rows(done.stdout)
    assert list(rows[0]) == ["client_id", "currency", "invoices", "subtotal", "tax", "total"]
    with sandbox.gcore_client() as gcore:
        invoices = [
            i
            for i in gcore.invoices.list(
                invoice_date_from=datetime.date(2026, 1, 1), invoice_date_to=datetime.date(2026, 3, 31)
            )
            if i.payment_state in UNPAID_STATES
        ]  # fmt: skip
    expected = _sums(invoices, lambda i: (i.client_id, i.currency))
    got = {
        (row["client_id"], row["currency"]):
            (int(row["invoices"]), *(Decimal(row[n]) for n in ("subtotal", "tax", "total")))
        for row in rows
    }  # fmt: skip
    assert got == expected
    assert got[("4242", "USD")][3] == Decimal("35593.82")  # in_payment: what the cron recipe used to leave out


def test_totals_reconcile_with_the_export_to_the_cent(run: Run, sandbox: Sandbox) -> None:
    sandbox.gcore.add_invoice(id=50, currency="EUR", amount_untaxed="0.125", amount_tax="0", amount_total="0.125",
                              invoice_date="2026-03-05", payment_state="partial")  # fmt: skip
    sandbox.gcore.add_invoice(id=51, currency="EUR", amount_untaxed="0.125", amount_tax="0", amount_total="0.125",
                              invoice_date="2026-03-06", payment_state="partial")  # fmt: skip
    export = _rows(run("invoices", "export", "--month", "2026-03").stdout)
    done = run("invoices", "totals", "--month", "2026-03", "--by", "state", "--by", "month,state", "-f", "jsonl")
    assert done.returncode == 0, done.stderr
    assert done.stderr == (
        "added up 4 invoices for 2026-03 (4 amounts rounded half-even to the currency's minor unit; "
        "--amounts exact keeps them)\n"
    )
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert list(records[0]) == ["payment_state", "month", "currency", "invoices", "subtotal", "tax", "total"]
    for record in records:
        mine = [
            r for r in export if (r["payment_state"], r["currency"]) == (record["payment_state"], record["currency"])
        ]
        assert record["invoices"] == len(mine) and record["month"] == "2026-03"
        for name in ("subtotal", "tax", "total"):
            assert Decimal(record[name]) == sum(Decimal(r[name]) for r in mine), name  # the export's column sum
    partial = next(r for r in records if (r["payment_state"], r["currency"]) == ("partial", "EUR"))
    assert partial["total"] == "42757.31"  # 0.12 + 0.12 as exported, not the 0.25 the unrounded sum would give


def test_versori_totals_have_no_subtotal_and_xlsx_numbers(run: Run, sandbox: Sandbox, tmp_path: Path) -> None:
    target = tmp_path / "totals-{from}.xlsx"
    done = run("invoices", "totals", "--vendor", "versori", "--organisation", "org_acme", "--organisation",
               "org_kuwait", "--from", "2026-01-01", "--to", "2026-06-30", "-f", "xlsx", "-o", str(target))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"added up 7 invoices for 2026-01-01..2026-06-30 to {tmp_path / 'totals-2026-01-01.xlsx'}\n"
    header, rows, sheet = _sheet(tmp_path / "totals-2026-01-01.xlsx")
    assert header == ["currency", "invoices", "subtotal", "tax", "total"]
    assert sheet.freeze_panes == "A2"
    values = [[cell.value for cell in row] for row in rows]
    assert values == [["GBP", 6, None, None, 742.05], ["KWD", 1, None, None, 12.005]]
    assert [row[4].number_format for row in rows] == ["#,##0.00", "#,##0.000"]


def test_totals_table_and_a_bad_group(run: Run, sandbox: Sandbox) -> None:
    done = run("invoices", "totals", "--month", "2026-03")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "currency  invoices  subtotal      tax     total",
        "EUR              2  35336.42  7420.65  42757.07",
    ]
    sandbox.requests.clear()
    bad = run("invoices", "totals", "--by", "client,payer")
    assert bad.returncode == ExitCode.USAGE
    assert _one_line(bad) == "--by: 'payer' is not one of client, state, month"
    assert not [r for r in sandbox.requests if "invoices" in r.path]


# -- 6. an invoice by its number ----------------------------------------------------------------------------------


def test_get_by_number_lists_the_numbers_year_and_kind_only(run: Run, sandbox: Sandbox) -> None:
    done = run("invoices", "get", "--number", "INV/2026/00015", "-f", "jsonl")
    assert done.returncode == 0, done.stderr
    (record,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert (record["id"], record["number"], record["total"]) == ("15", "INV/2026/00015", "10096.42")
    assert _list_queries(sandbox) == [{
        "invoice_date__from": "2026-01-01", "invoice_date__to": "2026-12-31", "move_type": "out_invoice",
        "limit": "100", "offset": "0", "ordering": "id",
    }]  # fmt: skip
    credit = run("invoices", "get", "--number", "RINV/2026/00021", "-f", "jsonl")
    assert json.loads(credit.stdout)["kind"] == "credit_note"
    assert _list_queries(sandbox)[-1]["move_type"] == "out_refund"


def test_a_number_outside_its_year_is_still_found(run: Run, sandbox: Sandbox) -> None:
    sandbox.gcore.add_invoice(id=60, name="INV/2026/00060", invoice_date="2025-12-31")  # numbered in the new year
    done = run("invoices", "get", "--number", "INV/2026/00060", "-f", "csv")
    assert done.returncode == 0, done.stderr
    assert [row["id"] for row in _rows(done.stdout)] == ["60"]
    assert len(_list_queries(sandbox)) == 2  # the year's invoices, then every invoice
    draft = run("invoices", "get", "--number", "INV/DRAFT/00031", "-f", "csv")
    assert [row["id"] for row in _rows(draft.stdout)] == ["31"]


def test_an_unknown_number_is_not_found(run: Run) -> None:
    done = run("invoices", "get", "--number", "INV/2026/00099")
    assert done.returncode == ExitCode.NOT_FOUND
    assert (
        _one_line(done)
        == "no Gcore invoice is numbered 'INV/2026/00099' (looked in invoices dated 2026, then every invoice)"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("get", "INV/2026/00015"),
         "ID: 'INV/2026/00015' is not a whole number; for an invoice number: invoices get --number INV/2026/00015"),
        (("get", "INV 15"),
         "ID: 'INV 15' is not a whole number; for an invoice number: invoices get --number 'INV 15'"),
        (("pdf", "INV/2026/00015", "-o", "x.pdf"),
         "ID: 'INV/2026/00015' is not a whole number; for an invoice number, find its id with: invoices get --number "
         "INV/2026/00015"),
        (("get", "15", "--number", "INV/2026/00015"), "ID and --number: give one"),
        (("get",), "give an ID, or --number NUMBER (an invoice number such as INV/2026/00015)"),
    ],
)  # fmt: skip
def test_a_number_given_as_an_id_suggests_number(
    run: Run, sandbox: Sandbox, args: tuple[str, ...], message: str
) -> None:
    done = run("invoices", *args)
    assert done.returncode == ExitCode.USAGE
    assert _one_line(done) == message
    assert not sandbox.requests


# -- 7. messages that say what to do ------------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", ["gcore", "versori"])
def test_a_refused_key_names_its_variable_and_how_to_check_it(run: Run, sandbox: Sandbox, vendor: str) -> None:
    key = f"{vendor.upper()}_API_KEY"
    args = ("--vendor", vendor, *(("--organisation", "org_acme") if vendor == "versori" else ()))
    wrong = "wrong-key-0123456789"
    done = run("invoices", "export", *args, env={key: wrong})
    assert done.returncode == ExitCode.CREDENTIALS
    message = _one_line(done)
    assert " -> 401: " in message
    assert message.endswith(
        f"; {key} was refused: check that it is the whole key (echo ${{#{key}}} prints its length, not the key), "
        f"still valid, and for this server ({vendor.upper()}_BASE_URL or --base-url)"
    )
    assert wrong not in done.stderr + done.stdout
    forbidden = run("invoices", "export", *args, env={key: sandbox.api(vendor).forbidden_key})
    assert forbidden.returncode == ExitCode.CREDENTIALS
    assert _one_line(forbidden).endswith(
        f" -> 403: {_one_line(forbidden).split(' -> 403: ')[1].split(';')[0]}; the key in {key} is valid but may not "
        "read this: use a key with access to these invoices"
    )


@pytest.mark.parametrize(
    "command",
    [
        ("invoices", "export", "--month", "2026-03"),
        ("invoices", "totals"),
        ("invoices", "get", "--number", "INV/2026/00015"),
        ("invoices", "pdf", "--month", "2026-03", "--dir", "{tmp}/pdfs"),
    ],
)
def test_a_listing_that_is_not_there_says_the_base_url_is_wrong(
    run: Run, sandbox: Sandbox, tmp_path: Path, command: tuple[str, ...]
) -> None:
    wrong = f"{sandbox.gcore_base_url}/api/v2"
    done = run(*(arg.replace("{tmp}", str(tmp_path)) for arg in command), env={"GCORE_BASE_URL": wrong})
    assert done.returncode == ExitCode.CONFIGURATION == 9
    message = _one_line(done)
    assert message.startswith(
        f"GCORE_BASE_URL (or --base-url) is probably wrong: no invoice listing there (GET {wrong}/"
    )
    assert message.endswith(")") and " -> 404: " in message
    missing = run("invoices", "get", "999999")  # an invoice's own 404 is still "not found"
    assert missing.returncode == ExitCode.NOT_FOUND


def test_a_versori_404_may_be_the_organisation(run: Run) -> None:
    done = run("invoices", "export", "--vendor", "versori", "--organisation", "org_nobody")
    assert done.returncode == ExitCode.NOT_FOUND
    assert _one_line(done).endswith("; no such organisation there, or VERSORI_BASE_URL (or --base-url) is wrong")


def test_an_open_range_is_said_as_one(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "v.csv"
    done = run("invoices", "export", "--vendor", "versori", "--organisation", "org_acme", "--from", "2026-01-01",
               "--to", "2026-06-30", "-o", str(target))  # fmt: skip
    assert done.stderr == f"wrote 6 invoices for 2026-01-01..2026-06-30 to {target}\n"
    done = run("invoices", "export", "--from", "2026-06-01", "-o", str(target))
    assert done.stderr == f"wrote 8 invoices for 2026-06-01.. to {target}\n"
    done = run("invoices", "export", "--to", "2025-01-31", "-o", str(target))
    assert done.stderr == f"wrote 1 invoice for ..2025-01-31 to {target}\n"
