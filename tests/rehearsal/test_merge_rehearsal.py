"""Merging the drift bot's pull request keeps main green: absorb upstream's newest revisions, commit, run the suite.

In a throw-away copy of this working tree (beside a link to ``../shared``, as CI
has it), ``spec-drift --write`` absorbs the newest published revision of each
API from ``../shared/upstream``, the result is committed as the bot commits it,
``check`` passes, a second ``--write`` with the same documents changes nothing,
and the whole suite (``nox -s tests``, the README's test command, on this Python) passes there.
A suite that pinned one vendored revision would fail here, the day the bot's
pull request is merged.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from scripts.drift.pr import Git
from scripts.manifest import load_manifest
from scripts.regenerate import check
from tests.shared import SHARED, shared_path

from .rig import copy_working_tree, git, runner_environment

SUITE_TIMEOUT = 3600  # seconds: the whole suite, on a busy machine


def _newest(archive: Path, into: Path) -> Path:
    with tarfile.open(archive) as opened:
        opened.extractall(into, filter="data")
    return max(into.rglob("*.yaml"), key=lambda path: path.name)


def test_the_bots_pull_request_merged_keeps_the_whole_suite_green(tmp_path: Path) -> None:
    shared_path("upstream")
    (tmp_path / "shared").symlink_to(SHARED.resolve())
    clone = tmp_path / "project"
    copy_working_tree(clone)
    git(clone, "init", "-q", "-b", "main")
    git(clone, "add", "--all")
    git(clone, "commit", "-q", "-m", "main before the merge")
    env = runner_environment() | {"CI": "true"}  # ../shared is there: a test needing it must not skip
    absorbed = []
    for api in load_manifest(clone / "specs" / "manifest.toml", clone).apis:
        newest = _newest(shared_path("upstream", f"{api.name}-history.tar.xz"), tmp_path / "upstream" / api.name)
        command = [sys.executable, "-m", "scripts.drift", "--api", api.name, "--upstream", str(newest), "--write"]
        done = subprocess.run(command, cwd=clone, env=env, capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode in {0, 1, 2}, done.stdout[-2000:] + done.stderr
        if "--write: vendored the upstream selection" in done.stdout:
            absorbed.append(api.name)
        # The same document again: nothing to absorb, nothing written.
        before = git(clone, "status", "--porcelain")
        again = subprocess.run(command, cwd=clone, env=env, capture_output=True, text=True, timeout=600, check=False)
        assert again.returncode == 0 and "--write: nothing to absorb" in again.stdout, again.stdout + again.stderr
        assert git(clone, "status", "--porcelain") == before
    bot = Git(clone)
    if bot.dirty("specs", "generated"):
        bot.commit(f"Spec drift: absorb {', '.join(absorbed)}", "As the spec-drift job commits it.")
    assert not bot.dirty()
    outcome = check(clone)
    assert not outcome.changed and not outcome.warnings, outcome.summary
    print(f"absorbed: {absorbed or 'nothing (main already holds the newest revisions)'}")
    nox = os.environ.get("INVOICE_CLIENTS_NOX_PYTHON")  # nox -s rehearsal passes its own interpreter
    if not nox:
        pytest.fail("needs nox: run it under nox -s rehearsal, which passes its interpreter", pytrace=False)
    session = f"tests-{sys.version_info.major}.{sys.version_info.minor}"  # the whole suite, on this Python
    suite = subprocess.run(
        [nox, "-m", "nox", "-s", session, "--", "-q", "-p", "no:cacheprovider"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=SUITE_TIMEOUT,
        check=False,
    )
    tail = suite.stdout[-4000:] + suite.stderr[-2000:]
    print(tail[-600:])
    assert suite.returncode == 0, tail
