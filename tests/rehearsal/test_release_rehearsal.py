"""A release, rehearsed offline: what a maintainer does, then the release workflow's jobs, then a user's install.

In a copy of this working tree (a git repository of its own, with a bare ``origin``):

1. the maintainer's first steps (docs/maintainers/releasing.md): ``nox -s release -- prepare``, commit, tag
   ``vX.Y.Z``, push;
2. ``.github/workflows/release.yml``, read now, its jobs in order on a checkout of the tag
   (:mod:`tests.rehearsal.workflow`): ``build`` (``nox -s release -- --tag``: the sdist and wheel built once and
   checked, the README's tour on each supported Python), ``publish`` (the PyPI action's stand-in uploads
   ``dist/`` to a local package index, a directory served by ``http.server`` on loopback, holding the
   dependencies' wheels too), ``github-release`` (a ``gh`` stand-in records the release);
3. a user: ``pip install invoice-clients``, by name, from that index alone, into a fresh environment, then the
   README's tour against what was installed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.manifest import ROOT
from scripts.release.changelog import Version, notes, read_version
from tests.shared import nox_python

from .rig import copy_working_tree, git, runner_environment
from .workflow import JobResult, run_job

pytestmark = pytest.mark.timeout(1500)  # builds once, then the README's tour on each Python: minutes on a busy machine
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
REPOSITORY = "rehearsal/invoice-clients"


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Release:
    """What the rehearsal produced: the tag, each job's result, the index, GitHub's state, the log."""

    tag: str
    workspace: Path
    jobs: dict[str, JobResult]
    index: Path
    index_url: str
    github: dict[str, Any]
    home: Path
    log: list[str]


def _publish_to(index: Path, workspace: Path) -> Any:
    """The stand-in for pypa/gh-action-pypi-publish: every file of ``packages-dir`` uploaded to ``index``."""

    def upload(given: dict[str, str]) -> None:
        packages = Path(given.get("packages-dir", "dist/"))
        files = sorted(p for p in (workspace / packages).iterdir() if p.suffix in {".whl", ".gz"})
        if not files:
            raise RuntimeError(f"{packages}: nothing to upload")
        for path in files:
            project = index / "simple" / _normal(path.name.split("-")[0])
            project.mkdir(parents=True, exist_ok=True)
            if (project / path.name).exists():
                raise RuntimeError(f"{path.name}: File already exists (a version is never replaced on PyPI)")
            shutil.copy2(path, project / path.name)

    return upload


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 900) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, (
        f"{' '.join(command)}: exit {done.returncode}\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    )
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Release]:
    home = tmp_path_factory.mktemp("release")
    log: list[str] = []
    seed, origin, workspace = home / "seed", home / "origin.git", home / "workspace"
    copy_working_tree(seed)
    # A change waiting for the release, as main has between releases: so there is always something to release
    # (before the first release it joins 0.1.0; after it, the policy makes a patch release).
    (seed / "changelog.d" / "rehearsal.fixed.md").write_text("A fix the rehearsal releases.\n", encoding="utf-8")
    git(seed, "init", "-q", "-b", "main")
    git(seed, "add", "--all")
    git(seed, "commit", "-q", "-m", "main as the rehearsal found it")

    # 1. The maintainer: prepare, commit, tag, push.
    env = runner_environment() | {"PATH": os.environ["PATH"]}
    said = _run([nox_python(), "-m", "nox", "-s", "release", "--", "prepare"], seed, env)
    log.append(next(line for line in said.splitlines() if line.startswith("prepared ")))
    version = read_version(seed / "src" / "invoice_clients" / "_version.py")
    tag = f"v{version}"
    git(seed, "add", "--all")
    git(seed, "commit", "-q", "-m", f"Release {version}")
    git(seed, "tag", "-a", tag, "-m", f"invoice-clients {version}")
    subprocess.run(["git", "clone", "-q", "--bare", str(seed), str(origin)], check=True)
    subprocess.run(
        ["git", "clone", "-q", "--branch", tag, str(origin), str(workspace)], check=True, capture_output=True
    )

    # The runner: a Python for actions/setup-python (the workflow installs nox and uv into it), a gh stand-in.
    runner = home / "runner"
    subprocess.run([sys.executable, "-m", "venv", str(runner)], check=True, timeout=300)
    bin_dir = home / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(
        f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__).parent / "gh_standin.py"}" "$@"\n'
    )
    (bin_dir / "gh").chmod(0o755)
    outer = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p != str(Path(sys.executable).parent)]
    state, calls = home / "gh-state.json", home / "gh-calls.jsonl"
    runner_env = runner_environment() | {
        "PATH": os.pathsep.join([str(bin_dir), str(runner / "bin"), *outer]),
        "GH_STANDIN_STATE": str(state),
        "GH_STANDIN_LOG": str(calls),
        "GH_STANDIN_ORIGIN": str(origin),
    }
    github = {
        "repository": REPOSITORY,
        "server_url": "https://github.com",
        "run_id": "7001",
        "ref_name": tag,
        "event_name": "push",
        "token": "ghs_rehearsal_github_token",
    }

    # 2. The workflow's jobs, in order, in one workspace (the artifact's files are where the next job looks).
    index = home / "index"
    (index / "simple").mkdir(parents=True)
    jobs: dict[str, JobResult] = {}
    for job in ("build", "publish", "github-release"):
        jobs[job] = run_job(
            WORKFLOW,
            job,
            workspace,
            github=github,
            inputs={},
            secrets={},
            env=runner_env,
            runner_temp=home / "runner-temp" / job,
            actions={"pypa/gh-action-pypi-publish": _publish_to(index, workspace)},
        )
        log.append(f"job {job}: {'success' if jobs[job].success else 'failure'}")
        log += [f"  step {step.name}: exit {step.status}" for step in jobs[job].steps if step.ran]
        said = r"^(python3\.\d+: |\S+: (twine|installs editable)|\S+: \S+ and \S+ are fit|README\.md:)"
        log += [f"    {line.strip()}" for line in jobs[job].log.splitlines() if re.match(said, line.strip())]
        if not jobs[job].success:
            break

    # The index a company mirror would be: the dependencies' wheels beside ours.
    wheels = sorted((index / "simple" / "invoice-clients").glob("*.whl")) if jobs.get("publish") else []
    if wheels:
        wheelhouse = home / "wheelhouse"
        _run([str(runner / "bin" / "python"), "-m", "pip", "download", "-q", "--only-binary=:all:",
              "--disable-pip-version-check", "-d", str(wheelhouse), str(wheels[0])], home)  # fmt: skip
        for path in wheelhouse.iterdir():
            project = index / "simple" / _normal(path.name.split("-")[0])
            if project.name != "invoice-clients":
                project.mkdir(exist_ok=True)
                shutil.copy2(path, project / path.name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(index)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Release(
            tag,
            workspace,
            jobs,
            index,
            f"http://127.0.0.1:{server.server_address[1]}/simple/",
            json.loads(state.read_text()) if state.exists() else {},
            home,
            log,
        )
    finally:
        server.shutdown()
        server.server_close()
        print("\n".join(["", "release rehearsal:", *log]))


def test_a_tag_is_built_once_checked_published_and_installed_by_name(release: Release) -> None:
    """One test (the fixture runs once per xdist worker): the jobs, the index, the GitHub release, then a user."""
    for name, job in release.jobs.items():
        assert job.success, f"{name}:\n{job.log[-6000:]}"
    assert list(release.jobs) == ["build", "publish", "github-release"]
    build = release.jobs["build"].log
    assert "are fit to publish" in build
    for version in ("3.11", "3.12", "3.13"):
        assert f"python{version}: the README's tour passed against the installed package alone" in build
    version = release.tag.removeprefix("v")
    uploaded = sorted(p.name for p in (release.index / "simple" / "invoice-clients").iterdir())
    assert uploaded == [f"invoice_clients-{version}-py3-none-any.whl", f"invoice_clients-{version}.tar.gz"]
    (published,) = release.github["releases"]
    changelog = (release.workspace / "CHANGELOG.md").read_text(encoding="utf-8")
    assert published["tag"] == release.tag
    assert published["notes"] == notes(changelog, Version.parse(version))
    _, found, after = published["notes"].partition("### Fixed\n\n")
    fixed = after.split("\n### ", 1)[0]  # the section, beside any other fixes waiting in changelog.d
    assert found and "- A fix the rehearsal releases." in fixed.splitlines(), published["notes"]
    assert sorted(published["assets"]) == sorted(uploaded)
    assert re.search(rf"^## {re.escape(version)} - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, flags=re.MULTILINE)

    # Built once: the file uploaded is byte for byte the one the build job checked in dist/.
    for path in (release.index / "simple" / "invoice-clients").iterdir():
        assert path.read_bytes() == (release.workspace / "dist" / path.name).read_bytes()
        if path.suffix == ".whl":
            with zipfile.ZipFile(path) as archive:
                assert not any(name.startswith(("tests/", "scripts/")) for name in archive.namelist())

    # A user: pip install invoice-clients, by name, from the index alone, then the README's tour.
    python = f"python{sys.version_info.major}.{sys.version_info.minor}"
    python = shutil.which(python) or sys.executable
    said = _run(
        [str(release.home / "runner" / "bin" / "python"), "-m", "scripts.release.tour", "--python", python,
         "--index-url", release.index_url, "--installer", "pip"],
        release.workspace,
        runner_environment() | {"PATH": os.environ["PATH"]},
    )  # fmt: skip
    release.log += ["user: pip install invoice-clients (by name, from the local index)", *said.splitlines()]
    assert f"installed invoice-clients {release.tag.removeprefix('v')} from {release.index_url}, by name" in said
    assert "the README's tour passed against the installed package alone" in said


def test_only_the_publish_job_can_mint_an_id_token() -> None:
    """Trusted Publishing needs id-token: write; no other job of the release workflow gets it, nor a token."""
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert data["permissions"] == {}
    jobs = data["jobs"]
    assert jobs["publish"]["permissions"] == {"id-token": "write"}
    assert jobs["publish"]["environment"]["name"] == "pypi"
    assert [step["with"] for step in jobs["publish"]["steps"] if "pypi-publish" in step.get("uses", "")] == [
        {"packages-dir": "dist/", "attestations": True}
    ]
    others = {name: job.get("permissions", {}) for name, job in jobs.items() if name != "publish"}
    assert all("id-token" not in permissions for permissions in others.values()), others
    assert "secrets." not in WORKFLOW.read_text(encoding="utf-8")  # no PyPI token anywhere
    assert jobs["publish"]["needs"] == "build" and jobs["github-release"]["needs"] == "publish"
