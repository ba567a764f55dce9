"""The dependency audit, rehearsed offline: ``.github/workflows/audit.yml``'s steps against a stand-in OSV.

The stand-in's database is every advisory ``pyproject.toml`` writes beside its floors, so a clean run says the
floors hold at both ends of the ranges, as uv resolves them; one planted advisory plays the day a new one is
published.  A ``gh`` stand-in keeps the issue.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.manifest import ROOT
from scripts.release.audit import ISSUE_LABEL, declared_advisories

from .osv_standin import Entry, OsvStandIn
from .rig import copy_working_tree, git, runner_environment
from .workflow import JobResult, run_job

WORKFLOW = ROOT / ".github" / "workflows" / "audit.yml"
PLANTED = Entry("msgspec", ("PYSEC-2026-REHEARSAL", "CVE-2026-99999"), "999.0", "a planted advisory")


class Audit:
    """A workspace with the audit workflow, a runner, the stand-ins; :meth:`run` is one scheduled run."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.workspace = home / "workspace"
        copy_working_tree(self.workspace)
        git(self.workspace, "init", "-q", "-b", "main")
        git(self.workspace, "add", "--all")
        git(self.workspace, "commit", "-q", "-m", "main")
        runner = home / "runner"
        subprocess.run([sys.executable, "-m", "venv", str(runner)], check=True, timeout=300)
        bin_dir = home / "bin"
        bin_dir.mkdir()
        standin = Path(__file__).parent / "gh_standin.py"
        (bin_dir / "gh").write_text(f'#!/bin/sh\nexec "{sys.executable}" "{standin}" "$@"\n')
        (bin_dir / "gh").chmod(0o755)
        outer = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p != str(Path(sys.executable).parent)]
        self.osv = OsvStandIn()
        self.state = home / "gh-state.json"
        self.env = runner_environment() | {
            "PATH": os.pathsep.join([str(bin_dir), str(runner / "bin"), *outer]),
            "GH_STANDIN_STATE": str(self.state),
            "GH_STANDIN_LOG": str(home / "gh-calls.jsonl"),
            "GH_STANDIN_ORIGIN": str(self.workspace),
            "INVOICE_CLIENTS_OSV_URL": self.osv.url,  # the stand-in, where the workflow asks OSV
        }
        self.runs = 0

    def run(self) -> JobResult:
        self.runs += 1
        github = {
            "repository": "rehearsal/invoice-clients",
            "server_url": "https://github.com",
            "run_id": str(8000 + self.runs),
            "ref_name": "main",
            "event_name": "schedule",
            "token": "ghs_rehearsal_github_token",
        }
        return run_job(
            WORKFLOW, "audit", self.workspace, github=github, inputs={}, secrets={}, env=self.env,
            runner_temp=self.home / "runner-temp" / str(self.runs),
        )  # fmt: skip

    def issues(self) -> list[dict[str, object]]:
        return list(json.loads(self.state.read_text()).get("issues", [])) if self.state.exists() else []


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Audit]:
    rig = Audit(tmp_path_factory.mktemp("audit"))
    try:
        yield rig
    finally:
        rig.osv.close()


def test_a_published_advisory_opens_an_issue_and_the_floors_hold_against_the_rest(audit: Audit) -> None:
    """One run against every advisory pyproject.toml names plus one planted: only the planted one is found.

    (Closing the issue when the pins are clean, and not rewriting it while the findings stay the same:
    tests/release/test_audit.py, with the same gh stand-in.)
    """
    declared = declared_advisories((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert {a.package for a in declared} >= {"idna", "anyio", "pygments", "h11", "certifi", "markdown-it-py"}
    known = [Entry(a.package, a.ids, a.fixed, f"beside {a.requirement}>={a.floor}") for a in declared]
    audit.osv.entries = [*known, PLANTED]  # the day an advisory for msgspec is published
    red = audit.run()
    assert not red.success, red.log
    (issue,) = audit.issues()
    assert issue["state"] == "OPEN" and issue["labels"] == [{"name": ISSUE_LABEL}]
    body = str(issue["body"])
    for pins in (
        "lowest-direct, Python 3.11",
        "lowest-direct, Python 3.13",
        "highest, Python 3.11",
        "highest, Python 3.13",
    ):
        assert pins in body
    assert "| msgspec | 0.19.0 | PYSEC-2026-REHEARSAL, CVE-2026-99999 | 999.0 |" in body  # the floor, at lowest
    rows = [line for line in body.splitlines() if line.startswith("| ") and not line.startswith(("| package", "| ---"))]
    assert rows and all(row.startswith("| msgspec | ") for row in rows), rows  # the floors hold against the rest
    assert "Next steps" in body and "(ADVISORY, fixed in VERSION)" in body
    queried = {name.lower() for name, _ in audit.osv.queries}
    assert {"idna", "anyio", "pygments", "h11", "httpx", "rich", "msgspec", "certifi"} <= queried
    print("\n".join(["", "audit rehearsal:", *red.log.splitlines()[-12:]]))
