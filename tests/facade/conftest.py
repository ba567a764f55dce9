"""Fixtures for the facade tests: a fresh sandbox per test, clients with tiny retry delays.

Everything runs over real HTTP on 127.0.0.1; nothing is mocked.  Retry delays
are milliseconds and jitter is off, so the suite is fast and deterministic.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from invoice_clients import GcoreBilling, RetryPolicy, Versori
from invoice_clients.testing import Sandbox

FAST = RetryPolicy(max_attempts=4, initial_delay=0.001, max_delay=0.005, jitter=0.0, max_elapsed=5.0)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as server:
        yield server


@pytest.fixture
def empty_sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=False) as server:
        yield server


@pytest.fixture
def gcore(sandbox: Sandbox) -> Iterator[GcoreBilling]:
    with sandbox.gcore_client(retry=FAST) as client:
        yield client


@pytest.fixture
def versori(sandbox: Sandbox) -> Iterator[Versori]:
    with sandbox.versori_client(retry=FAST) as client:
        yield client


def gcore_list_requests(sandbox: Sandbox) -> list[dict[str, list[str]]]:
    """Each list request's query as name -> values (repeats kept)."""
    result = []
    for request in sandbox.requests:
        if request.path == "/billing/org/v1/erp-invoices":
            query: dict[str, list[str]] = {}
            for name, value in request.query:
                query.setdefault(name, []).append(value)
            result.append(query)
    return result


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for ``localhost`` (made with the ``openssl`` command, or the test is skipped)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key
