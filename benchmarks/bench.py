"""Benchmarks, side by side in one run and reported as ratios: absolute times on a shared machine are noise.

    python -m benchmarks.bench [--json FILE] [--rounds N] [--quick]

* listing: N invoices from the sandbox, 10 ms latency per request, listed by the
  facade (default settings, then prefetch, sync and async), by the loop a user
  writes with the generated client alone, and by the official ``gcore`` SDK's
  generic pager; with no latency, the facade with prefetch next to a lean loop
  (``httpx.Client`` + ``json.loads`` on as many threads, no checks: the floor);
  the bound is the larger of pages x latency / concurrency and the lean loop's
  time; the best of ``--rounds`` rounds counts, every sample is kept;
* parsing: microseconds per invoice for the facade, generated ``from_dict`` and
  bare ``json.loads`` (and the facade's general path, for reference);
* memory: peak RSS of a fresh process streaming 200,000 vs 20,000 invoices;
* startup: ``import invoice_clients`` vs ``import httpx`` (``-X importtime``, fresh processes, best of N);
* toolchain: the ``check`` and ``regenerate`` sessions' command (``python -m scripts.regenerate [--check]``,
  run with this interpreter: no ``nox`` needed on PATH) on an unchanged tree,
  next to the generator's own run time.

The sandbox runs in a separate process, so its work does not compete with the
client for the interpreter lock: the client is what is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import multiprocessing
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from benchmarks import chart
from scripts.manifest import ROOT

__all__ = ["main", "run"]

KEY = "bench-key"
PAGE = 100
PREFETCH = 8
TARGETS = {
    "speedup_vs_sequential": 5.0,
    "default_speedup_vs_sequential": 3.0,
    "ratio_to_bound": 1.3,
    "ratio_to_lean": 1.25,
    "async_ratio_to_sync": 1.1,
    "ratio_to_generated": 1.0,
    "growth_mb": 5.0,
    "import_ratio_to_httpx": 1.5,
}


# -- the sandbox, in its own process ------------------------------------------------------------------------


def _serve(invoices: int, latency: float, conn: Connection) -> None:
    from invoice_clients.testing import Fault, Sandbox

    with Sandbox(seed=False, gcore_api_key=KEY) as sandbox:
        for _ in range(invoices):
            sandbox.gcore.add_invoice()
        if latency:
            sandbox.inject(Fault.latency(latency), times=None)
        sandbox.requests = _Discard()  # do not record 2,000 requests
        conn.send(sandbox.gcore_base_url)
        conn.recv()  # until told to stop


class _Discard(list[Any]):
    def append(self, item: Any) -> None:
        return


@contextmanager
def sandbox(invoices: int, latency: float = 0.0) -> Iterator[str]:
    """A sandbox process serving ``invoices`` Gcore invoices; yields its base URL."""
    ours, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(target=_serve, args=(invoices, latency, theirs))
    process.start()
    try:
        yield str(ours.recv())
    finally:
        ours.send("stop")
        process.join(10)
        if process.is_alive():
            process.kill()


def timed(call: Callable[[], int]) -> tuple[float, int]:
    """Seconds ``call`` took, and what it returned (the invoice count, to prove it did the work)."""
    started = time.perf_counter()
    count = call()
    return time.perf_counter() - started, count


# -- listing ------------------------------------------------------------------------------------------------


def facade(base_url: str, prefetch: int | None = None) -> Callable[[], int]:
    """The facade's listing; ``prefetch=None``: its default."""

    def run() -> int:
        from invoice_clients import GcoreBilling

        with GcoreBilling(KEY, base_url=base_url) as client:
            return sum(1 for _ in client.invoices.list(prefetch=prefetch))

    return run


def facade_async(base_url: str, prefetch: int) -> Callable[[], int]:
    async def listing() -> int:
        from invoice_clients import AsyncGcoreBilling

        seen = 0
        async with AsyncGcoreBilling(KEY, base_url=base_url) as client:
            async for _ in client.invoices.list(prefetch=prefetch):
                seen += 1
        return seen

    return lambda: asyncio.run(listing())


