"""The rig for rehearsing the spec-drift workflow: a repository, its remote, a runner, upstream and a gh stand-in.

* the repository: this working tree as it is (tracked and untracked files, not
  ignored ones), committed as ``main`` with the manifest's upstream URLs
  pointed at a loopback server; a bare clone of it is ``origin``, fresh for
  every test;
* the runner: a workspace cloned from ``origin`` (all history, as the workflow
  checks out) and reset between runs like a fresh checkout, except for its
  ``.nox`` environments, kept warm across the rehearsal; a virtual environment
  whose ``python`` stands for ``actions/setup-python`` (the workflow's own step
  installs nox into it); a ``gh`` stand-in on ``PATH``;
* upstream: the loopback server of ``tests/drift/upstream.py``, publishing
  documents each test derives from the vendored specs.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.manifest import ROOT, load_manifest
from tests.drift.upstream import UpstreamServer, aggregated_gcore, aggregated_versori
from tests.shared import requires_git_checkout

from .workflow import JobResult, run_job

WORKFLOW = ROOT / ".github" / "workflows" / "spec-drift.yml"
GCORE, VERSORI = "gcore-billing", "versori-organisations"
REPOSITORY = "rehearsal/invoice-clients"
MAINTAINER = ("-c", "user.name=A Maintainer", "-c", "user.email=maintainer@example.com")
# The workflow's test-args input: a small selection that exercises both generated clients through the facade.
TEST_ARGS = "tests/vendors/gcore/test_gcore_operations.py tests/vendors/versori/test_versori.py -q -p no:cacheprovider"
_RUN_IDS = itertools.count(1001)
NOT_THE_RUNNERS = (
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTEST_",
    "NOX",
    "CI",
    "GITHUB_",
    "RUNNER_",
    "GH_",
    "SPEC_DRIFT_",
    "CONDA",
    "__PYVENV",
)


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *MAINTAINER, *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def copy_working_tree(target: Path) -> None:
    """The files of this working tree that git would see (tracked or untracked, not ignored), links kept."""
    requires_git_checkout()
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in sorted(set(filter(None, listed.split("\0")))):
        source, copy = ROOT / name, target / name
        if not os.path.lexists(source):
            continue  # deleted in the working tree, not yet committed
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            copy.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, copy)


def runner_environment() -> dict[str, str]:
    """This machine's environment (proxies, certificates, caches) without the Python, nox, pytest or GitHub
    context the calling test runs in: what a job's own processes should start from."""
    return {key: value for key, value in os.environ.items() if not key.startswith(NOT_THE_RUNNERS)}


@dataclass
class Run:
    """One run of the drift job, and what it did to the remote and on GitHub."""

    job: JobResult
    pushes: dict[str, str]  # branch -> new | fast-forward | forced | deleted
    calls: list[list[str]]  # gh argv, in order
    files: list[dict[str, str]]  # --body-file contents, per call

    @property
    def status(self) -> str:
        return self.job.step("drift").outputs.get("status", "")

    def gh(self) -> list[str]:
        """``gh`` calls as ``noun verb``."""
        return [" ".join(call[:2]) for call in self.calls]

    def writes(self) -> list[str]:
        """The ``gh`` calls that change something on GitHub."""
        return [call for call in self.gh() if call.split()[1] not in {"list", "view"}]

    def row(self, case: str) -> str:
        """A line of the rehearsal table: drift status, tests, push, gh calls, job status."""
        tests = [
            line.split(" | ")[3]
            for line in self.job.summary.splitlines()
            if line.startswith("| ") and " (exit " in line
        ]
        pushes = ", ".join(f"{branch} {how}" for branch, how in sorted(self.pushes.items())) or "none"
        return (
            f"| {case} | {self.status or '-'} | {'; '.join(tests) or '-'} | {pushes} | {', '.join(self.gh()) or '-'} "
            f"| {'success' if self.job.success else 'failure'} |"
        )


