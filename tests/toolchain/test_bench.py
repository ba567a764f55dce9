"""The benchmark harness on a tiny dataset: it runs end to end and its ratios are the measured quotients.

Nothing here is timed against a threshold: benchmarks report, tests check the reporting.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.manifest import ROOT
from tests.shared import requires_git_checkout, requires_group

requires_group("bench", "gcore")
requires_group("codegen", "openapi_python_client", "ruff")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    target = tmp_path_factory.mktemp("bench") / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.bench",
            "--quick",
            "--json",
            str(target),
            "--svg",
            str(target.with_suffix(".svg")),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert "speedup_vs_sequential" in done.stdout and "x bound" in done.stdout  # the table was printed
    assert "median of 1 interleaved round" in done.stdout
    data: dict[str, object] = json.loads(target.read_text())
    data["svg written"] = target.with_suffix(".svg").read_text()
    return data


def test_listing_compares_every_client_over_the_same_pages_round_by_round(results: dict[str, object]) -> None:
    listing = results["listing"]
    assert isinstance(listing, dict)
    seconds, samples = listing["seconds"], listing["samples"]
    assert set(seconds) == {
        "facade",
        "facade_prefetch",
        "facade_async_prefetch",
        "generated_sequential",
        "gcore_sdk",
        "facade_prefetch_no_latency",
        "lean_no_latency",
    }
    assert listing["pages"] == 6  # 500 invoices: five full pages and the empty one that proves the end
    assert {name: statistics.median(values) for name, values in samples.items()} == seconds  # medians count
    assert {len(values) for values in samples.values()} == {listing["rounds"]}  # every contender in every round
    rounds = [dict(zip(samples, values, strict=True)) for values in zip(*samples.values(), strict=True)]
    # The bound is the lean loop's floor (of the same round), not the facade's own time: not 1.0 by construction.
    bounds = [max(listing["pages"] * 0.01 / listing["concurrency"], one["lean_no_latency"]) for one in rounds]
    assert listing["bounds"] == pytest.approx(bounds)
    assert listing["bound_seconds"] == pytest.approx(statistics.median(bounds))
    quotients = {
        "speedup_vs_sequential": [one["generated_sequential"] / one["facade_prefetch"] for one in rounds],
        "default_speedup_vs_sequential": [one["generated_sequential"] / one["facade"] for one in rounds],
        "ratio_to_bound": [one["facade_prefetch"] / bound for one, bound in zip(rounds, bounds, strict=True)],
        "ratio_to_lean": [one["facade_prefetch_no_latency"] / one["lean_no_latency"] for one in rounds],
        "async_ratio_to_sync": [one["facade_async_prefetch"] / one["facade_prefetch"] for one in rounds],
    }
    for name, values in quotients.items():  # each ratio is taken within a round; the median of the rounds counts
        assert listing["per_round"][name] == pytest.approx(values)
        assert listing[name] == pytest.approx(statistics.median(values))
        assert listing["spread"][name] == pytest.approx([min(values), max(values)])
    # Latency is really injected: the sequential loop waits at least pages x 10 ms.
    assert min(samples["generated_sequential"]) >= listing["pages"] * 0.01


def test_rounds_run_every_contender_back_to_back_in_a_rotating_order() -> None:
    from benchmarks.bench import rounds_of

    ran: list[str] = []
    rounds_of(dict.fromkeys("abc", lambda: None), 4, lambda name, call: ran.append(name))
    assert ran == list("abcbcacababc")


def test_parsing_and_memory_ratios(results: dict[str, object]) -> None:
    parsing, memory = results["parsing"], results["memory"]
    assert isinstance(parsing, dict) and isinstance(memory, dict)
    us, samples = parsing["us_per_invoice"], parsing["samples_us"]
    assert set(us) == {"json_loads", "generated_from_dict", "facade", "msgspec_structs"}
    assert {name: statistics.median(values) for name, values in samples.items()} == us
    ratios = [ours / theirs for ours, theirs in zip(samples["facade"], samples["generated_from_dict"], strict=True)]
    assert parsing["ratios"] == pytest.approx(ratios) and len(ratios) == 5
    assert parsing["ratio_to_generated"] == pytest.approx(statistics.median(ratios))
    assert parsing["spread"]["ratio_to_generated"] == pytest.approx([min(ratios), max(ratios)])
    assert all(value > 0 for value in us.values())
    rss = memory["peak_rss_mb"]
    assert memory["growth_mb"] == pytest.approx(rss["2000"] - rss["200"])
    assert "toolchain" not in results  # --quick skips the slow toolchain timings


def test_startup_ratio(results: dict[str, object]) -> None:
    startup = results["startup"]
    assert isinstance(startup, dict)
    ms = startup["import_ms"]
    assert set(ms) == {"invoice_clients", "httpx", "invoice_clients.vendors.gcore"}
    assert all(value > 0 for value in ms.values())
    assert {name: min(values) / 1000 for name, values in startup["samples_us"].items()} == ms
    assert startup["import_ratio_to_httpx"] == pytest.approx(ms["invoice_clients"] / ms["httpx"])


def test_targets_restate_the_measured_ratios(results: dict[str, object]) -> None:
    targets, listing, parsing, memory = results["targets"], results["listing"], results["parsing"], results["memory"]
    startup = results["startup"]
    assert isinstance(targets, dict) and isinstance(listing, dict) and isinstance(startup, dict)
    assert isinstance(parsing, dict) and isinstance(memory, dict)
    assert {name: check["value"] for name, check in targets.items()} == {
        "speedup_vs_sequential": listing["speedup_vs_sequential"],
        "default_speedup_vs_sequential": listing["default_speedup_vs_sequential"],
        "ratio_to_bound": listing["ratio_to_bound"],
        "ratio_to_lean": listing["ratio_to_lean"],
        "async_ratio_to_sync": listing["async_ratio_to_sync"],
        "ratio_to_generated": parsing["ratio_to_generated"],
        "growth_mb": memory["growth_mb"],
        "import_ratio_to_httpx": startup["import_ratio_to_httpx"],
    }
    assert targets["speedup_vs_sequential"]["met"] == (listing["speedup_vs_sequential"] >= 5.0)
    assert targets["default_speedup_vs_sequential"]["met"] == (listing["default_speedup_vs_sequential"] >= 3.0)
    assert targets["ratio_to_bound"]["met"] == (listing["ratio_to_bound"] <= 1.3)
    assert targets["ratio_to_lean"]["met"] == (listing["ratio_to_lean"] <= 1.25)
    assert targets["async_ratio_to_sync"]["met"] == (listing["async_ratio_to_sync"] <= 1.1)
    assert targets["ratio_to_generated"]["met"] == (parsing["ratio_to_generated"] <= 0.6)
    assert targets["growth_mb"]["met"] == (memory["growth_mb"] <= 5.0)
    assert targets["import_ratio_to_httpx"]["met"] == (startup["import_ratio_to_httpx"] <= 1.5)
    spread = {name: check["spread"] for name, check in targets.items() if "spread" in check}
    assert spread == {**{name: listing["spread"][name] for name in list(targets)[:5]}, **parsing["spread"]}


def _ignored(path: str) -> bool:
    requires_git_checkout()
    check = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT, check=False)
    assert check.returncode in {0, 1}, f"git check-ignore failed on {path}"
    return check.returncode == 0


def test_results_file_is_ignored_by_git_and_the_docs_copy_is_not() -> None:
    """A local nox -s bench run stays out of commits; the run the benchmarks page quotes is committed."""
    assert _ignored("bench-results.json") and _ignored("bench-results.svg")
    assert not _ignored("docs/assets/bench-results.json") and not _ignored("docs/assets/benchmarks.svg")


def test_toolchain_step_needs_no_nox_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13: bench used to call ``nox`` from PATH and, without it, crashed at the very end."""
    from benchmarks import bench

    only_git = tmp_path / "bin"
    only_git.mkdir()
    git = shutil.which("git")
    assert git is not None
    (only_git / "git").symlink_to(git)
    monkeypatch.setenv("PATH", str(only_git))
    toolchain = bench.toolchain()
    assert set(toolchain["seconds"]) == {"nox_check", "nox_regenerate", "generator_only"}