def lean_loop(base_url: str) -> Callable[[], int]:
    """The floor: ``httpx.Client`` + ``json.loads`` on PREFETCH + 1 threads, pages side by side, no checks."""

    def run() -> int:
        import httpx

        url = f"{base_url}/billing/org/v1/erp-invoices"
        with (
            httpx.Client(headers={"Authorization": f"apikey {KEY}"}) as client,
            ThreadPoolExecutor(PREFETCH + 1) as pool,
        ):

            def get(offset: int) -> list[Any]:
                params: dict[str, str | int] = {"limit": PAGE, "offset": offset, "ordering": "id"}
                rows: list[Any] = json.loads(client.get(url, params=params).content)["results"]
                return rows

            in_flight = deque(pool.submit(get, n * PAGE) for n in range(PREFETCH + 1))
            following, seen = (PREFETCH + 1) * PAGE, 0
            while True:
                rows = in_flight.popleft().result()
                seen += len(rows)
                if len(rows) < PAGE:
                    for future in in_flight:
                        future.cancel()
                    return seen
                in_flight.append(pool.submit(get, following))
                following += PAGE

    return run


def generated_loop(base_url: str) -> Callable[[], int]:
    def run() -> int:
        from invoice_clients._generated.gcore_billing_client import AuthenticatedClient
        from invoice_clients._generated.gcore_billing_client.api.erp_invoices import v1_erp_invoices_list
        from invoice_clients._generated.gcore_billing_client.models import V1ErpInvoicesListOrderingItem

        by_id = [V1ErpInvoicesListOrderingItem.ID]  # a stable order, as the facade uses: a fair comparison
        seen = 0
        with AuthenticatedClient(base_url=base_url, token=KEY, prefix="apikey") as client:
            offset = 0
            while True:
                page = v1_erp_invoices_list.sync(client=client, limit=PAGE, offset=offset, ordering=by_id)
                assert page is not None
                seen += len(page.results)
                if len(page.results) < PAGE:
                    return seen
                offset += PAGE

    return run


def gcore_sdk(base_url: str) -> Callable[[], int]:
    def run() -> int:
        from gcore import BaseModel, Gcore
        from gcore.pagination import SyncOffsetPage

        class ErpInvoice(BaseModel):
            id: int
            name: str
            currency: str
            amount_total: str
            payment_state: str

        client = Gcore(api_key=KEY, base_url=base_url, default_headers={"Authorization": f"apikey {KEY}"})
        pager = client.get_api_list(
            "/billing/org/v1/erp-invoices",
            model=ErpInvoice,
            page=SyncOffsetPage[ErpInvoice],
            options={"params": {"limit": PAGE, "offset": 0, "ordering": "id"}},
        )
        return sum(1 for _ in pager)

    return run


