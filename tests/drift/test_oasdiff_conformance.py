"""``drift.py --base OLD --upstream NEW`` against oasdiff, the reference breaking-change detector.

``../shared/conformance/oasdiff/cases.json`` holds 42 (base, revision) pairs with the
verdict oasdiff's own tests assert.  ERR is breaking (our exit 2); INFO and
below-WARN are not (exit 0 or 1); WARN ("potentially breaking") is not a verdict
either way, so those pairs are held to the verdict we chose.  Where a judged pair
disagrees, the rule that makes the difference is a client's (docs/maintainers/drift.md, "Where we
differ from oasdiff, and why"): the lists below are that table, and the test
fails if agreement changes either way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.shared import shared_path

from .conftest import Drift

# Judged pairs where our verdict differs from oasdiff's, and ours (the table in docs/maintainers/drift.md says why).
DIFFERENCES = {
    "deprecated-operation-removed": "breaking",  # oasdiff INFO: deprecated first; a client calling it still breaks
    "security-endpoint-added": "breaking",  # oasdiff INFO: calls without the new credential get 401
    "security-global-added": "breaking",  # oasdiff INFO: every operation now demands a credential
    "servers-changed": "breaking",  # oasdiff below WARN: the facade's default base URL is the spec's server
}
# oasdiff WARN (potentially breaking): the verdict we chose for a client of the operation.
WARN_VERDICTS = {
    "param-query-removed": "breaking",  # the generated function loses the argument
    "param-path-pattern-changed": "breaking",  # a value the client sends may now be refused
    "param-query-maxlength-set": "breaking",  # a bound imposed on a request value
    "resp-optional-property-removed": "breaking",  # the attribute disappears from the generated model
    "resp-enum-value-added": "breaking",  # no overlay here: the generated enum is closed and raises
}


def _cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(shared_path("conformance", "oasdiff", "cases.json").read_text())["cases"]
    return cases


def _verdict(status: int) -> str:
    return {0: "non-breaking", 1: "non-breaking", 2: "breaking"}.get(status, f"failed ({status})")


def _operations(case: dict[str, Any]) -> list[str]:
    """``--operation`` arguments: the operations the case is about (a renamed path under its old template)."""
    named = [op.split(" -> ")[0] for op in case["operations"] if not op.startswith("(")]
    return [arg for op in named for arg in ("--operation", op)]


def test_every_oasdiff_pair_agrees_or_differs_as_documented(drift_cli: Drift) -> None:
    folder = shared_path("conformance", "oasdiff")
    cases = _cases()
    assert len(cases) == 42
    ours: dict[str, str] = {}
    judged: dict[str, str] = {}
    for case in cases:
        base, revision = Path(folder, case["base"]), Path(folder, case["revision"])
        result = drift_cli("--base", base, "--upstream", revision, *_operations(case), "--format", "json")
        assert result.status in {0, 1, 2}, f"{case['id']}: {result.err}"
        assert result.json["exit_status"] == result.status
        ours[case["id"]] = _verdict(result.status)
        level = case["expected"]["level"]
        if level != "WARN":
            judged[case["id"]] = "breaking" if level == "ERR" else "non-breaking"
    disagree = {case: ours[case] for case, theirs in judged.items() if ours[case] != theirs}
    assert disagree == DIFFERENCES
    assert {case: ours[case] for case in ours if case not in judged} == WARN_VERDICTS
    assert (len(judged) - len(disagree), len(judged)) == (33, 37)


@pytest.mark.parametrize(
    ("case", "kind", "breaking"),
    [
        ("param-query-default-changed", "default", True),
        ("status-non-success-removed", "response-removed", False),
        ("security-endpoint-removed", "security", False),
        ("param-path-renamed", "parameter-renamed", False),
    ],
)
def test_the_rules_this_conformance_set_taught_us(drift_cli: Drift, case: str, kind: str, breaking: bool) -> None:
    folder = shared_path("conformance", "oasdiff")
    (found,) = [c for c in _cases() if c["id"] == case]
    result = drift_cli(
        "--base",
        Path(folder, found["base"]),
        "--upstream",
        Path(folder, found["revision"]),
        *_operations(found),
        "--format",
        "json",
    )
    changes = [(c["kind"], c["breaking"]) for c in result.json["changes"]]
    assert (kind, breaking) in changes, changes
