"""What ``nox -s mutants`` mutates, against which tests, and the score each module must reach.

The one place to change when a module moves (the paths) or gains tests (the selections).  Reviewed
equivalent mutants (:data:`EQUIVALENTS`) are keyed by target *name*, function and mutation, never by path
or mutmut's mutant number, so moving a file means editing its ``module`` here and nothing else.

Each target runs mutmut separately, against its own tests only: a mutant then costs what those tests cost
(a surviving mutant runs every test of its selection that reaches the function), and not the whole suite.
The property tests are left out: they draw random inputs, so whether they kill a mutant could change from
one run to the next; so are tests that run the command line in a subprocess (see ``_NO_CLI``), and the third
vendor's test, which builds a client with the code generator (the cursor pager has tests of its own).
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
    "tests/paging/test_listing_core.py",
    "tests/paging/test_listing_guards.py",
    "tests/vendors/gcore/test_gcore_pagination.py",
)


@dataclass(frozen=True, slots=True)
class Target:
    """One module under mutation testing."""

    name: str
    """The key of this module in the report and in the equivalents file: stable when the file moves."""
    module: str
    """The source file, relative to the repository root."""
    tests: tuple[str, ...]
    """The test files run against its mutants, the quickest and most pointed first: a mutant's tests run in
    this order of files, and the first failure ends its run."""
    threshold: float = 0.90
    """The lowest acceptable score: (killed + listed equivalents) / mutants."""
    pytest_args: tuple[str, ...] = ()
    """More pytest arguments for the selection, e.g. ``-k`` to leave tests out."""


_NO_CLI = ("-k", "not _cli_")
_DECODER_TESTS = (
    "tests/vendors/gcore/test_gcore_decoder.py",
    "tests/vendors/test_wire_structs.py",
    "tests/vendors/versori/test_versori.py",
    "tests/model/test_wire_types.py",
    "tests/paging/test_listing_core.py",
)
_NOT_DRAWN = ("-k", "not drawn")
"""The decoders' tests but those drawing values with hypothesis (which could kill a mutant in one run and not
the next, as the property tests could)."""
"""Tests that run the command line in a subprocess: it imports the real package, never a mutant, so they cost
seconds and can kill nothing."""


TARGETS: tuple[Target, ...] = (
    Target("listing", "src/invoice_clients/_paging/listing.py", _LISTING_TESTS),
    Target(
        "money",
        "src/invoice_clients/_model/money.py",
        (
            "tests/model/test_money.py",
            "tests/vendors/gcore/test_gcore_decoder.py",
            "tests/vendors/versori/test_versori.py",
        ),
    ),
    Target("sort_keys", "src/invoice_clients/vendors/gcore/sort_keys.py", _LISTING_TESTS),
    Target(
        "retry",
        "src/invoice_clients/_http/retry.py",
        ("tests/http/test_attempts.py", "tests/http/test_errors_and_retries.py"),
    ),
    Target(
        "body",
        "src/invoice_clients/_http/body.py",
        (
            "tests/http/test_hostile_body_errors.py",
            "tests/vendors/gcore/test_gcore_operations.py",
            "tests/files/test_hostile_downloads.py",
            "tests/http/test_hostile_size.py",
        ),
        pytest_args=_NO_CLI,
    ),
    Target(
        "redaction",
        "src/invoice_clients/_redaction.py",
        ("tests/http/test_security.py", "tests/http/test_hostile_keys.py"),
        pytest_args=_NO_CLI,
    ),
    Target(
        "security",
        "src/invoice_clients/_http/security.py",
        ("tests/http/test_security.py", "tests/http/test_hostile_keys.py"),
        pytest_args=_NO_CLI,
    ),
    Target("cursor", "src/invoice_clients/_paging/cursor.py", ("tests/paging/test_cursor.py",)),
    Target("amounts", "src/invoice_clients/cli/_amounts.py", ("tests/cli/test_amounts.py",)),
    Target("workbook", "src/invoice_clients/cli/_workbook.py", ("tests/cli/test_amounts.py",)),
    Target("download", "src/invoice_clients/_download.py", ("tests/files/test_download.py",)),
    Target("destination", "src/invoice_clients/_destination.py", ("tests/files/test_destination.py",)),
    Target(
        "decoding",
        "src/invoice_clients/_model/decoding.py",
        _DECODER_TESTS,
        pytest_args=_NOT_DRAWN,
    ),
    Target("gcore_decoder", "src/invoice_clients/vendors/gcore/decoder.py", _DECODER_TESTS, pytest_args=_NOT_DRAWN),
    Target(
        "versori_decoder",
        "src/invoice_clients/vendors/versori/decoder.py",
        ("tests/vendors/versori/test_versori.py", "tests/vendors/test_wire_structs.py"),
    ),
    Target("lazy", "src/invoice_clients/_model/lazy.py", _DECODER_TESTS, pytest_args=_NOT_DRAWN),
)
