"""Prism instances for the contract tests, started once per test session.

``nox -s contract`` installs Prism from the npm registry (pinned by
``tests/contract/prism/package-lock.json``) and sets ``PRISM_BIN``.  Run
directly without it, these tests are skipped with that reason, unless
``INVOICE_CLIENTS_REQUIRE_PRISM=1`` (as in the nox session) makes that a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.manifest import ROOT

from .harness import PrismMock, WireRecorder, prism_binary, wire_problems

SPECS = {
    "gcore": ROOT / "generated" / "gcore-billing.effective.yaml",
    "versori": ROOT / "generated" / "versori-organisations.effective.yaml",
    "versori-unpatched": ROOT / "specs" / "versori-organisations.yaml",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if prism_binary() is not None:
        return
    if os.environ.get("INVOICE_CLIENTS_REQUIRE_PRISM") == "1":
        raise pytest.UsageError("PRISM_BIN is not set: run the contract tests with `nox -s contract`")
    skip = pytest.mark.skip(reason="Prism not installed: run `nox -s contract`")
    for item in items:
        if "tests/contract" in str(item.fspath):
            item.add_marker(skip)


class Mocks:
    """Every Prism instance the contract tests use, started in parallel."""

    def __init__(self, logs: Path) -> None:
        binary = prism_binary()
        assert binary is not None
        self.static = {name: PrismMock(binary, spec, logs / f"{name}.log") for name, spec in SPECS.items()}
        self.dynamic = {
            name: PrismMock(binary, SPECS[name], logs / f"{name}-dynamic.log", dynamic=True)
            for name in ("gcore", "versori")
        }
        for mock in [*self.static.values(), *self.dynamic.values()]:
            mock.wait_ready()

    def stop(self) -> None:
        for mock in [*self.static.values(), *self.dynamic.values()]:
            mock.stop()


@pytest.fixture(scope="session")
def mocks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mocks]:
    started = Mocks(tmp_path_factory.mktemp("prism"))
    yield started
    started.stop()


@pytest.fixture
def recorder(mocks: Mocks) -> Iterator[WireRecorder]:
    """A wire recorder in front of the static Gcore mock."""
    proxy = WireRecorder(mocks.static["gcore"].port)
    yield proxy
    proxy.close()
    assert [p for r in proxy.requests for p in wire_problems(r)] == [], "requests Prism tolerates but the spec forbids"


@pytest.fixture
def versori_recorder(mocks: Mocks) -> Iterator[WireRecorder]:
    """A wire recorder in front of the static (patched) Versori mock."""
    proxy = WireRecorder(mocks.static["versori"].port)
    yield proxy
    proxy.close()
    assert [p for r in proxy.requests for p in wire_problems(r)] == [], "requests Prism tolerates but the spec forbids"
