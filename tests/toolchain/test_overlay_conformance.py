"""Every compliant set of the OpenAPI Initiative's Overlay repository passes."""

from __future__ import annotations

from typing import Any

import pytest

from scripts.documents import load_openapi, load_overlay
from scripts.manifest import ROOT
from scripts.overlay import apply_overlay
from scripts.yamlio import load_yaml

SETS = ROOT.parent / "shared" / "conformance" / "overlay-oai"
CASES = sorted(p.name for p in SETS.iterdir() if (p / "overlay.yaml").is_file()) if SETS.is_dir() else []


def test_compliant_sets_are_present() -> None:
    assert len(CASES) >= 8, f"expected the OAI compliant sets in {SETS}"


@pytest.mark.parametrize("case", CASES)
def test_compliant_set(case: str) -> None:
    folder = SETS / case
    expected: Any = load_yaml(folder / "output.yaml")
    result, reports = apply_overlay(load_openapi(folder / "openapi.yaml"), load_overlay(folder / "overlay.yaml"))
    assert result == expected
    assert all(report.status == "applies" for report in reports)
