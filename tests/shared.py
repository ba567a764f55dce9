"""Where tests find ``../shared`` (the real upstream history and the conformance sets).

A user's clone has no ``../shared`` beside it, and must still pass ``nox -s tests``:
a test that needs it skips with a one-line reason.  CI always has it, so there
(``CI`` set to ``true`` or ``1``) a missing folder fails the test instead of
hiding it behind a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

__all__ = ["SHARED", "in_ci", "shared_path"]

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def in_ci() -> bool:
    """Whether this run is CI's (which always has ``../shared``)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def shared_path(*parts: str) -> Path:
    """``../shared/<parts>``; skips the calling test when it is absent outside CI, fails it in CI."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        reason = f"{path} is absent (it sits beside the project in CI and for developers)"
        if in_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path
