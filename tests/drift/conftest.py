"""Fixtures for the spec drift tests: a loopback upstream, the command in-process, a throw-away repository."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scripts.drift import command as drift
from scripts.manifest import ROOT
from tests.toolchain.conftest import repo, tree_digest

from .upstream import UpstreamServer

__all__ = ["Drift", "Result", "drift_cli", "repo", "tree_digest", "upstream"]


@pytest.fixture(scope="session")
def upstream() -> Iterator[UpstreamServer]:
    """One loopback server for the session; each test publishes its variant under its own path."""
    server = UpstreamServer()
    yield server
    server.close()


@dataclass(frozen=True)
class Result:
    """What one run of ``python -m scripts.drift`` printed and returned."""

    status: int
    out: str
    err: str

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.out)
        return data

    def changes(self) -> list[tuple[str, str, bool]]:
        """(location, kind, breaking) of every change in a JSON report."""
        return [(c["location"], c["kind"], c["breaking"]) for c in self.json["changes"]]

    def overlay(self, status: str) -> list[int]:
        """Indexes of the overlay actions with ``status`` in a JSON report."""
        return [o["index"] for o in self.json["overlays"] if o["status"] == status]


Drift = Callable[..., Result]


@pytest.fixture
def drift_cli(capsys: pytest.CaptureFixture[str]) -> Drift:
    """``python -m scripts.drift ARGS`` in-process (``--root`` defaults to the real repository, which it only reads)."""

    def call(*args: str | Path, root: Path = ROOT) -> Result:
        status = drift.main(["--root", str(root), *map(str, args)])
        captured = capsys.readouterr()
        return Result(status, captured.out, captured.err)

    return call
