"""scripts/drift_pr.py on a throw-away git repository: one branch, one commit, one body; no change, nothing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from scripts import drift_pr

BRANCH = "spec-drift/upstream"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run([drift_pr.GIT, *drift_pr.BOT, *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    (repo / "generated").mkdir()
    (repo / "specs" / "api.yaml").write_text("openapi: 3.1.0\n")
    (repo / "generated" / "client.py").write_text("x = 1\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "start")
    return repo


def run(repo: Path, tmp_path: Path, breaking: bool = False, tests_status: int = 0) -> dict[str, str]:
    report, data = tmp_path / "drift.md", tmp_path / "drift.json"
    verdict = "**breaking changes (exit 2)**" if breaking else "non-breaking"
    report.write_text(f"# Spec drift\n\n{verdict}\n")
    apis = [{"api": "gcore-billing", "changes": 1}]
    data.write_text(json.dumps({"exit_status": 2 if breaking else 1, "apis": apis}))
    outputs = tmp_path / "outputs"
    outputs.unlink(missing_ok=True)
    argv = ["--report", str(report), "--json", str(data), "--tests-status", str(tests_status)]
    argv += ["--body", str(tmp_path / "body.md"), "--outputs", str(outputs), "--repo", str(repo)]
    assert drift_pr.main(argv) == 0
    return dict(line.split("=", 1) for line in outputs.read_text().splitlines())


def absorb(repo: Path, text: str) -> None:
    """What --write does: new vendored spec, regenerated code (and an untracked file elsewhere, left alone)."""
    (repo / "specs" / "api.yaml").write_text(f"openapi: 3.1.0\n# {text}\n")
    (repo / "generated" / "client.py").write_text(f"x = {text!r}\n")
    (repo / "drift.md").write_text("not committed\n")


def ahead(repo: Path) -> list[str]:
    return git(repo, "log", "--format=%s", f"main..{BRANCH}").splitlines()


def test_first_run_creates_the_branch_commit_and_body(repo: Path, tmp_path: Path) -> None:
    absorb(repo, "order_by")
    outputs = run(repo, tmp_path, breaking=True, tests_status=1)
    assert outputs == {
        "changed": "true",
        "absorbed": "true",
        "breaking": "true",
        "branch": BRANCH,
        "title": "Spec drift: absorb upstream changes to gcore-billing (breaking)",
    }
    assert ahead(repo) == [outputs["title"]]
    assert git(repo, "show", "--name-only", "--format=", BRANCH).splitlines() == [
        "generated/client.py",
        "specs/api.yaml",
    ]
    body = (tmp_path / "body.md").read_text()
    assert "**failed** (exit 1)" in body and "**breaking changes (exit 2)**" in body


def test_the_same_change_again_updates_the_same_branch_without_a_duplicate(repo: Path, tmp_path: Path) -> None:
    absorb(repo, "order_by")
    first = run(repo, tmp_path)
    git(repo, "checkout", "-q", "main")  # the next scheduled run starts from the default branch
    absorb(repo, "order_by")
    second = run(repo, tmp_path)
    assert (first["changed"], second["changed"], second["absorbed"]) == ("true", "false", "true")
    assert len(ahead(repo)) == 1
    assert git(repo, "branch", "--format=%(refname:short)").splitlines() == ["main", BRANCH]
    git(repo, "checkout", "-q", "main")
    absorb(repo, "order_by and more")  # upstream moved on: the same branch, updated, still one commit
    assert run(repo, tmp_path)["changed"] == "true"
    assert len(ahead(repo)) == 1
    assert "more" in git(repo, "show", f"{BRANCH}:specs/api.yaml")


def test_no_change_does_nothing(repo: Path, tmp_path: Path) -> None:
    (repo / "drift.md").write_text("a report, untracked\n")
    outputs = run(repo, tmp_path)
    assert (outputs["changed"], outputs["absorbed"]) == ("false", "false")
    assert not (tmp_path / "body.md").exists()
    assert git(repo, "branch", "--format=%(refname:short)").splitlines() == ["main"]
