"""Issue 32: a finance team's month, exact.  Each section is one finding of the issue, driven as a user drives the
command (a subprocess against the real sandbox), with the numbers checked against the library's own listing."""

from __future__ import annotations

import csv
import datetime
import io
import subprocess
from pathlib import Path

import pytest

from invoice_clients import UNPAID_STATES
from invoice_clients.cli import ExitCode
from invoice_clients.cli._app import last_month
from invoice_clients.testing import Sandbox
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
            i.id for i in gcore.invoices.list() if i.currency in {"EUR", "USD"} and i.payment_state in {"paid", "not_paid"}
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
    assert " from 2026-01-01 to 2026-03-31 to " in done.stderr
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
