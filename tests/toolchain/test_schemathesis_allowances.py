"""The Schemathesis allowances match only what they say they are for, so none can hide a real defect."""

from __future__ import annotations

import pytest

from scripts.manifest import load_manifest
from scripts.schemathesis_allowances import ALLOWANCES

ALLOWANCE = {allowance.name: allowance for allowance in ALLOWANCES}
INVOICES = "GET /organisations/{organisation_id}/billing/invoices"
LIST = "GET /billing/org/v1/erp-invoices"


def test_every_allowance_names_a_document_and_says_why() -> None:
    names = {api.name for api in load_manifest().apis}
    assert len(ALLOWANCE) == len(ALLOWANCES)
    for allowance in ALLOWANCES:
        assert allowance.api in names
        assert allowance.code.startswith("ST") and allowance.reason


@pytest.mark.parametrize(
    ("query", "covered"),
    [
        ({"from": "2026-02-01", "to": "2026-01-01"}, True),
        ({"from": "2999-01-01"}, True),  # `to` defaults to today, whenever the test runs
        ({"from": "2026-01-01", "to": "2026-02-01"}, False),
        ({"from": "2026-01-01", "to": "2026-01-01"}, False),
        ({"to": "2000-01-01"}, False),  # `from` defaults to a month before `to`
        ({"from": "0000-01-01", "to": "2026-01-01"}, False),  # a date the sandbox cannot read stays a failure
        ({}, False),
    ],
)
def test_versori_from_after_to_covers_only_that_rule(query: dict[str, str], covered: bool) -> None:
    allowance = ALLOWANCE["versori-from-after-to"]
    assert allowance.covers("versori-organisations", "ST202", INVOICES, 400, query) is covered
    assert not allowance.covers("versori-organisations", "ST101", INVOICES, 400, query)  # another check
    assert not allowance.covers("versori-organisations", "ST202", INVOICES, 500, query)  # another status
    assert not allowance.covers("gcore-billing", "ST202", INVOICES, 400, query)  # another document


@pytest.mark.parametrize(
    ("query", "covered"),
    [({"ordering": ""}, True), ({"ordering": [""]}, True), ({"ordering": "x"}, False), ({"limit": "0"}, False)],
)
def test_gcore_empty_ordering_covers_only_ordering_sent_empty(query: dict[str, object], covered: bool) -> None:
    allowance = ALLOWANCE["gcore-empty-ordering"]
    assert allowance.covers("gcore-billing", "ST201", LIST, 200, query) is covered
    assert not allowance.covers("gcore-billing", "ST201", LIST, 400, query)
    assert not allowance.covers("gcore-billing", "ST202", LIST, 200, query)
