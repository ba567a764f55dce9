"""The monthly jobs, as a finance team runs them from cron: a month's invoices by --month or --last-month, every
unpaid state in one run, a CSV an accounting tool takes, each Versori invoice in one month only, --quiet."""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from invoice_clients.cli import ExitCode
from invoice_clients.cli._app import last_month, month_range
from invoice_clients.cli._output import COLUMNS
from invoice_clients.testing import Sandbox, monetary_value
from tests.cli.conftest import Run


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _list_queries(sandbox: Sandbox) -> list[dict[str, str]]:
    return [dict(request.query) for request in sandbox.requests if request.path.endswith("/erp-invoices")]


def _one_line(done: object) -> str:
    stderr = getattr(done, "stderr", "")
    assert stderr.count("\n") == 1, stderr
    prefix = "invoice-clients: error: "
    assert stderr.startswith(prefix), stderr
    return str(stderr[len(prefix) :].rstrip("\n"))


# -- --month and --last-month ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "first", "last"),
    [
        ("2026-02", "2026-02-01", "2026-02-28"),
        ("2028-02", "2028-02-01", "2028-02-29"),
        ("2026-12", "2026-12-01", "2026-12-31"),
    ],
)
def test_month_is_its_first_and_last_day(run: Run, sandbox: Sandbox, month: str, first: str, last: str) -> None:
    done = run("invoices", "export", "--month", month)
    assert done.returncode == 0, done.stderr
    (query,) = _list_queries(sandbox)
    assert (query["invoice_date__from"], query["invoice_date__to"]) == (first, last)


def test_a_month_selects_the_invoices_dated_in_it(run: Run, sandbox: Sandbox) -> None:
    done = run("invoices", "export", "--month", "2026-03", "--currency", "EUR")
    assert done.returncode == 0, done.stderr
    with sandbox.gcore_client() as gcore:
        expected = [i.id for i in gcore.invoices.list(currency="EUR", invoice_date_from=datetime.date(2026, 3, 1),
                                                        invoice_date_to=datetime.date(2026, 3, 31))]  # fmt: skip
    assert [row["id"] for row in _rows(done.stdout)] == expected
    assert expected  # the seed has EUR invoices in March 2026


def test_month_arithmetic() -> None:
    assert month_range(datetime.date(2024, 2, 1)) == (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    assert month_range(datetime.date(2026, 12, 1)) == (datetime.date(2026, 12, 1), datetime.date(2026, 12, 31))
    assert last_month(datetime.date(2026, 1, 1)) == (datetime.date(2025, 12, 1), datetime.date(2025, 12, 31))
    assert last_month(datetime.date(2026, 3, 31)) == (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    assert last_month(datetime.date(2026, 12, 3)) == (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])  # UTC+14 and UTC-11
def test_last_month_is_relative_to_today_in_the_local_time_zone(run: Run, sandbox: Sandbox, zone: str) -> None:
    before = datetime.datetime.now(ZoneInfo(zone)).date()
    done = run("invoices", "export", "--last-month", env={"TZ": zone})
    after = datetime.datetime.now(ZoneInfo(zone)).date()
    assert done.returncode == 0, done.stderr
    (query,) = _list_queries(sandbox)
    sent = tuple(datetime.date.fromisoformat(query[name]) for name in ("invoice_date__from", "invoice_date__to"))
    assert sent in {last_month(before), last_month(after)}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--month", "2026-03", "--from", "2026-03-02"),
            "--month cannot be combined with --from or --to: it sets both",
        ),
        (("--last-month", "--to", "2026-03-02"), "--last-month cannot be combined with --from or --to: it sets both"),
        (("--month", "2026-03", "--last-month"), "--month and --last-month: give one"),
        (("--month", "2026-13"), "--month: '2026-13' is not a month (YYYY-MM)"),
        (("--month", "2026-3"), "--month: '2026-3' is not a month (YYYY-MM)"),
        (("--month", "0000-01"), "--month: '0000-01' is not a month (YYYY-MM)"),
        (("--month", "2026-03-01"), "--month: '2026-03-01' is not a month (YYYY-MM)"),
    ],
)
def test_month_misuse_is_a_usage_error(run: Run, sandbox: Sandbox, args: tuple[str, ...], message: str) -> None:
    done = run("invoices", "export", *args)
    assert done.returncode == ExitCode.USAGE
    assert _one_line(done) == message
    assert not sandbox.requests  # nothing was sent


