"""``invoices pdf --dir``: a month's PDFs into a folder, with no shell loop, as a newcomer (or cron) runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from invoice_clients.cli import ExitCode
from invoice_clients.cli._batch import NameTemplate, looks_complete, path_safe
from invoice_clients.cli._grammar import UsageError
from invoice_clients.testing import Fault, Sandbox
from tests.cli.conftest import Run
from tests.clients.test_process_interrupts import BOUND
from tests.paging.test_cursor import _invoice
from tests.servers.stalled import wait_until


def _downloads(sandbox: Sandbox) -> list[str]:
    return sorted(r.path.split("/")[-2] for r in sandbox.requests if r.path.endswith("/download"))


def _pdfs(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def test_a_months_pdfs_into_a_folder(run: Run, sandbox: Sandbox, tmp_path: Path) -> None:
    target = tmp_path / "pdfs" / "2026-03"  # created, parents too
    done = run("invoices", "pdf", "--month", "2026-03", "--dir", str(target))
    assert done.returncode == 0, done.stderr
    with sandbox.gcore_client() as gcore:
        march = [i for i in gcore.invoices.list() if i.issue_date and i.issue_date.strftime("%Y-%m") == "2026-03"]
        expected = {
            f"{i.number.replace('/', '-')}.pdf": gcore.invoices.download_pdf(int(i.id)) for i in march if i.number
        }
    assert len(expected) == len(march) >= 2
    assert _pdfs(target) == expected
    assert done.stderr == f"wrote {len(march)} PDFs for 2026-03 to {target}\n"


def test_names_from_a_template(run: Run, tmp_path: Path) -> None:
    done = run("invoices", "pdf", "--dir", str(tmp_path), "--payment-state", "paid", "--month", "2026-06",
               "--name", "{issue_date:%Y-%m}_{client_id}_{id}.pdf", "-q")  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert sorted(_pdfs(tmp_path)) == ["2026-06_5151_18.pdf", "2026-06_5151_30.pdf"]


def test_skip_existing_keeps_whole_pdfs_only(run: Run, sandbox: Sandbox, tmp_path: Path) -> None:
    first = run("invoices", "pdf", "--month", "2026-03", "--dir", str(tmp_path), "-q")
    assert first.returncode == 0, first.stderr
    whole, cut = tmp_path / "INV-2026-00015.pdf", tmp_path / "INV-2026-00027.pdf"
    before = whole.stat()
    cut.write_bytes(cut.read_bytes()[:-20])  # cut before its %%EOF, as another tool might leave it
    sandbox.requests.clear()
    again = run("invoices", "pdf", "--month", "2026-03", "--dir", str(tmp_path), "--skip-existing")
    assert again.returncode == 0, again.stderr
    assert again.stderr == f"wrote 1 PDF for 2026-03 to {tmp_path} (1 skipped: already there)\n"
    assert _downloads(sandbox) == ["27"]
    assert (whole.stat().st_ino, whole.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # untouched
    assert looks_complete(cut)
    sandbox.requests.clear()
    assert run("invoices", "pdf", "--month", "2026-03", "--dir", str(tmp_path), "-q").returncode == 0
    assert _downloads(sandbox) == ["15", "27"]  # without --skip-existing, every PDF is fetched again


@pytest.mark.parametrize(
    ("content", "complete"),
    [
        (b"%PDF-1.4\n...\n%%EOF\n", True),
        (b"%PDF-1.4\n...\n%%EOF", True),
        (b"%PDF-1.4\n" + b"x" * 5000 + b"\n%%EOF\r\n", True),
        (b"%PDF-1.4\n%%EOF\n" + b"x" * 2000, False),  # the marker not in the last KiB
        (b"%PDF-1.4\n...", False),
        (b"<html>%%EOF", False),
        (b"%PDF-%%EO", False),
        (b"", False),
    ],
)
def test_what_counts_as_a_whole_pdf(tmp_path: Path, content: bytes, complete: bool) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(content)
    assert looks_complete(path) is complete
    assert not looks_complete(tmp_path / "missing.pdf")
    assert not looks_complete(tmp_path)  # a directory


def test_a_failure_is_one_line_and_the_rest_are_still_fetched(run: Run, sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.inject(Fault.status(404), path="/erp-invoices/15/download", times=None)
    done = run("invoices", "pdf", "--month", "2026-03", "--dir", str(tmp_path))
    assert done.returncode == ExitCode.NOT_FOUND
    lines = done.stderr.splitlines()
    assert lines[0].startswith("invoice-clients: error: INV/2026/00015 (id 15): GET ")
    assert " -> 404" in lines[0]
    assert lines[1] == f"wrote 1 PDF for 2026-03 to {tmp_path} (1 failed)"
    assert sorted(_pdfs(tmp_path)) == ["INV-2026-00027.pdf"]  # no file, and no temporary file, for 15


def test_the_most_serious_failure_sets_the_exit_code(run: Run, sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.inject(Fault.status(404), path="/erp-invoices/15/download", times=None)
    sandbox.inject(Fault.status(500), path="/erp-invoices/27/download", times=None)
    done = run("invoices", "pdf", "--month", "2026-03", "--dir", str(tmp_path), "-q")
    assert done.returncode == ExitCode.API_FAILURE  # 7 before 6
    assert len(done.stderr.splitlines()) == 2  # the two failures, no summary
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "INV-2026-00015.pdf").mkdir()  # a directory where the file goes: that one cannot be written
    sandbox.clear_faults()
    sandbox.inject(Fault.status(404), path="/erp-invoices/27/download", times=None)
    done = run("invoices", "pdf", "--month", "2026-03", "--dir", str(tmp_path), "-q")
    assert done.returncode == ExitCode.OUTPUT_FILE  # 8 before 6
    assert f"cannot write {tmp_path / 'INV-2026-00015.pdf'}" in done.stderr


def test_a_cut_download_leaves_no_file(run: Run, sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.inject(Fault.truncate(), path="/erp-invoices/27/download", times=None)
    done = run("invoices", "pdf", "--month", "2026-03", "--dir", str(tmp_path), "-q")
    assert done.returncode == ExitCode.NETWORK
    assert sorted(os.listdir(tmp_path)) == ["INV-2026-00015.pdf"]


def test_names_are_checked_before_anything_is_fetched(run: Run, sandbox: Sandbox, tmp_path: Path) -> None:
    done = run("invoices", "pdf", "--dir", str(tmp_path), "--name", "{currency}.pdf")
    assert done.returncode == ExitCode.USAGE
    assert done.stderr == (
        "invoice-clients: error: --name: '{currency}.pdf' gives invoices 1 and 4 the same file name 'USD.pdf'; "
        "add {id} or {number}\n"
    )
    assert _downloads(sandbox) == [] and list(tmp_path.iterdir()) == []
    done = run("invoices", "pdf", "--dir", str(tmp_path), "--name", "{issue_date}.pdf", "--month", "2026-01")
    assert done.returncode == ExitCode.USAGE  # two invoices dated 2026-01-31
    sandbox.gcore.add_invoice(id=99, name="")
    done = run(
        "invoices", "pdf", "--dir", str(tmp_path), "--client-id", "4242", "--from", "2026-01-31", "--to", "2026-01-31"
    )
    assert done.returncode == ExitCode.USAGE
    assert "gives invoice 99 the file name '.pdf' (empty or hidden); use {id}" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("1", "--dir", "x"), "ID and --dir: give an ID (with -o) or a listing's filters (with --dir)"),
        (("1", "--month", "2026-01", "-o", "x"),
         "ID and --month: give an ID (with -o) or a listing's filters (with --dir)"),
        (("1",), "ID needs -o FILE (- for standard output)"),
        (("--month", "2026-01", "-o", "x.pdf"), "-o is for one invoice (ID -o FILE); a listing's PDFs go to --dir DIR"),
        ((), "give an ID and -o FILE, or --dir DIR for every invoice a listing selects"),
        (("--dir", "x", "--jobs", "9"), "--jobs: 9 is not between 1 and 8"),
        (("--dir", "x", "--name", "{nope}.pdf"), "--name: no field {nope}; the fields are id, number, vendor, kind, "
                                                 "payment_state, client_id, payer_id, currency, issue_date, due_date, "
                                                 "period_start, period_end, month, from, to"),
        (("--dir", "x", "--name", "{number}/{id}.pdf"),
         "--name: '{number}/{id}.pdf' is a file name, not a path (no / or \\)"),
        (("--dir", "x", "--name", "invoice.pdf"),
         "--name: 'invoice.pdf' names no invoice field, so every invoice would get one name"),
        (("--dir", "x", "--name", "{number"),
         "--name: '{number' is not a template (expected '}' before end of string; {{ and }} are braces)"),
        (("--dir", "x", "--organisation", "org_acme"), "--organisation: no such option"),
    ],
)  # fmt: skip
def test_pdf_misuse_is_one_line(
    run: Run, sandbox: Sandbox, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    done = run("invoices", "pdf", *args)
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert done.stderr == f"invoice-clients: error: {message}\n"
    assert not sandbox.requests


def test_a_file_where_the_folder_goes(run: Run, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("")
    done = run("invoices", "pdf", "--dir", str(tmp_path / "taken"), "--month", "2026-03")
    assert done.returncode == ExitCode.OUTPUT_FILE
    assert done.stderr == f"invoice-clients: error: cannot write {tmp_path / 'taken'}: Not a directory\n"


def test_path_safe_names() -> None:
    assert path_safe("INV/2026/00042") == "INV-2026-00042"
    assert path_safe('a\\b:c*d?e"f<g>h|i') == "a-b-c-d-e-f-g-h-i"
    assert path_safe("tab\there\nnew\u200bline\u2028") == "tab-here-new-line-"
    assert path_safe("Rechnung Nº 7 é") == "Rechnung Nº 7 é"  # letters and spaces are fine
    template = NameTemplate("{number}.pdf")
    with pytest.raises(UsageError, match=r"^--name: '\{number\}.pdf' gives invoice 7 the file name '.pdf'"):
        template.render(_invoice("7"))  # no number
    assert NameTemplate("{id}-{number}.pdf").render(_invoice("7")) == "7-.pdf"
    with pytest.raises(UsageError, match="longer than 255 bytes"):
        NameTemplate("{id}" + "x" * 255).render(_invoice("7"))
    with pytest.raises(UsageError, match=r"^--name: '\{issue_date:%Y\}' for invoice 7: "):
        NameTemplate("{issue_date:%Y}").render(_invoice("7"))  # no date to format


def test_ctrl_c_stops_a_batch_at_once_and_leaves_only_whole_pdfs(sandbox: Sandbox, tmp_path: Path) -> None:
    hanging = range(10, 32)
    for invoice_id in hanging:  # these downloads say nothing for a minute
        sandbox.inject(Fault.timeout(60), path=f"/erp-invoices/{invoice_id}/download", times=None)
    env = {**os.environ, "GCORE_API_KEY": sandbox.gcore.api_key, "GCORE_BASE_URL": sandbox.gcore_base_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "invoice_clients", "invoices", "pdf", "--dir", str(tmp_path), "--name", "{id}.pdf"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:

        def waiting() -> int:
            return sum(1 for r in sandbox.requests if r.path.endswith("/download") and int(r.path.split("/")[-2]) >= 10)

        assert wait_until(lambda: waiting() >= 4, 30), "the batch never had 4 downloads in flight"
        time.sleep(0.2)
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=BOUND)
        took = time.monotonic() - sent
    finally:
        process.kill()
    assert process.returncode == ExitCode.INTERRUPTED
    assert "Traceback" not in stderr and stderr.count("\n") <= 1, stderr
    names = os.listdir(tmp_path)
    assert set(names) <= {f"{i}.pdf" for i in range(1, 10)}  # no temporary file, nothing of the hanging ones
    assert all(looks_complete(tmp_path / name) for name in names)
    print(f"pdf --dir: exited {took:.2f} s after SIGINT, {len(names)} whole PDFs kept")
