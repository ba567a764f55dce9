"""Benchmarks, side by side in one run and reported as ratios: absolute times on a shared machine are noise.

    python -m benchmarks.bench [--json FILE] [--rounds N] [--quick]

* listing: N invoices from the sandbox, 10 ms latency per request, listed by the
  facade (default settings, then prefetch, sync and async), by the loop a user
  writes with the generated client alone, and by the official ``gcore`` SDK's
  generic pager; with no latency, the facade with prefetch next to a lean loop
  (``httpx.Client`` + ``json.loads`` on as many threads, no checks: the floor);
  the bound is the larger of pages x latency / concurrency and the lean loop's
  time.  ``--rounds`` interleaved rounds, each running every contender back to
  back (both sandboxes up, the order rotated from round to round), so that a
  slow spell of the machine falls on one round, not on one contender: each ratio
  is computed within a round and reported as the median of the rounds, with
  their spread (min-max); every sample is kept;
* parsing: CPU microseconds per invoice (``time.process_time``: a busy machine's
  other processes do not count) for the facade, generated ``from_dict`` and bare
  ``json.loads`` (and msgspec decoding the Structs alone, for reference), in
  interleaved rounds likewise;
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
    "ratio_to_generated": 0.6,
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


LATENCY_CONTENDERS = ("facade", "facade_prefetch", "facade_async_prefetch", "generated_sequential", "gcore_sdk")
"""Listed from the sandbox with latency; the other two from one without."""


def median_and_spread(values: list[float]) -> tuple[float, list[float]]:
    """The median of ``values`` and their spread, ``[min, max]``."""
    return statistics.median(values), [min(values), max(values)]


def rounds_of(calls: dict[str, Callable[[], Any]], rounds: int, run: Callable[[str, Callable[[], Any]], None]) -> None:
    """``rounds`` rounds of ``run(name, call)`` for every call, back to back, each round starting one call further
    on (so that no contender always follows the same one)."""
    names = list(calls)
    for number in range(rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            run(name, calls[name])


def listing(invoices: int, latency: float, rounds: int = 1) -> dict[str, Any]:
    """Each client over the same pages in interleaved rounds (see the module docstring); every sample is kept."""
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

    with sandbox(invoices, latency) as slow, sandbox(invoices) as fast:
        calls = {
            "facade": facade(slow),
            "facade_prefetch": facade(slow, PREFETCH),
            "facade_async_prefetch": facade_async(slow, PREFETCH),
            "generated_sequential": generated_loop(slow),
            "gcore_sdk": gcore_sdk(slow),
            "facade_prefetch_no_latency": facade(fast, PREFETCH),
            "lean_no_latency": lean_loop(fast),
        }
        rounds_of(calls, rounds, measure)
    concurrency = PREFETCH + 1
    each = [dict(zip(samples, values, strict=True)) for values in zip(*samples.values(), strict=True)]
    bounds = [max(pages * latency / concurrency, one["lean_no_latency"]) for one in each]
    per_round = {
        "speedup_vs_sequential": [one["generated_sequential"] / one["facade_prefetch"] for one in each],
        "default_speedup_vs_sequential": [one["generated_sequential"] / one["facade"] for one in each],
        "ratio_to_bound": [one["facade_prefetch"] / bound for one, bound in zip(each, bounds, strict=True)],
        "ratio_to_lean": [one["facade_prefetch_no_latency"] / one["lean_no_latency"] for one in each],
        "async_ratio_to_sync": [one["facade_async_prefetch"] / one["facade_prefetch"] for one in each],
    }
    spread: dict[str, list[float]] = {}
    medians: dict[str, float] = {}
    for name, values in {**samples, **per_round}.items():
        medians[name], spread[name] = median_and_spread(values)
    return {
        "invoices": invoices,
        "pages": pages,
        "latency_ms": latency * 1000,
        "concurrency": concurrency,
        "rounds": rounds,
        "seconds": {name: medians[name] for name in samples},
        "samples": samples,
        "bound_seconds": statistics.median(bounds),
        "bounds": bounds,
        "per_round": per_round,
        "spread": spread,
        **{name: medians[name] for name in per_round},
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


def parsing(rounds: int) -> dict[str, Any]:
    """JSON bytes of one page -> objects, CPU microseconds per invoice: the facade as its client runs it
    (``parse_page``: msgspec decodes the Structs, one expression checks the patterns of the page's invoices,
    then each ``Invoice`` and its ``Money``, msgspec Structs too, are built in C; the generated models are built
    from the body on first read of ``.raw``, not here), the generated ``from_dict`` after ``json.loads``, bare
    ``json.loads`` (the floor of an untyped decoder) and msgspec decoding the Structs alone (the floor of the
    facade's).  Interleaved rounds of 10 calls each; each ratio within a round, the median of the rounds reported
    with their spread."""
    import msgspec

    from invoice_clients._generated.gcore_billing_client.models import PaginatedErpInvoiceExternalList
    from invoice_clients.vendors.gcore import schema
    from invoice_clients.vendors.gcore.decoder import parse_page

    body = page_body()
    request = {"method": "GET", "url": "http://127.0.0.1/billing/org/v1/erp-invoices", "status_code": 200}
    structs = msgspec.json.Decoder(schema.PaginatedErpInvoiceExternalList).decode
    calls: dict[str, Callable[[], object]] = {
        "json_loads": lambda: json.loads(body),
        "generated_from_dict": lambda: PaginatedErpInvoiceExternalList.from_dict(json.loads(body)),
        "facade": lambda: parse_page(body, request, 0, PAGE),  # type: ignore[arg-type]
        "msgspec_structs": lambda: structs(body),
    }
    samples: dict[str, list[float]] = {}

    def measure(name: str, call: Callable[[], object]) -> None:
        seconds = timeit.timeit(call, number=10, timer=time.process_time) / 10
        samples.setdefault(name, []).append(seconds / PAGE * 1e6)

    rounds_of(calls, rounds, measure)
    ratios = [ours / theirs for ours, theirs in zip(samples["facade"], samples["generated_from_dict"], strict=True)]
    ratio, spread = median_and_spread(ratios)
    return {
        "us_per_invoice": {name: statistics.median(values) for name, values in samples.items()},
        "samples_us": samples,
        "clock": "process_time",
        "ratios": ratios,
        "ratio_to_generated": ratio,
        "spread": {"ratio_to_generated": spread},
    }


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


def run(quick: bool = False, rounds: int = 7, save: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Every benchmark (``quick``: tiny sizes, one round, no toolchain), as one JSON-able dict.

    ``save`` is called with the results so far after each step, so a late failure loses nothing measured.
    """
    keep = save or (lambda partial: None)
    results: dict[str, Any] = {"machine": machine(), "quick": quick}
    results["drift"] = drift_history(quick)  # first, and on its own: needs nothing the other steps set up
    results["listing"] = listing(500 if quick else 50_000, 0.01, rounds=1 if quick else rounds)
    keep(results)
    results["parsing"] = parsing(rounds=5 if quick else 50)
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
    """Each target next to its measured value (a median of rounds, with their spread, where there are rounds),
    and whether it is met."""
    listing_, parsing_ = results["listing"], results["parsing"]
    measured = {
        "speedup_vs_sequential": (listing_["speedup_vs_sequential"], ">=", listing_["spread"]),
        "default_speedup_vs_sequential": (listing_["default_speedup_vs_sequential"], ">=", listing_["spread"]),
        "ratio_to_bound": (listing_["ratio_to_bound"], "<=", listing_["spread"]),
        "ratio_to_lean": (listing_["ratio_to_lean"], "<=", listing_["spread"]),
        "async_ratio_to_sync": (listing_["async_ratio_to_sync"], "<=", listing_["spread"]),
        "ratio_to_generated": (parsing_["ratio_to_generated"], "<=", parsing_["spread"]),
        "growth_mb": (results["memory"]["growth_mb"], "<=", {}),
        "import_ratio_to_httpx": (results["startup"]["import_ratio_to_httpx"], "<=", {}),
    }
    return {
        name: {
            "value": value,
            "target": f"{sense} {TARGETS[name]}",
            "met": value >= TARGETS[name] if sense == ">=" else value <= TARGETS[name],
            **({"spread": spread[name]} if name in spread else {}),
        }
        for name, (value, sense, spread) in measured.items()
    }


def table(results: dict[str, Any]) -> str:
    """The results as aligned text, each figure next to the ratios that matter."""
    listing_, parsing_, memory_ = results["listing"], results["parsing"], results["memory"]
    s, bound = listing_["seconds"], listing_["bound_seconds"]
    sequential = s["generated_sequential"]
    rounds = listing_.get("rounds", 1)
    samples = listing_.get("samples", {})
    rows = [
        f"listing: {listing_['invoices']:,} invoices, {listing_['pages']} pages, {listing_['latency_ms']:.0f} ms "
        f"latency per request, median of {rounds} interleaved round{'s' * (rounds != 1)}",
        f"  {'':<28} {'seconds':>8}  {'min':>6}  {'max':>6}  {'x bound':>8}  {'speed-up':>8}",
        *(
            f"  {name:<28} {value:8.2f}  {min(samples.get(name, [value])):6.2f}  {max(samples.get(name, [value])):6.2f}"
            f"  {value / bound:8.2f}  {sequential / value:7.1f}x"
            for name, value in s.items()
        ),
        f"  {'bound':<28} {bound:8.2f}  {'':>6}  {'':>6}  {1:8.2f}  {sequential / bound:7.1f}x",
        f"  (bound = max({listing_['pages']} x {listing_['latency_ms']:.0f} ms / {listing_['concurrency']} in flight "
        f"= {listing_['pages'] * listing_['latency_ms'] / 1000 / listing_['concurrency']:.2f} s, "
        f"lean_no_latency); speed-up vs generated_sequential; each ratio below is taken within a round",
        f"parsing: one page of 100 invoices, JSON bytes to objects, CPU time, median of "
        f"{len(parsing_.get('ratios', [0]))} interleaved rounds",
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
    rows.append(f"targets{'':<22} {'median':>8}  {'target':>8}  {'':>8}  spread of the rounds")
    rows += [
        f"  {name:<28} {check['value']:8.2f}  {check['target']:>8}  {'met' if check['met'] else 'MISSED':>8}"
        + (f"  {check['spread'][0]:.2f}-{check['spread'][1]:.2f}" if "spread" in check else "")
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
    parser.add_argument(
        "--rounds", type=int, default=7, help="listing rounds, every contender in each; medians count (default 7)"
    )
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