def listing(invoices: int, latency: float, repeat: int = 1) -> dict[str, Any]:
    """Each client over the same pages, ``repeat`` rounds in turn; the best round of each counts (the least
    disturbed by the machine), every sample is kept."""
    # The facade's requests: each page starts at the previous page's last row (the overlap that lets it verify
    # the listing), until a page holds fewer than PAGE rows.
    pages = 1 if invoices < PAGE else (invoices - PAGE) // (PAGE - 1) + 2
    samples: dict[str, list[float]] = {}
    import gcore  # noqa: F401  (imports are not what is measured)

    import invoice_clients  # noqa: F401

    def measure(name: str, call: Callable[[], int]) -> None:
        elapsed, count = timed(call)
        assert count == invoices, f"{name} listed {count} of {invoices} invoices"
        samples.setdefault(name, []).append(elapsed)

    with sandbox(invoices, latency) as url:
        for _ in range(repeat):
            measure("facade", facade(url))
            measure("facade_prefetch", facade(url, PREFETCH))
            measure("facade_async_prefetch", facade_async(url, PREFETCH))
            measure("generated_sequential", generated_loop(url))
            measure("gcore_sdk", gcore_sdk(url))
    with sandbox(invoices) as url:
        for _ in range(repeat):
            measure("facade_prefetch_no_latency", facade(url, PREFETCH))
            measure("lean_no_latency", lean_loop(url))
    seconds = {name: min(values) for name, values in samples.items()}
    concurrency = PREFETCH + 1
    bound = max(pages * latency / concurrency, seconds["lean_no_latency"])
    return {
        "invoices": invoices,
        "pages": pages,
        "latency_ms": latency * 1000,
        "concurrency": concurrency,
        "rounds": repeat,
        "seconds": seconds,
        "samples": samples,
        "bound_seconds": bound,
        "speedup_vs_sequential": seconds["generated_sequential"] / seconds["facade_prefetch"],
        "default_speedup_vs_sequential": seconds["generated_sequential"] / seconds["facade"],
        "ratio_to_bound": seconds["facade_prefetch"] / bound,
        "ratio_to_lean": seconds["facade_prefetch_no_latency"] / seconds["lean_no_latency"],
        "async_ratio_to_sync": seconds["facade_async_prefetch"] / seconds["facade_prefetch"],
    }


# -- parsing ------------------------------------------------------------------------------------------------


def page_body(invoices: int = PAGE) -> bytes:
    """A realistic page: distinct ids, numbers, amounts and timestamps; dates and currency shared (one month)."""
    from invoice_clients.vendors.gcore.sandbox import GcoreSandbox

    source = GcoreSandbox(api_key=KEY, forbidden_key="-")
    rows = [
        source.add_invoice(
            amount_untaxed=f"{1000 + n}.5",
            created_at=f"2026-01-31T09:{n // 60:02d}:{n % 60:02d}.{n:06d}Z",
            updated_at=f"2026-02-01T10:{n // 60:02d}:{n % 60:02d}+01:00",
        )
        for n in range(invoices)
    ]
    return json.dumps({"count": invoices, "next": None, "previous": None, "results": rows}).encode()


def per_invoice_us(calls: dict[str, Callable[[], object]], invoices: int, repeat: int) -> dict[str, float]:
    """For each call, the best of ``repeat`` runs of 10 calls (the least disturbed by the machine), in
    microseconds per invoice.  The calls take turns, run by run, so that a slow spell of the machine falls on
    all of them rather than on whichever was being measured."""
    best = dict.fromkeys(calls, math.inf)
    for _ in range(repeat):
        for name, call in calls.items():
            best[name] = min(best[name], timeit.timeit(call, number=10) / 10)
    return {name: seconds / invoices * 1e6 for name, seconds in best.items()}


def parsing(repeat: int) -> dict[str, Any]:
    """JSON bytes of one page -> objects, per invoice: the facade as its client runs it (``parse_page_body``:
    msgspec's typed decoding, then the remaining checks and the conversion), the generated ``from_dict`` after
    ``json.loads``, bare ``json.loads`` (the floor of an untyped decoder), and the facade's general path
    (``decode_json``, spec check, ``from_dict``, conversion), which it takes only for a body the fast paths
    defer (one that does not fit the spec, to name the place)."""
    from invoice_clients._generated.gcore_billing_client.models import PaginatedErpInvoiceExternalList
    from invoice_clients._model.parsing import decode_json
    from invoice_clients.vendors.gcore.checks import GCORE_PAGE
    from invoice_clients.vendors.gcore.wire import invoice_from_gcore, parse_page_body

    body = page_body()

    def general_path() -> object:
        data = decode_json(body)
        GCORE_PAGE.check(data, "page")
        page = PaginatedErpInvoiceExternalList.from_dict(data)  # type: ignore[arg-type]
        return [invoice_from_gcore(model) for model in page.results]

    us = per_invoice_us(
        {
            "json_loads": lambda: json.loads(body),
            "generated_from_dict": lambda: PaginatedErpInvoiceExternalList.from_dict(json.loads(body)),
            "facade": lambda: parse_page_body(body),
            "facade_general_path": general_path,
        },
        PAGE,
        repeat,
    )
    return {"us_per_invoice": us, "ratio_to_generated": us["facade"] / us["generated_from_dict"]}