def test_results_are_written_after_each_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks import bench

    def broken_memory(small: int, large: int) -> dict[str, object]:
        raise RuntimeError("the machine ran out of something")

    monkeypatch.setattr(bench, "memory", broken_memory)
    target = tmp_path / "results.json"
    with pytest.raises(RuntimeError):
        bench.main(["--quick", "--json", str(target)])
    saved = json.loads(target.read_text())
    assert {"listing", "parsing"} <= set(saved)


def test_the_run_is_drawn_as_svg(results: dict[str, object]) -> None:
    from xml.etree import ElementTree

    from benchmarks.chart import margin, render

    drawn = results.pop("svg written")
    assert drawn == render(results)  # the run's own picture, from its JSON
    svg = ElementTree.fromstring(drawn)  # well-formed
    texts = [element.text or "" for element in svg.iter("{http://www.w3.org/2000/svg}text")]
    targets = results["targets"]
    listing = results["listing"]
    assert isinstance(targets, dict) and isinstance(listing, dict)
    for name, check in targets.items():  # each target, with its value, its target and its margin
        factor = margin(check["value"], check["target"])
        assert name in texts
        assert f"{check['value']:.2f} ({check['target']}): {factor:.2f}x" in texts
    for name, seconds in listing["seconds"].items():
        assert name in texts and f"{seconds:.2f} s" in texts
    bars = [rect for rect in svg.iter("{http://www.w3.org/2000/svg}rect")][1:]  # after the background
    assert len(bars) == len(targets) + len(listing["seconds"])


def test_margins_are_above_one_when_met() -> None:
    from benchmarks.chart import margin

    assert margin(6.0, ">= 5.0") == pytest.approx(1.2)
    assert margin(4.0, ">= 5.0") == pytest.approx(0.8)
    assert margin(1.0, "<= 1.25") == pytest.approx(1.25)
    assert margin(2.5, "<= 1.25") == pytest.approx(0.5)
