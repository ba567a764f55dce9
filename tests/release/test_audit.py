"""The audit's issue: opened on findings, left alone while they stay the same, edited when they change, closed
when the pins are clean; and the advisories pyproject.toml writes beside its floors, read."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from scripts.release import audit
from scripts.release.audit import Advisory, declared_advisories

STANDIN = Path(__file__).parents[1] / "rehearsal" / "gh_standin.py"


def _finding(package: str, version: str) -> dict[str, Any]:
    pins = ["lowest-direct, Python 3.11"]
    return {"package": package, "version": version, "id": "PYSEC-1", "aliases": ["CVE-1"], "fix_versions": ["9"],
            "description": "bad", "pins": pins}  # fmt: skip


@pytest.fixture
def github(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(f'#!/bin/sh\nexec "{sys.executable}" "{STANDIN}" "$@"\n')
    (bin_dir / "gh").chmod(0o755)
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "GH_TOKEN": "ghs_test",
        "GH_STANDIN_STATE": str(tmp_path / "state.json"),
        "GH_STANDIN_LOG": str(tmp_path / "calls.jsonl"),
        "GH_STANDIN_ORIGIN": str(tmp_path),
    }


def _run(out: Path, env: dict[str, str], findings: list[dict[str, Any]]) -> tuple[int, list[str]]:
    out.mkdir(exist_ok=True)
    report = {"osv_url": "x", "audited": {"lowest-direct, Python 3.11": {}}, "findings": findings, "errors": []}
    (out / "audit.json").write_text(json.dumps(report))
    log = Path(env["GH_STANDIN_LOG"])
    before = len(log.read_text().splitlines()) if log.exists() else 0
    status = audit.issue(out, env)
    calls = [" ".join(json.loads(line)["argv"][:2]) for line in log.read_text().splitlines()[before:]]
    return status, [call for call in calls if call.split()[1] not in {"list", "view"}]


def test_one_issue_follows_the_findings(tmp_path: Path, github: dict[str, str]) -> None:
    out = tmp_path / "out"
    assert _run(out, github, [_finding("idna", "3.7")]) == (1, ["label create", "issue create"])
    assert _run(out, github, [_finding("idna", "3.7")]) == (1, [])  # the same findings: nothing written
    assert _run(out, github, [_finding("idna", "3.7"), _finding("anyio", "4.4.0")]) == (1, ["issue edit"])
    assert _run(out, github, []) == (0, ["issue close"])
    (issue,) = json.loads(Path(github["GH_STANDIN_STATE"]).read_text())["issues"]
    assert issue["state"] == "CLOSED" and "| anyio | 4.4.0 | PYSEC-1, CVE-1 | 9 |" in issue["body"]


def test_the_advisories_beside_the_floors_are_read_with_what_they_are_beside() -> None:
    text = """[project]
dependencies = [
    # Engine.  1.0.9 requires h11 >= 0.16: smuggling (CVE-2025-43859, fixed in h11 0.16.0).
    "httpcore>=1.0.9",
    "rich>=12.3",
    # ReDoS (CVE-2026-4539, fixed in 2.20.0); the older one (CVE-2022-40896) before it.
    "pygments>=2.20.0",
    "certifi>=2024.7.4",  # roots (CVE-2024-39689, fixed in 2024.7.4)
    # two at once (CVE-2026-63374, CVE-2026-64847,
    # fixed in 4.14.2).
    "anyio>=4.14.2",
]
"""
    assert declared_advisories(text) == [
        Advisory("h11", ("CVE-2025-43859",), "0.16.0", "httpcore", "1.0.9"),
        Advisory("pygments", ("CVE-2026-4539",), "2.20.0", "pygments", "2.20.0"),
        Advisory("certifi", ("CVE-2024-39689",), "2024.7.4", "certifi", "2024.7.4"),
        Advisory("anyio", ("CVE-2026-63374", "CVE-2026-64847"), "4.14.2", "anyio", "4.14.2"),
    ]
