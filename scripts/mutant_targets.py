"""What ``nox -s mutants`` mutates, against which tests, and the score each module must reach.

The one place to change when a module moves (the paths) or gains tests (the selections).  Reviewed
equivalent mutants (:data:`EQUIVALENTS`) are keyed by target *name*, function and mutation, never by path
or mutmut's mutant number, so moving a file means editing its ``module`` here and nothing else.

Each target runs mutmut separately, against its own tests only: a mutant then costs what those tests cost
(a surviving mutant runs every test of its selection that reaches the function), and not the whole suite.
The property tests are left out: they draw random inputs, so whether they kill a mutant could change from
one run to the next; the slow command-line tests too (a second each, for what the facade tests check).
"""

from __future__ import annotations

from dataclasses import dataclass

from scripts.manifest import ROOT

__all__ = ["EQUIVALENTS", "MUTMUT_VERSION", "TARGETS", "Target"]

MUTMUT_VERSION = "3.8.1"
"""Pinned here and in pyproject's ``mutants`` group: which mutants exist (and their diffs) depends on it."""

EQUIVALENTS = ROOT / "tests" / "equivalent_mutants.toml"
"""The reviewed list of surviving mutants that no test can tell from the original, each with its reason."""

_LISTING_TESTS = (
    "tests/facade/test_listing_core.py",
    "tests/facade/test_gcore_pagination.py",
    "tests/facade/test_listing_guards.py",
)


@dataclass(frozen=True, slots=True)
class Target:
    """One module under mutation testing."""

    name: str
    """The key of this module in the report and in the equivalents file: stable when the file moves."""
    module: str
    """The source file, relative to the repository root."""
    tests: tuple[str, ...]
    """The test files (or node ids) run against its mutants."""
    threshold: float = 0.90
    """The lowest acceptable score: (killed + listed equivalents) / mutants."""


TARGETS: tuple[Target, ...] = (
    Target("listing", "src/invoice_clients/_listing.py", _LISTING_TESTS),
    Target(
        "money",
        "src/invoice_clients/_money.py",
        ("tests/facade/test_money.py", "tests/facade/test_versori.py", "tests/facade/test_gcore_fast_path.py"),
    ),
    Target("sort_keys", "src/invoice_clients/vendors/gcore/sort_keys.py", _LISTING_TESTS),
    Target(
        "retry",
        "src/invoice_clients/_retry.py",
        ("tests/facade/test_errors_and_retries.py",),
    ),
    Target(
        "body",
        "src/invoice_clients/_body.py",
        (
            "tests/adversarial/test_hostile_size.py",
            "tests/adversarial/test_hostile_downloads.py",
            "tests/facade/test_gcore_operations.py",
        ),
    ),
    Target(
        "security",
        "src/invoice_clients/_security.py",
        ("tests/facade/test_security.py", "tests/adversarial/test_hostile_keys.py"),
    ),
    Target("cursor", "src/invoice_clients/_cursor.py", ("tests/facade/test_cursor.py",)),
)
