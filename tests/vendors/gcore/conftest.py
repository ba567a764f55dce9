"""Fixtures of Gcore's tests: a sandbox with no invoices, for tests that add exactly the ones they count."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from invoice_clients.testing import Sandbox


@pytest.fixture
def empty_sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=False) as server:
        yield server