# -- errors name the options, not the Python parameters ---------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-03-01", "--to", "2026-02-01"),
         "--from 2026-03-01 is after --to 2026-02-01: the range is empty"),
        (
            ("--billing-period-from", "2026-03-01", "--billing-period-to", "2026-02-01"),
            "--billing-period-from 2026-03-01 is after --billing-period-to 2026-02-01: the range is empty",
        ),
        (("--currency", "XYZ"), "--currency 'XYZ' is not an ISO 4217 currency code"),
        (("--client-id", "3000000000"), "--client-id must be between -2147483648 and 2147483647"),
        (("--payer-id", "-9223372036854775809"),
         "--payer-id must be between -9223372036854775808 and 9223372036854775807"),
        (("--ordering", "-total"), "unknown --ordering field '-total'; allowed: id, -id, invoice_date, -invoice_date, "
                                   "amount_total, -amount_total, created_at, -created_at, name, -name"),
        (("--vendor", "versori", "--organisation", ".."),
         "--organisation cannot be '.' or '..' (a dot segment, not an id)"),
        (("--vendor", "versori", "--organisation", "org_acme", "--from", "2026-02-01", "--to", "2026-01-01"),
         "--from 2026-02-01 is after --to 2026-01-01: the range is empty"),
        (("--vendor", "versori", "--organisation", "org_acme", "--upcoming", "--month", "2026-01"),
         "--upcoming takes no dates (--from, --to, --month, --last-month)"),
    ],
)  # fmt: skip
def test_errors_name_the_options(run: Run, sandbox: Sandbox, args: tuple[str, ...], message: str) -> None:
    done = run("invoices", "export", *args)
    assert done.returncode == ExitCode.USAGE
    assert _one_line(done) == message
    assert not [r for r in sandbox.requests if "invoices" in r.path]


def test_versori_from_after_its_default_end_names_the_options(run: Run, sandbox: Sandbox) -> None:
    sandbox.versori.today = lambda: datetime.date(2026, 6, 30)
    done = run("invoices", "export", "--vendor", "versori", "--organisation", "org_acme", "--from", "2099-01-01")
    assert done.returncode == ExitCode.USAGE
    assert _one_line(done).startswith("--from 2099-01-01 is after --to ")
    assert _one_line(done).endswith(" (its default: today, UTC)")


# -- --payment-state, repeated ------------------------------------------------------------------------------


UNPAID = ("not_paid", "partial", "in_payment")


@pytest.mark.parametrize("ordering", [None, "-amount_total", "invoice_date", "-name"])
def test_several_payment_states_in_one_run(run: Run, sandbox: Sandbox, ordering: str | None) -> None:
    for n in range(40):  # more than one page per state, and ties on the ordering field
        day = f"2026-02-{n % 9 + 1:02d}"
        sandbox.gcore.add_invoice(payment_state=UNPAID[n % 3], amount_total=str(n % 5), invoice_date=day)
    args = [arg for state in UNPAID for arg in ("--payment-state", state)]
    args += ["--ordering", ordering] if ordering else []
    done = run("invoices", "export", *args, "--amounts", "exact")
    assert done.returncode == 0, done.stderr
    rows = _rows(done.stdout)
    with sandbox.gcore_client() as gcore:
        expected = [i for i in gcore.invoices.list(ordering=ordering, page_size=7) if i.payment_state in UNPAID]
    assert [row["id"] for row in rows] == [invoice.id for invoice in expected]  # every one, once, in order
    assert {row["payment_state"] for row in rows} == set(UNPAID)
    states = [q["payment_state"] for q in _list_queries(sandbox) if "payment_state" in q]
    assert sorted(set(states)) == sorted(UNPAID)  # one listing per state: the API takes one


def test_a_repeated_state_is_one_listing(run: Run, sandbox: Sandbox) -> None:
    done = run("invoices", "export", "--payment-state", "paid", "--payment-state", "paid")
    assert done.returncode == 0, done.stderr
    assert len(_list_queries(sandbox)) == 1
    assert {row["payment_state"] for row in _rows(done.stdout)} == {"paid"}


def test_merged_listings_yield_an_invoice_met_twice_once() -> None:
    from invoice_clients.vendors.gcore import _merged
    from invoice_clients.vendors.gcore.sort_keys import sort_key
    from tests.paging.test_cursor import _invoice

    first = [_invoice("1"), _invoice("4"), _invoice("7")]
    second = [_invoice("2"), _invoice("4"), _invoice("9")]  # 4 changed state between the two listings
    assert [invoice.id for invoice in _merged([first, second], sort_key(["id"]))] == ["1", "2", "4", "7", "9"]


# -- a CSV for accounting tools -------------------------------------------------------------------------------


def test_csv_amounts_are_in_the_currencys_minor_unit(run: Run, sandbox: Sandbox) -> None:
    sandbox.gcore.clear()
    sandbox.gcore.add_invoice(id=1, currency="EUR", amount_untaxed="6470.02", amount_tax="0", amount_total="6470.02")
    sandbox.gcore.add_invoice(id=2, currency="JPY", amount_untaxed="15000", amount_tax="0", amount_total="15000")
    sandbox.gcore.add_invoice(id=3, currency="KWD", amount_untaxed="12.005", amount_tax="0", amount_total="12.005")
    sandbox.gcore.add_invoice(id=4, currency="XAU", amount_untaxed="1.5", amount_tax="0", amount_total="1.5")
    done = run("invoices", "export", "-q")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    rows = {row["id"]: row for row in _rows(done.stdout)}
    assert [rows[i]["total"] for i in "1234"] == ["6470.02", "15000", "12.005", "1.500000000000"]  # XAU: no minor unit
    assert [rows[i]["tax"] for i in "1234"] == ["0.00", "0", "0.000", "0.000000000000"]
    exact = {row["id"]: row for row in _rows(run("invoices", "export", "--amounts", "exact").stdout)}
    assert exact["1"]["total"] == "6470.020000000000"


