"""``nox -s mutants``'s judging (scripts/mutant_review.py) and its configuration, without running mutmut.

Running mutmut takes minutes and is its own session; what is checked here is what decides its verdict: how a
survivor is matched to a reviewed equivalent, the score, stale entries, and that the configuration names files
that exist (a module moved without updating scripts/mutant_targets.py fails here, in the ordinary suite).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scripts.errors import ToolchainError
from scripts.manifest import ROOT
from scripts.mutant_review import (
    Mutant,
    function_of,
    load_equivalents,
    mutation_of,
    render_table,
    score,
    toml_entry,
)
from scripts.mutant_targets import EQUIVALENTS, TARGETS

DIFF = """--- src/invoice_clients/_http/retry.py
+++ src/invoice_clients/_http/retry.py
@@ -11,7 +11,7 @@
     except ValueError:
         pass
     else:
-        return max(0.0, seconds) if seconds != float("inf") else None
+        return max(0.0, seconds) if seconds != float("INF") else None
     try:
"""
WAS = 'return max(0.0, seconds) if seconds != float("inf") else None'
NOW = 'return max(0.0, seconds) if seconds != float("INF") else None'


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "equivalent.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _entry(**fields: str) -> str:
    values = {"target": "retry", "function": "parse_retry_after", "was": WAS, "now": NOW, "reason": "same value"}
    values.update(fields)
    return "[[equivalent]]\n" + "".join(f"{name} = '{value}'\n" for name, value in values.items())


@pytest.mark.parametrize(
    ("name", "function"),
    [
        ("invoice_clients._http.retry.x_parse_retry_after__mutmut_17", "parse_retry_after"),
        ("invoice_clients._http.retry.xǁRetryPolicyǁnext_delay__mutmut_3", "RetryPolicy.next_delay"),
        ("invoice_clients.vendors.gcore.sort_keys.x__created_at__mutmut_2", "_created_at"),
        ("invoice_clients._paging.listing.xǁListingǁ__init____mutmut_14", "Listing.__init__"),
    ],
)
def test_a_mutant_is_known_by_its_function_not_its_path_or_number(name: str, function: str) -> None:
    assert function_of(name) == function


def test_a_mutation_is_the_lines_it_changes_without_their_indentation() -> None:
    assert mutation_of(DIFF) == (WAS, NOW)
    assert mutation_of("--- a\n+++ b\n-    first,\n-    second\n+    None,\n") == ("first,\nsecond", "None,")


def test_a_listed_survivor_counts_as_equivalent_and_a_killed_mutant_as_killed(tmp_path: Path) -> None:
    equivalents = load_equivalents(_file(tmp_path, _entry()))
    mutants = [
        Mutant("invoice_clients._http.retry.x_parse_retry_after__mutmut_17", "survived", WAS, NOW),
        *(Mutant(f"invoice_clients._http.retry.x_parse_retry_after__mutmut_{n}", "killed") for n in range(8)),
        Mutant("invoice_clients._http.retry.x_parse_retry_after__mutmut_30", "timeout"),
    ]
    result, used = score("retry", mutants, equivalents, 0.9)
    assert (result.mutants, result.killed, result.equivalent, result.survived) == (10, 9, 1, ())
    assert result.value == 1.0 and result.passed
    assert used == equivalents


def test_an_unlisted_survivor_lowers_the_score_below_the_threshold(tmp_path: Path) -> None:
    mutants = [
        Mutant("invoice_clients._http.retry.x_parse_retry_after__mutmut_17", "survived", WAS, NOW),
        Mutant("invoice_clients._http.retry.x_parse_retry_after__mutmut_18", "no tests", "a", "b"),
        *(Mutant(f"invoice_clients._http.retry.x_parse_retry_after__mutmut_{n}", "killed") for n in range(8)),
    ]
    result, used = score("retry", mutants, [], 0.9)
    assert (result.killed, result.equivalent, len(result.survived), result.value) == (8, 0, 2, 0.8)
    assert not result.passed and used == []
    table = render_table([result])
    assert table.splitlines()[1].split() == ["retry", "10", "8", "2", "0", "80.0%", "90%", "FAIL"]


def test_an_entry_matches_only_its_target_function_and_mutation(tmp_path: Path) -> None:
    survivor = Mutant("invoice_clients._http.retry.x_parse_retry_after__mutmut_17", "survived", WAS, NOW)
    for other in (_entry(target="money"), _entry(function="RetryPolicy.backoff"), _entry(now="x")):
        result, used = score("retry", [survivor], load_equivalents(_file(tmp_path, other)), 0.9)
        assert result.survived == (survivor,) and used == []  # unused: the run reports the entry as stale


def test_a_mutant_mutmut_could_not_judge_fails_the_module() -> None:
    result, _ = score("retry", [Mutant("invoice_clients._http.retry.x_f__mutmut_1", "suspicious")], [], 0.0)
    assert not result.passed and len(result.unexpected) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[equivalent]]\ntarget = 'retry'\n", "equivalent[0]: needs exactly the keys target, function, was, now"),
        (_entry(reason="  "), "equivalent[0]: every key is a string, and the reason is not blank"),
        ("[other]\n", "expected only [[equivalent]] tables"),
        ("[[equivalent]\n", "cannot read the equivalent mutants"),
    ],
)
def test_a_malformed_equivalents_file_is_an_error_naming_the_entry(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ToolchainError, match=re.escape(message)) as caught:
        load_equivalents(_file(tmp_path, text))
    assert str(tmp_path / "equivalent.toml") in str(caught.value)


def test_a_printed_entry_reads_back_as_the_same_equivalent(tmp_path: Path) -> None:
    mutant = Mutant("invoice_clients._http.retry.xǁRetryPolicyǁnext_delay__mutmut_3", "survived", "a 'b'\nc", "d\\e")
    text = toml_entry("retry", mutant).replace('reason = ""', 'reason = "why"')
    (entry,) = load_equivalents(_file(tmp_path, text))
    assert (entry.target, entry.function, entry.was, entry.now) == (
        "retry",
        "RetryPolicy.next_delay",
        "a 'b'\nc",
        "d\\e",
    )


def test_the_configuration_names_files_that_exist_and_the_reviewed_entries_name_its_targets() -> None:
    names = [target.name for target in TARGETS]
    assert len(names) == len(set(names))
    for target in TARGETS:
        assert (ROOT / target.module).is_file(), target.module
        assert 0.9 <= target.threshold <= 1.0
        for test in target.tests:
            assert (ROOT / test).is_file(), test
    entries = load_equivalents(EQUIVALENTS)
    assert {entry.target for entry in entries} <= set(names)
    assert all(len(entry.reason) > 20 for entry in entries)
