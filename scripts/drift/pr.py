"""The git side of the scheduled spec-drift job: one branch per API, and only commits the bot can answer for.

:mod:`scripts.drift.ci` runs ``spec-drift --write`` for one API in a checkout of
the default branch, and this module turns what it changed under ``specs/`` and
``generated/`` into a commit on ``spec-drift/<api>``:

* one branch per API, so a change to one API never replaces another's pending
  pull request;
* the branch's previous state comes from the remote; if every commit on it is
  the bot's, the new commit replaces them (pushed with a lease on the sha the
  bot saw, so a commit pushed meanwhile is never lost); if anyone else
  committed there, the bot never rewrites it and adds its commit on top;
* whether the branch already holds upstream's document is for
  ``spec-drift`` to say, run on the branch itself (:mod:`scripts.drift.ci`):
  a republication that changes nothing the client uses, or a new retrieval
  date, is not a reason to push.

Pure git and stdlib: the job's own Python runs it, outside any nox environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BOT_EMAIL", "BOT_NAME", "PATHS", "Git", "GitError", "Remote", "branch_name"]

PATHS = ("specs", "generated", "changelog.d")  # changelog.d: the bot's fragment (scripts/drift/changelog.py)
BOT_NAME = "spec-drift"
BOT_EMAIL = "spec-drift@users.noreply.github.com"
_GIT = shutil.which("git") or "git"


class GitError(RuntimeError):
    """A git command failed: the command and git's own words."""


def branch_name(api: str) -> str:
    """The branch that carries ``api``'s pending upstream change."""
    return f"spec-drift/{api}"


@dataclass(frozen=True)
class Remote:
    """A drift branch as the remote holds it: its tip, and the commits on it that the bot did not make."""

    branch: str
    sha: str
    foreign: tuple[str, ...]  # "sha subject (author)" of each commit by someone else, newest first


class Git:
    """git in one repository, as the bot (its name and e-mail on every commit), with ``env`` added."""

    def __init__(self, repo: Path, env: Mapping[str, str] | None = None) -> None:
        self.repo = repo
        self.env = {**os.environ, **(env or {})}

    def __call__(self, *args: str) -> str:
        """git's output; :class:`GitError` naming the command and what git said, if it fails."""
        identity = ("-c", f"user.name={BOT_NAME}", "-c", f"user.email={BOT_EMAIL}")
        done = subprocess.run(
            [_GIT, *identity, *args], cwd=self.repo, env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            said = [line.strip() for line in (done.stderr.strip() or done.stdout.strip()).splitlines()]
            telling = [line for line in said if line.startswith(("!", "error:", "fatal:"))] or said[-1:]
            raise GitError(f"git {' '.join(args)}: {'; '.join(telling) or f'exit status {done.returncode}'}")
        return done.stdout.strip()

    def head(self) -> str:
        return self("rev-parse", "HEAD")

    def dirty(self, *paths: str) -> bool:
        """Whether tracked files (under ``paths``, or anywhere) differ from HEAD, or untracked ones exist there."""
        if paths:
            return bool(self("status", "--porcelain", "--", *paths))
        return bool(self("status", "--porcelain", "--untracked-files=no"))

    def reset(self, sha: str) -> None:
        """Check out ``sha`` (detached); drop what a previous ``--write`` (or fragment) left under :data:`PATHS`."""
        self("checkout", "-q", "-f", "--detach", sha)
        self("clean", "-q", "-fd", "--", *PATHS)

    def remote(self, remote: str, branch: str, base: str) -> Remote | None:
        """``branch`` on ``remote`` (fetched), with the commits on it since ``base`` that the bot did not make."""
        listed = self("ls-remote", "--heads", remote, f"refs/heads/{branch}")
        if not listed:
            return None
        sha = listed.split()[0]
        self("fetch", "-q", "--no-tags", remote, f"+refs/heads/{branch}:refs/spec-drift/{branch}")
        foreign = []
        for line in self("log", "--format=%H%x00%ae%x00%an%x00%s", f"{base}..{sha}").splitlines():
            commit, email, author, subject = line.split("\0", 3)
            if email != BOT_EMAIL:
                foreign.append(f"{commit[:12]} {subject} ({author})")
        return Remote(branch, sha, tuple(foreign))

    def commit(self, title: str, body: str) -> str:
        """Commit everything under :data:`PATHS` on the detached HEAD; the new sha."""
        self("add", "--all", "--", *(path for path in PATHS if (self.repo / path).exists()))
        self("commit", "-q", "--no-verify", "-m", title, "-m", body)
        return self.head()

    def push(self, remote: str, sha: str, branch: str, *, lease: str | None) -> None:
        """Set ``branch`` on ``remote`` to ``sha``: a fast-forward, or (``lease``) replacing exactly that sha."""
        force = [f"--force-with-lease=refs/heads/{branch}:{lease}"] if lease else []
        self("push", "-q", *force, remote, f"{sha}:refs/heads/{branch}")

    def delete(self, remote: str, branch: str, *, lease: str) -> None:
        self("push", "-q", f"--force-with-lease=refs/heads/{branch}:{lease}", remote, f":refs/heads/{branch}")