# -- memory -------------------------------------------------------------------------------------------------

_STREAM = """
import resource, sys
from invoice_clients import GcoreBilling
with GcoreBilling(sys.argv[1], base_url=sys.argv[2]) as client:
    count = sum(1 for _ in client.invoices.list())
# VmHWM (this process image's peak, reset by exec); ru_maxrss keeps the forking parent's peak on Linux.
try:
    status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
except (OSError, IndexError):
    status = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(count, status)
"""


def peak_rss_mb(invoices: int) -> float:
    with sandbox(invoices) as url:
        out = subprocess.run(
            [sys.executable, "-c", _STREAM, KEY, url], capture_output=True, text=True, check=True, timeout=600
        ).stdout.split()
    assert int(out[0]) == invoices, out
    return int(out[1]) / 1024  # VmHWM and ru_maxrss are in KiB on Linux


def memory(small: int, large: int) -> dict[str, Any]:
    rss = {str(small): peak_rss_mb(small), str(large): peak_rss_mb(large)}
    return {"peak_rss_mb": rss, "growth_mb": rss[str(large)] - rss[str(small)]}


# -- startup ------------------------------------------------------------------------------------------------


def import_us(module: str) -> float:
    """Microseconds ``import module`` takes in a fresh interpreter (``-X importtime``'s cumulative figure)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    pattern = re.compile(rf"^import time:\s+\d+ \|\s+(\d+) \| {re.escape(module)}$")
    (cumulative,) = (int(m.group(1)) for line in done.stderr.splitlines() if (m := pattern.match(line)))
    return float(cumulative)


def startup(repeat: int) -> dict[str, Any]:
    """``import invoice_clients`` vs ``import httpx``, alternating, best of ``repeat`` each; and, for reference
    (no target), ``import invoice_clients.vendors.gcore``: what the first use of ``GcoreBilling`` loads (the clients are
    imported lazily, with httpx, attrs and the generated package)."""
    samples: dict[str, list[float]] = {"invoice_clients": [], "httpx": [], "invoice_clients.vendors.gcore": []}
    for _ in range(repeat):
        for module in samples:
            samples[module].append(import_us(module))
    ms = {module: min(values) / 1000 for module, values in samples.items()}
    return {"import_ms": ms, "samples_us": samples, "import_ratio_to_httpx": ms["invoice_clients"] / ms["httpx"]}


# -- toolchain ----------------------------------------------------------------------------------------------


def _digest(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` (byte caches excluded)."""
    from scripts.treediff import list_files

    return {name: hashlib.sha256((root / name).read_bytes()).hexdigest() for name in list_files(root)}


def toolchain() -> dict[str, Any]:
    from scripts.manifest import load_manifest
    from scripts.regenerate import _run_generator

    outputs: dict[str, str] = {}

    def nox(session: str) -> Callable[[], int]:
        # The session's command, run with this interpreter (the bench session has the codegen group):
        # no ``nox`` on PATH needed, and no nox start-up in the figure.
        arguments = ["--check"] if session == "check" else []

        def run() -> int:
            command = [sys.executable, "-m", "scripts.regenerate", *arguments]
            done = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True, timeout=600)
            outputs[session] = done.stdout
            return 0

        return run

    before = _digest(ROOT / "generated")
    seconds = {"nox_check": timed(nox("check"))[0], "nox_regenerate": timed(nox("regenerate"))[0]}
    assert "no changes" in outputs["regenerate"].splitlines(), f"regeneration reported:\n{outputs['regenerate']}"
    # Compared with what was there before, not with git's HEAD: the tree may hold a change not yet committed
    # (the spec-drift job runs the tests on absorbed code before anyone commits it).
    after = _digest(ROOT / "generated")
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    assert not changed, f"regeneration changed generated/: {changed}"

    def generator_only() -> int:
        with tempfile.TemporaryDirectory() as tmp:
            for api in load_manifest().apis:
                _run_generator(api, ROOT / "generated" / api.effective_spec_name, Path(tmp) / api.package)
        return 0

    seconds["generator_only"] = timed(generator_only)[0]
    return {"seconds": seconds, "check_ratio_to_generator": seconds["nox_check"] / seconds["generator_only"]}


