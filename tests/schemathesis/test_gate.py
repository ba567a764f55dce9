"""The Schemathesis gate itself: it fails on a defect, and on an allowance that stopped being needed.

Each test runs the real ``st run`` (Versori's document: about ten seconds) against a real sandbox whose
Versori API is altered in one way.  Run by ``nox -s schemathesis`` (Schemathesis is installed there only).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from invoice_clients._sandbox.http import Reply, SandboxRequest, json_reply
from invoice_clients.testing import Sandbox
from scripts.manifest import load_manifest
from scripts.schemathesis_gate import Outcome, patched_documents, run_api

(VERSORI,) = load_manifest().select("versori-organisations")


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as server:
        yield server


def _run(sandbox: Sandbox, tmp_path: Path) -> Outcome:
    document = patched_documents([VERSORI], tmp_path)[VERSORI.name]
    return run_api(VERSORI, document, sandbox, tmp_path)


def test_an_allowance_no_longer_needed_fails_the_gate(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = sandbox.versori
    original = api.handle

    def without_the_rule(request: SandboxRequest, origin: str = "") -> Reply:
        reply = original(request, origin)
        if reply.status == 400 and b"after" in reply.body:  # `from` after `to`: now an empty range instead
            return json_reply(200, [])
        return reply

    monkeypatch.setattr(api, "handle", without_the_rule)
    outcome = _run(sandbox, tmp_path)
    assert not outcome.passed
    assert outcome.failures == {}
    assert outcome.problems == (
        "versori-organisations: allowance versori-from-after-to was not needed: "
        "remove it from scripts/schemathesis_allowances.py",
    )


def test_a_defect_fails_the_gate_naming_the_check(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = sandbox.versori
    original = api.handle

    def broken(request: SandboxRequest, origin: str = "") -> Reply:
        if request.path.endswith("/org_tokyo/billing/invoices") and request.method == "GET":
            return json_reply(500, {"code": "internal", "message": "boom"})
        return original(request, origin)

    monkeypatch.setattr(api, "handle", broken)
    outcome = _run(sandbox, tmp_path)
    assert not outcome.passed
    assert outcome.failures.get("ST101 Server error") == 1
    assert "versori-organisations: ST101 Server error (1)" in outcome.problems
