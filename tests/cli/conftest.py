"""Fixtures of the command-line tests: a sandbox, and the command run in a subprocess against it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest

from invoice_clients.testing import Sandbox

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


@pytest.fixture
def run(sandbox: Sandbox) -> Run:
    def invoke(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        environment = {
            **os.environ,
            "GCORE_API_KEY": sandbox.gcore.api_key,
            "GCORE_BASE_URL": sandbox.gcore_base_url,
            "VERSORI_API_KEY": sandbox.versori.api_key,
            "VERSORI_BASE_URL": sandbox.versori_base_url,
            **(env or {}),
        }
        return subprocess.run(
            [sys.executable, "-m", "invoice_clients", *args],
            env={k: v for k, v in environment.items() if v is not None},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return invoke