# -- report -------------------------------------------------------------------------------------------------


def drift_history(quick: bool) -> dict[str, Any]:
    """``spec-drift --history`` speed: every published revision of Gcore's document (Versori's four if ``quick``)."""
    from scripts.drift.history import history, read_revisions
    from scripts.manifest import load_manifest

    name = "versori-organisations" if quick else "gcore-billing"
    archive = ROOT.parent / "shared" / "upstream" / f"{name}-history.tar.xz"
    if not archive.exists():
        return {"skipped": f"{archive} is absent"}
    revisions = read_revisions(archive)
    (api,) = load_manifest(ROOT / "specs" / "manifest.toml", ROOT).select(name)
    start = time.perf_counter()
    steps = history(api, revisions)
    seconds = time.perf_counter() - start
    return {
        "api": name,
        "revisions": len(revisions),
        "timeline_lines": len(steps),
        "seconds": seconds,
        "history_revisions_per_second": len(revisions) / seconds,
    }


def machine() -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "load_1min": os.getloadavg()[0],
    }


def run(quick: bool = False, rounds: int = 5, save: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Every benchmark (``quick``: tiny sizes, one round, no toolchain), as one JSON-able dict.

    ``save`` is called with the results so far after each step, so a late failure loses nothing measured.
    """
    keep = save or (lambda partial: None)
    results: dict[str, Any] = {"machine": machine(), "quick": quick}
    results["drift"] = drift_history(quick)  # first, and on its own: needs nothing the other steps set up
    results["listing"] = listing(500 if quick else 50_000, 0.01, repeat=1 if quick else rounds)
    keep(results)
    results["parsing"] = parsing(repeat=5 if quick else 50)
    keep(results)
    results["memory"] = memory(200, 2_000) if quick else memory(20_000, 200_000)
    keep(results)
    results["startup"] = startup(repeat=3 if quick else 15)
    keep(results)
    if not quick:
        results["toolchain"] = toolchain()
        keep(results)
    results["targets"] = targets(results)
    keep(results)
    return results


def targets(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target next to its measured value, and whether it is met."""
    listing_ = results["listing"]
    measured = {
        "speedup_vs_sequential": (listing_["speedup_vs_sequential"], ">="),
        "default_speedup_vs_sequential": (listing_["default_speedup_vs_sequential"], ">="),
        "ratio_to_bound": (listing_["ratio_to_bound"], "<="),
        "ratio_to_lean": (listing_["ratio_to_lean"], "<="),
        "async_ratio_to_sync": (listing_["async_ratio_to_sync"], "<="),
        "ratio_to_generated": (results["parsing"]["ratio_to_generated"], "<="),
        "growth_mb": (results["memory"]["growth_mb"], "<="),
        "import_ratio_to_httpx": (results["startup"]["import_ratio_to_httpx"], "<="),
    }
    return {
        name: {
            "value": value,
            "target": f"{sense} {TARGETS[name]}",
            "met": value >= TARGETS[name] if sense == ">=" else value <= TARGETS[name],
        }
        for name, (value, sense) in measured.items()
    }


def table(results: dict[str, Any]) -> str:
    """The results as aligned text, each figure next to the ratios that matter."""
    listing_, parsing_, memory_ = results["listing"], results["parsing"], results["memory"]
    s, bound = listing_["seconds"], listing_["bound_seconds"]
    sequential = s["generated_sequential"]
    rounds = listing_.get("rounds", 1)
    rows = [
        f"listing: {listing_['invoices']:,} invoices, {listing_['pages']} pages, {listing_['latency_ms']:.0f} ms "
        f"latency per request, best of {rounds} round{'s' * (rounds != 1)}",
        f"  {'':<28} {'seconds':>8}  {'x bound':>8}  {'speed-up':>8}  {'median s':>8}",
        *(
            f"  {name:<28} {value:8.2f}  {value / bound:8.2f}  {sequential / value:7.1f}x  "
            f"{statistics.median(listing_.get('samples', {}).get(name, [value])):8.2f}"
            for name, value in s.items()
        ),
        f"  {'bound':<28} {bound:8.2f}  {1:8.2f}  {sequential / bound:7.1f}x",
        f"  (bound = max({listing_['pages']} x {listing_['latency_ms']:.0f} ms / {listing_['concurrency']} in flight "
        f"= {listing_['pages'] * listing_['latency_ms'] / 1000 / listing_['concurrency']:.2f} s, "
        f"lean_no_latency); speed-up vs generated_sequential",
        "parsing: one page of 100 invoices, JSON bytes to objects",
        f"  {'':<28} {'us/inv':>8}  {'x loads':>8}  {'x gen.':>8}",
        *(
            f"  {name:<28} {value:8.2f}  {value / parsing_['us_per_invoice']['json_loads']:8.2f}  "
            f"{value / parsing_['us_per_invoice']['generated_from_dict']:8.2f}"
            for name, value in parsing_["us_per_invoice"].items()
        ),
        "memory: peak RSS of a fresh process streaming",
        *(f"  {int(n):>9,} invoices {mb:19.1f} MB" for n, mb in memory_["peak_rss_mb"].items()),
        f"  {'growth':<28} {memory_['growth_mb']:8.1f} MB",
        "startup: import in a fresh process (-X importtime, best of N)",
        *(f"  {'import ' + name:<28} {value:8.1f} ms" for name, value in results["startup"]["import_ms"].items()),
    ]
    if "toolchain" in results:
        t = results["toolchain"]["seconds"]
        rows += [
            "toolchain: wall time",
            f"  {'':<28} {'seconds':>8}  {'x gen.':>8}",
            *(f"  {name:<28} {value:8.2f}  {value / t['generator_only']:8.2f}" for name, value in t.items()),
        ]
    rows.append("targets")
    rows += [
        f"  {name:<28} {check['value']:8.2f}  {check['target']:>8}  {'met' if check['met'] else 'MISSED':>8}"
        for name, check in results["targets"].items()
    ]
    d = results.get("drift", {})
    if "history_revisions_per_second" in d:
        rows.append(
            f"drift: --history over {d['revisions']} {d['api']} revisions in {d['seconds']:.2f} s, "
            f"{d['history_revisions_per_second']:.0f} revisions/s"
        )
    m = results["machine"]
    rows.append(f"machine: {m['cpus']} x {m['cpu']}, Python {m['python']}, load {m['load_1min']:.2f}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, default=Path("bench-results.json"), help="where to write the results")
    parser.add_argument("--quick", action="store_true", help="tiny sizes and no toolchain timing (for tests)")
    parser.add_argument("--rounds", type=int, default=5, help="listing rounds; the best of each counts (default 5)")
    parser.add_argument("--svg", type=Path, default=Path("bench-results.svg"), help="where to draw the results")
    args = parser.parse_args(argv)

    def save(partial: dict[str, Any]) -> None:
        args.json.write_text(json.dumps(partial, indent=2) + "\n", encoding="utf-8")

    results = run(args.quick, rounds=max(args.rounds, 1), save=save)
    print(table(results))
    args.svg.write_text(chart.render(results), encoding="utf-8")
    print(f"\nwrote {args.json} and {args.svg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