def test_rounding_is_half_even_and_counted(run: Run, sandbox: Sandbox) -> None:
    sandbox.gcore.clear()
    sandbox.gcore.add_invoice(id=1, currency="EUR", amount_untaxed="0.125", amount_tax="0.135", amount_total="0.26")
    done = run("invoices", "export")
    assert done.returncode == 0, done.stderr
    (row,) = _rows(done.stdout)
    assert (row["subtotal"], row["tax"], row["total"]) == ("0.12", "0.14", "0.26")
    assert done.stderr == (
        "wrote 1 invoice (2 amounts rounded half-even to the currency's minor unit; --amounts exact keeps them)\n"
    )
    assert run("invoices", "export", "--quiet").stderr == ""


def test_csv_has_client_and_payer_columns(run: Run, sandbox: Sandbox) -> None:
    done = run("invoices", "export", "--client-id", "5151")
    assert done.returncode == 0, done.stderr
    rows = _rows(done.stdout)
    assert list(rows[0]) == list(COLUMNS)
    assert rows and {(row["client_id"], row["payer_id"]) for row in rows} == {("5151", "9090")}
    done = run("invoices", "export", "--vendor", "versori", "--organisation", "org_acme", "--month", "2026-01")
    versori = _rows(done.stdout)
    assert [(row["client_id"], row["payer_id"]) for row in versori] == [("org_acme", "")]


def test_jsonl_amounts_follow_the_same_rule(run: Run) -> None:
    done = run("invoices", "get", "12", "-f", "jsonl")
    record = json.loads(done.stdout)
    assert record["total"] == "6470.02" and record["client_id"] == "5151"


# -- Versori: each invoice in one month only ----------------------------------------------------------------


def test_versori_monthly_exports_hold_each_invoice_once(run: Run, sandbox: Sandbox) -> None:
    sandbox.versori.add_invoice(
        "org_split", datetime.date(2026, 1, 15), datetime.date(2026, 2, 14), monetary_value(30, 0, "GBP")
    )
    sandbox.versori.add_invoice(
        "org_split", datetime.date(2026, 2, 15), datetime.date(2026, 3, 14), monetary_value(31, 0, "GBP")
    )
    months = {}
    for month in ("2026-01", "2026-02", "2026-03"):
        done = run("invoices", "export", "--vendor", "versori", "--organisation", "org_split", "--month", month)
        assert done.returncode == 0, done.stderr
        months[month] = [row["period_start"] for row in _rows(done.stdout)]
    assert months == {"2026-01": ["2026-01-15"], "2026-02": ["2026-02-15"], "2026-03": []}
    # the API's own from/to select by overlap: the same ranges would have counted each invoice twice
    with sandbox.versori_client() as versori:
        overlapping = versori.invoices.list("org_split", datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    assert [str(i.period_start) for i in overlapping] == ["2026-01-15", "2026-02-15"]


# -- --quiet and --help -------------------------------------------------------------------------------------


def test_quiet_says_nothing_on_success_but_still_says_what_failed(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "q.csv"
    loud = run("invoices", "export", "-o", str(target))
    assert loud.stderr == f"wrote 31 invoices to {target}\n"
    quiet = run("invoices", "export", "-o", str(target), "--quiet")
    assert (quiet.returncode, quiet.stderr) == (0, "")
    pdf = run("invoices", "pdf", "1", "-o", str(target.with_suffix(".pdf")), "-q")
    assert (pdf.returncode, pdf.stderr) == (0, "")
    failed = run("invoices", "export", "-q", env={"GCORE_API_KEY": "wrong"})
    assert failed.returncode == ExitCode.CREDENTIALS
    assert _one_line(failed).startswith("GET ")


@pytest.mark.parametrize(
    "command", [(), ("invoices", "list"), ("invoices", "export"), ("invoices", "get"), ("invoices", "pdf")]
)
def test_help_lists_the_exit_codes(run: Run, command: tuple[str, ...]) -> None:
    done = run(*command, "--help")
    assert done.returncode == 0
    section = done.stdout[done.stdout.index("Exit codes:") :].splitlines()[1:]
    assert [int(line.split()[0]) for line in section] == [int(code) for code in ExitCode]
    assert "<bool>" not in done.stdout


def test_export_help_lists_the_columns(run: Run) -> None:
    text = run("invoices", "export", "--help").stdout
    section = text[text.index("Columns (csv, jsonl, xlsx):") :].split("\n\n")[0].splitlines()[1:]
    assert [name.strip() for line in section for name in line.split(",") if name.strip()] == list(COLUMNS)
