"""Your process, fork: a parent and its forked child listing at once through the same client lose nothing.

The client has listed once before the fork, so its pool holds kept-alive
connections; a child using them would write its requests into the parent's
sockets and read the parent's answers (before: child listings that hung,
typed errors, and listings that ended early in silence, hundreds of invoices
short).  Twenty runs, in a subprocess of their own (the test process has
threads, which ``fork`` would not copy), each bounded.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.servers.paging import PagingServer

pytestmark = pytest.mark.adversarial

ROWS = 1000
RUNS = 20
SCRIPT = """
import json, os, select, sys, warnings
warnings.simplefilter("ignore", DeprecationWarning)  # "use of fork() may lead to deadlocks": what is tested here
from invoice_clients import GcoreBilling, InvoiceClientsError, RetryPolicy

url, rows, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
expected = set(range(1, rows + 1))
retry = RetryPolicy(max_attempts=2, initial_delay=0.01, max_delay=0.01, jitter=0.0, max_elapsed=10)

def listing(gcore):
    try:
        ids = [int(invoice.id) for invoice in gcore.invoices.list(prefetch=8)]
    except InvoiceClientsError as exc:
        return {"error": type(exc).__name__}
    return {"lost": len(expected - set(ids)), "repeated": len(ids) - len(set(ids))}

outcomes = []
for run in range(runs):
    with GcoreBilling("adversarial-key", base_url=url, retry=retry, timeout=5) as gcore:
        assert listing(gcore) == {"lost": 0, "repeated": 0}  # the pool now holds connections
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.write(write, json.dumps(listing(gcore)).encode())
            os._exit(0)
        os.close(write)
        parent = listing(gcore)
        if select.select([read], [], [], 10)[0]:
            child = json.loads(os.read(read, 4096) or b'{"error": "the child died"}')
        else:
            os.kill(pid, 9)
            child = {"error": "the child hung"}
        os.close(read)
        os.waitpid(pid, 0)
    print(json.dumps([parent, child]), flush=True)
"""


def test_parent_and_child_listing_through_one_client_lose_nothing() -> None:
    with PagingServer(rows=ROWS, keep_alive=True, max_requests=10**6) as server:
        try:
            done = subprocess.run(
                [sys.executable, "-c", SCRIPT, server.base_url, str(ROWS), str(RUNS)],
                capture_output=True, text=True, timeout=50, check=False,
            )  # fmt: skip
            output, status = done.stdout, done.returncode
        except subprocess.TimeoutExpired as late:  # what the runs that finished said
            output, status = (
                (late.stdout or b"").decode() if isinstance(late.stdout, bytes) else late.stdout or "",
                None,
            )
    outcomes = [outcome for line in output.splitlines() for outcome in json.loads(line)]
    wrong = [outcome for outcome in outcomes if outcome != {"lost": 0, "repeated": 0}]
    assert not wrong, f"{len(wrong)} of {len(outcomes)} listings: {wrong}"
    assert status == 0 and len(outcomes) == 2 * RUNS, f"exit status {status}, {len(outcomes)} listings"
