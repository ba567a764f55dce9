"""Downstream code, type-checked as a user's project would be: ``mypy --strict`` on a snippet importing the package.

What a type checker cannot see is refused at run time and documented (a ``datetime`` where a ``date`` is
expected: ``datetime`` is a subclass of ``date``), and tested in ``tests/clients/test_newcomer.py``.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

GOOD = """
    from __future__ import annotations

    import datetime

    from invoice_clients import GcoreBilling, Invoice, PaymentState, RetryPolicy
    from invoice_clients.testing import Sandbox


    def overdue(gcore: GcoreBilling, states: list[str]) -> list[Invoice]:
        ordering = ["-invoice_date"]  # a list[str] variable, not a literal in the call
        first = list(gcore.invoices.list(payment_state=PaymentState.PAID, ordering=ordering))
        second = list(gcore.invoices.list(payment_state="not_paid", ordering="-amount_total,name"))
        return first + second + list(gcore.invoices.list(ordering=tuple(states)))


    with Sandbox() as sandbox:
        with sandbox.gcore_client(retry=RetryPolicy(max_attempts=2), timeout=5.0) as gcore:
            invoices = overdue(gcore, ["name"])
            since = list(gcore.invoices.list(invoice_date_from=datetime.date(2026, 1, 1)))
        with sandbox.versori_client() as versori:
            upcoming = versori.invoices.upcoming(sandbox.organisation_ids[0])
"""

BAD = """
    from invoice_clients.testing import Sandbox

    with Sandbox() as sandbox:
        gcore = sandbox.gcore_client(retrys=3)
"""


def _mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("mypy")
    snippet = tmp_path / "downstream.py"
    snippet.write_text(textwrap.dedent(source), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-version", "3.11", str(snippet)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_downstream_code_type_checks_strictly(tmp_path: Path) -> None:
    done = _mypy(tmp_path, GOOD)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_typo_in_a_sandbox_client_option_is_a_type_error(tmp_path: Path) -> None:
    done = _mypy(tmp_path, BAD)
    assert done.returncode == 1, done.stdout
    assert 'Unexpected keyword argument "retrys"' in done.stdout
