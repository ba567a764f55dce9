"""Your process, Ctrl-C: a listing ends at once however slow the server, and the command line leaves no trace.

Each case runs in a subprocess listing from a server that answers the first
page(s) and then holds every request for a minute; SIGINT is sent once
prefetch has its pages in flight.  The process must be gone within
:data:`BOUND` seconds: a bound that makes a hang fail, far above what it takes
(a few tenths of a second) and far below the stall and the 30 s read timeout
that held the process before.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from invoice_clients.cli import ExitCode
from tests.servers.stalled import StalledServer, wait_until

pytestmark = pytest.mark.adversarial

BOUND = 3.0
"""Seconds from SIGINT to exit that fail the test: a hang, not a measurement."""
KEY = "sk-test-interrupts-0123456789"

SYNC = f"""
import sys, time
from invoice_clients import GcoreBilling
options, pause_at = eval(sys.argv[2]), int(sys.argv[3])
gcore = GcoreBilling("{KEY}", base_url=sys.argv[1])  # never closed, as in a script that forgets to
it = iter(gcore.invoices.list(**options))  # kept alive by the traceback if the loop body is interrupted
for number, invoice in enumerate(it, 1):
    if number == pause_at:
        print("in the loop body", flush=True)
        time.sleep(60)
"""
ASYNC = f"""
import asyncio, sys
from invoice_clients import AsyncGcoreBilling
options = eval(sys.argv[2])
async def main():
    async with AsyncGcoreBilling("{KEY}", base_url=sys.argv[1]) as gcore:
        async for invoice in gcore.invoices.list(**options):
            pass
asyncio.run(main())
"""

CASES = {
    # name: (script, options, answered offsets, invoice at which the loop body pauses (0: never))
    "sync, default prefetch, waiting for a page": (SYNC, "{}", (0,), 0),
    "sync, prefetch=8, waiting for a page": (SYNC, "{'prefetch': 8}", (0,), 0),
    "sync, interrupted in the loop body, iterator kept": (SYNC, "{}", (0, 99), 150),
    "async, default prefetch, waiting for a page": (ASYNC, "{}", (0,), 0),
    "async, prefetch=8, waiting for a page": (ASYNC, "{'prefetch': 8}", (0,), 0),
}


def _interrupt(process: subprocess.Popen[str], server: StalledServer) -> float:
    """Send SIGINT once the listing has its pages in flight; the seconds it took the process to exit."""
    assert wait_until(lambda: server.stalled >= 8, 20), f"only {server.stalled} requests in flight"
    time.sleep(0.2)  # the last of them reach their read
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=BOUND)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"still running {BOUND} s after SIGINT")
    return time.monotonic() - sent


@pytest.mark.parametrize("name", list(CASES))
def test_a_listing_exits_promptly_on_sigint(name: str) -> None:
    script, options, answered, pause_at = CASES[name]
    with StalledServer(answered=answered) as server:
        process = subprocess.Popen(
            [sys.executable, "-c", script, server.url, options, str(pause_at)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        if pause_at:
            assert process.stdout is not None
            assert process.stdout.readline() == "in the loop body\n"
        took = _interrupt(process, server)
        assert process.returncode == -signal.SIGINT, process.communicate()[1]
        assert wait_until(lambda: server.open == 0, BOUND), f"{server.open} connections still open"
    print(f"{name}: exited {took:.2f} s after SIGINT")


def test_the_cli_exits_130_at_once_and_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "invoices.csv"
    target.write_text("the previous export\n")
    with StalledServer() as server:
        process = subprocess.Popen(
            [sys.executable, "-m", "invoice_clients", "invoices", "export", "--vendor", "gcore", "-o", str(target),
             "--base-url", server.url],
            env={**os.environ, "GCORE_API_KEY": KEY}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        took = _interrupt(process, server)
        _, stderr = process.communicate()
    assert process.returncode == 130
    assert "Traceback" not in stderr and stderr.count("\n") <= 1, stderr
    assert target.read_text() == "the previous export\n"
    assert [path.name for path in tmp_path.iterdir()] == ["invoices.csv"]  # no temporary file left
    assert ExitCode.INTERRUPTED == 130
    print(f"cli export: exited {took:.2f} s after SIGINT")
