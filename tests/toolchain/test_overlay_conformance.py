"""Every compliant set of the OpenAPI Initiative's Overlay repository passes.

The sets are read from ``../shared/conformance/overlay-oai`` at test time (see
``tests/shared.py``: skipped in a clone on its own, required in CI).
"""

from __future__ import annotations

from typing import Any

import pytest

from scripts.documents import load_openapi, load_overlay
from scripts.overlay import apply_overlay
from scripts.yamlio import load_yaml
from tests.shared import SHARED, shared_path

_SETS = SHARED / "conformance" / "overlay-oai"
CASES = sorted(p.name for p in _SETS.iterdir() if (p / "overlay.yaml").is_file()) if _SETS.is_dir() else ["absent"]
"""Each set's folder name; one stand-in when ``../shared`` is absent, so that its test says where it looked."""


def test_compliant_sets_are_present() -> None:
    sets = shared_path("conformance", "overlay-oai")
    assert len([p for p in sets.iterdir() if (p / "overlay.yaml").is_file()]) >= 8, f"expected the OAI sets in {sets}"


@pytest.mark.parametrize("case", CASES)
def test_compliant_set(case: str) -> None:
    folder = shared_path("conformance", "overlay-oai") / case  # absent: skipped (failed in CI) naming the path
    expected: Any = load_yaml(folder / "output.yaml")
    result, reports = apply_overlay(load_openapi(folder / "openapi.yaml"), load_overlay(folder / "overlay.yaml"))
    assert result == expected
    assert all(report.status == "applies" for report in reports)
