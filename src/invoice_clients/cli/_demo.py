"""``invoice-clients demo``: the whole thing working, without an account.

Starts the sandbox (:mod:`invoice_clients.testing`) on loopback, then runs the
real command line against it in subprocesses, printing each command first, so
what a newcomer sees is exactly what they would type.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["run_demo"]


def run_demo(directory: Path | None) -> int:
    """Run the demo commands; return the first failing exit status, or 0."""
    from ..testing import Sandbox

    # The files are the demo's result: they are kept (a temporary directory would be gone by the time the
    # closing line that names it is read).
    out = directory or Path(tempfile.mkdtemp(prefix="invoice-clients-demo-"))
    out.mkdir(parents=True, exist_ok=True)
    with Sandbox() as sandbox:
        env = {
            **os.environ,
            "GCORE_API_KEY": sandbox.gcore.api_key,
            "GCORE_BASE_URL": sandbox.gcore_base_url,
            "VERSORI_API_KEY": sandbox.versori.api_key,
            "VERSORI_BASE_URL": sandbox.versori_base_url,
        }
        print(f"# sandbox serving both APIs on {sandbox.url} (keys exported as GCORE_API_KEY, VERSORI_API_KEY)\n")
        steps = [
            ["invoices", "list", "--vendor", "gcore", "--currency", "EUR", "--ordering", "-invoice_date"],
            ["invoices", "export", "--move-type", "out_refund", "-o", str(out / "credit-notes.csv")],
            ["invoices", "get", "1", "--format", "jsonl"],
            ["invoices", "pdf", "1", "-o", str(out / "invoice-1.pdf")],
            ["invoices", "list", "--vendor", "versori", "--organisation", "org_acme", "--from", "2026-01-01"],
            ["invoices", "list", "--vendor", "versori", "--organisation", "org_kuwait", "--from", "2026-01-01",
             "--format", "jsonl"],
        ]  # fmt: skip
        for args in steps:
            print(f"$ invoice-clients {shlex.join(args)}", flush=True)
            status = subprocess.run([sys.executable, "-m", "invoice_clients", *args], env=env, check=False).returncode
            print(flush=True)
            if status:
                return status
        print(f"# files written in {out} (kept): {', '.join(sorted(p.name for p in out.iterdir()))}")
        print("# run the sandbox yourself and try any command: invoice-clients sandbox")
    return 0
