"""scripts/drift/pr.py on throw-away git repositories: bot commits, a lease on what it replaces, others' commits."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from scripts.drift.pr import BOT_EMAIL, Git, GitError, branch_name

BRANCH = branch_name("gcore-billing")
MAINTAINER = ("-c", "user.name=A Maintainer", "-c", "user.email=maintainer@example.com")


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *MAINTAINER, *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    seed = tmp_path / "seed"
    (seed / "specs").mkdir(parents=True)
    (seed / "generated").mkdir()
    (seed / "specs" / "api.yaml").write_text("openapi: 3.1.0\n")
    (seed / "generated" / "client.py").write_text("x = 1\n")
    git(seed, "init", "-q", "-b", "main")
    git(seed, "add", ".")
    git(seed, "commit", "-q", "-m", "start")
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(seed), str(bare)], check=True)
    return bare


@pytest.fixture
def checkout(origin: Path, tmp_path: Path) -> Git:
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(origin), str(work)], check=True)
    return Git(work)


def absorb(repo: Path, text: str) -> None:
    """What --write does: a new vendored spec, regenerated code (a new file too), and a report elsewhere."""
    (repo / "specs" / "api.yaml").write_text(f"openapi: 3.1.0\n# {text}\n")
    (repo / "generated" / "client.py").write_text(f"x = {text!r}\n")
    (repo / "generated" / "new.py").write_text("y = 2\n")
    (repo / "drift.md").write_text("a report, not committed\n")


def test_a_first_change_is_one_bot_commit_on_a_new_branch(checkout: Git, origin: Path) -> None:
    start = checkout.head()
    assert checkout.remote("origin", BRANCH, start) is None
    absorb(checkout.repo, "order_by")
    assert checkout.dirty("specs", "generated")
    sha = checkout.commit("Spec drift: gcore-billing upstream change", "Written by spec-drift.")
    checkout.push("origin", sha, BRANCH, lease=None)
    assert (
        git(origin, "log", "--format=%ae %s", f"main..{BRANCH}")
        == f"{BOT_EMAIL} Spec drift: gcore-billing upstream change"
    )
    assert git(origin, "show", "--name-only", "--format=", BRANCH).splitlines() == [
        "generated/client.py",
        "generated/new.py",
        "specs/api.yaml",
    ]
    remote = checkout.remote("origin", BRANCH, start)
    assert remote is not None and (remote.sha, remote.foreign) == (sha, ())


def test_reset_drops_what_a_write_left_and_nothing_else(checkout: Git) -> None:
    start = checkout.head()
    absorb(checkout.repo, "x")
    checkout.reset(start)
    assert not checkout.dirty("specs", "generated")
    assert not (checkout.repo / "generated" / "new.py").exists()
    assert (checkout.repo / "drift.md").exists()  # reports stay


def test_others_commits_are_found_and_a_lease_protects_them(checkout: Git, origin: Path, tmp_path: Path) -> None:
    start = checkout.head()
    absorb(checkout.repo, "one")
    first = checkout.commit("bot", "first")
    checkout.push("origin", first, BRANCH, lease=None)
    seen = checkout.remote("origin", BRANCH, start)
    assert seen is not None and seen.foreign == ()
    # A maintainer pushes a fix onto the branch after the bot looked at it.
    clone = tmp_path / "maintainer"
    subprocess.run(["git", "clone", "-q", "--branch", BRANCH, str(origin), str(clone)], check=True)
    (clone / "fix.txt").write_text("fix\n")
    git(clone, "add", "fix.txt")
    git(clone, "commit", "-q", "-m", "fix the facade")
    git(clone, "push", "-q", "origin", f"HEAD:{BRANCH}")
    # Replacing the branch with the lease the bot took is refused: the maintainer's commit survives.
    checkout.reset(start)
    absorb(checkout.repo, "two")
    second = checkout.commit("bot", "second")
    with pytest.raises(GitError, match=r"stale info|rejected"):
        checkout.push("origin", second, BRANCH, lease=seen.sha)
    assert git(origin, "log", "-1", "--format=%s", BRANCH) == "fix the facade"
    now = checkout.remote("origin", BRANCH, start)
    assert now is not None
    (commit,) = now.foreign
    assert commit.endswith(" fix the facade (A Maintainer)")
    # On top of it, a fast-forward needs no force.
    checkout.reset(now.sha)
    absorb(checkout.repo, "three")
    top = checkout.commit("bot", "third")
    checkout.push("origin", top, BRANCH, lease=None)
    assert git(origin, "log", "--format=%s", f"main..{BRANCH}").splitlines() == ["bot", "fix the facade", "bot"]


def test_a_failed_git_command_is_one_line_naming_it(checkout: Git) -> None:
    with pytest.raises(GitError, match=r"^git push -q nowhere abc:refs/heads/x: .+"):
        checkout.push("nowhere", "abc", "x", lease=None)