class Rig:
    """The rehearsal's repository, remote, runner and upstream."""

    def __init__(self, home: Path, upstream: UpstreamServer) -> None:
        self.home, self.upstream = home, upstream
        self.seed = home / "seed"
        copy_working_tree(self.seed)
        manifest = self.seed / "specs" / "manifest.toml"
        text = manifest.read_text(encoding="utf-8")
        self.urls = {}
        for api in load_manifest(manifest, self.seed).apis:
            self.urls[api.name] = f"{upstream.base_url}/rehearsal/{api.name}.yaml"
            text = text.replace(f'upstream = "{api.upstream}"', f'upstream = "{self.urls[api.name]}"')
        manifest.write_text(text, encoding="utf-8")
        git(self.seed, "init", "-q", "-b", "main")
        git(self.seed, "add", "--all")
        git(self.seed, "commit", "-q", "-m", "main as the rehearsal found it")
        self.main = git(self.seed, "rev-parse", "HEAD")
        self.runner = home / "runner"
        subprocess.run([sys.executable, "-m", "venv", str(self.runner)], check=True, timeout=300)
        bin_dir = home / "bin"
        bin_dir.mkdir()
        (bin_dir / "gh").write_text(
            f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__).parent / "gh_standin.py"}" "$@"\n'
        )
        (bin_dir / "gh").chmod(0o755)
        outer = [
            entry for entry in os.environ.get("PATH", "").split(os.pathsep) if entry != str(Path(sys.executable).parent)
        ]
        self.path = os.pathsep.join([str(bin_dir), str(self.runner / "bin"), *outer])
        self.workspace = home / "workspace"
        self.origin = home / "origin.git"
        self.state = home / "gh-state.json"
        self.log = home / "gh-calls.jsonl"

    # -- per test --------------------------------------------------------------------------------------------

    def fresh_remote(self) -> None:
        """A new ``origin`` holding only ``main``, and a GitHub with no pull requests, issues or labels."""
        shutil.rmtree(self.origin, ignore_errors=True)
        subprocess.run(["git", "clone", "-q", "--bare", str(self.seed), str(self.origin)], check=True)
        for path in (self.state, self.log):
            path.unlink(missing_ok=True)
        self.publish()

    def publish(self, gcore: dict[str, Any] | None = None, versori: dict[str, Any] | None = None) -> None:
        """Upstream's documents: unchanged (for the client) unless given; ``{}`` for a 404."""
        for name, document in ((GCORE, gcore), (VERSORI, versori)):
            path = f"/rehearsal/{name}.yaml"
            if document == {}:
                self.upstream.documents.pop(path, None)
            else:
                default = aggregated_gcore(1) if name == GCORE else aggregated_versori()
                self.upstream.serve(path, document if document is not None else default)

    def _checkout(self) -> None:
        """What actions/checkout gives the job: the default branch of origin, all history, nothing else."""
        if not self.workspace.exists():
            subprocess.run(["git", "clone", "-q", str(self.origin), str(self.workspace)], check=True)
        git(self.workspace, "remote", "set-url", "origin", str(self.origin))
        git(self.workspace, "fetch", "-q", "--prune", "origin", "+refs/heads/*:refs/remotes/origin/*")
        git(self.workspace, "checkout", "-q", "-f", "-B", "main", "origin/main")
        git(self.workspace, "clean", "-q", "-ffdx", "-e", ".nox")
        for ref in git(self.workspace, "for-each-ref", "--format=%(refname)", "refs/spec-drift").split():
            git(self.workspace, "update-ref", "-d", ref)

    def refs(self) -> dict[str, str]:
        out = git(self.origin, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads")
        return dict(line.split() for line in out.splitlines())

    def run(
        self,
        *,
        today: str | None = None,
        api: str = "",
        secrets: dict[str, str] | None = None,
        refuse: str = "",
        test_timeout: str = "",
    ) -> Run:
        """The drift job, as the daily schedule (or a dispatch for ``api``, or with ``test_timeout``) would start
        it; GitHub refuses the ``refuse`` call (``pr create``), as it does when the repository does not let
        Actions open pull requests."""
        self._checkout()
        before = self.refs()
        calls_before = len(self.log.read_text().splitlines()) if self.log.exists() else 0
        # The runner's own environment is this machine's (proxies, certificates, caches), less what belongs to
        # the Python, nox, pytest or GitHub context this test itself runs in.
        env = runner_environment() | {
            "PATH": self.path,
            "GH_STANDIN_STATE": str(self.state),
            "GH_STANDIN_LOG": str(self.log),
            "GH_STANDIN_ORIGIN": str(self.origin),
        }
        if today:
            env["SPEC_DRIFT_TODAY"] = today
        if refuse:
            env["GH_STANDIN_REFUSE"] = refuse
        run_id = next(_RUN_IDS)
        github = {
            "repository": REPOSITORY,
            "server_url": "https://github.com",
            "run_id": str(run_id),
            "ref_name": "main",
            "event_name": "workflow_dispatch" if api else "schedule",
            "token": "ghs_rehearsal_github_token",
        }
        job = run_job(
            WORKFLOW,
            "drift",
            self.workspace,
            github=github,
            inputs={"api": api, "test-args": TEST_ARGS, "test-timeout": test_timeout},
            secrets=secrets or {},
            env=env,
            runner_temp=self.home / "runner-temp" / str(run_id),
        )
        after = self.refs()
        pushes = {}
        for branch in sorted(before.keys() | after.keys()):
            old, new = before.get(branch), after.get(branch)
            if old == new:
                continue
            if old is None:
                pushes[branch] = "new"
            elif new is None:
                pushes[branch] = "deleted"
            else:
                ancestor = subprocess.run(
                    ["git", "merge-base", "--is-ancestor", old, new], cwd=self.origin, check=False
                )
                pushes[branch] = "fast-forward" if ancestor.returncode == 0 else "forced"
        entries = (
            [json.loads(line) for line in self.log.read_text().splitlines()[calls_before:]] if self.log.exists() else []
        )
        return Run(job, pushes, [entry["argv"] for entry in entries], [entry["files"] for entry in entries])

    # -- what GitHub and the remote hold -----------------------------------------------------------------------

    def github(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.state.read_text()) if self.state.exists() else {}
        return data

    def pulls(self, state: str = "OPEN") -> list[dict[str, Any]]:
        return [pull for pull in self.github().get("pulls", []) if pull["state"] == state]

    def issues(self, state: str = "OPEN") -> list[dict[str, Any]]:
        return [issue for issue in self.github().get("issues", []) if issue["state"] == state]

    def changed_files(self, branch: str) -> list[str]:
        return git(self.origin, "diff", "--name-only", f"main...{branch}").splitlines()

    def git_log(self, branch: str) -> list[str]:
        return git(self.origin, "log", "--format=%H", branch).splitlines()

    def authors(self, branch: str) -> list[str]:
        return git(self.origin, "log", "--format=%ae", f"main..{branch}").splitlines()

    def maintainer_commit(self, branch: str, name: str, text: str) -> str:
        """A maintainer pushes a commit of their own onto ``branch``."""
        clone = self.home / "maintainer"
        shutil.rmtree(clone, ignore_errors=True)
        subprocess.run(["git", "clone", "-q", "--branch", branch, str(self.origin), str(clone)], check=True)
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        (clone / name).write_text(text)
        git(clone, "add", name)
        git(clone, "commit", "-q", "-m", f"maintainer: {name}")
        git(clone, "push", "-q", "origin", f"HEAD:refs/heads/{branch}")
        return git(clone, "rev-parse", "HEAD")
