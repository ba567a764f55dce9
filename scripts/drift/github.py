"""The GitHub side of the scheduled spec-drift job, through the ``gh`` command line.

Only the calls the job makes, each one ``gh`` invocation with JSON output
where it reads something back (``--json``, parsed here: no ``--jq``), so a
stand-in ``gh`` that logs its calls can rehearse the whole job offline
(``tests/rehearsal/test_workflow_rehearsal.py``).  ``gh`` finds the repository in
``GH_REPO`` and its token in ``GH_TOKEN``, both set by the workflow.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["GitHub", "GitHubError", "Issue", "PullRequest"]


class GitHubError(RuntimeError):
    """A ``gh`` call failed: the call and what gh said."""


@dataclass(frozen=True)
class PullRequest:
    number: int
    labels: tuple[str, ...]
    title: str = ""


@dataclass(frozen=True)
class Issue:
    number: int
    body: str


class GitHub:
    """``gh`` with the job's environment."""

    def __init__(self, env: Mapping[str, str] | None = None, gh: str | None = None) -> None:
        self.env = {**os.environ, **(env or {})}
        self.gh = gh or shutil.which("gh", path=self.env.get("PATH")) or "gh"

    def _run(self, *args: str) -> str:
        try:
            done = subprocess.run(
                [self.gh, *args], env=self.env, capture_output=True, text=True, timeout=120, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise GitHubError(f"gh {args[0]} {args[1]}: {exc}") from None
        if done.returncode != 0:
            said = (done.stderr.strip() or done.stdout.strip()).splitlines()
            raise GitHubError(f"gh {' '.join(args[:2])}: {said[-1] if said else f'exit status {done.returncode}'}")
        return done.stdout.strip()

    def _json(self, *args: str) -> list[dict[str, Any]]:
        out = self._run(*args)
        try:
            data = json.loads(out or "[]")
        except json.JSONDecodeError:
            raise GitHubError(f"gh {' '.join(args[:2])}: not JSON: {out[:200]!r}") from None
        return data if isinstance(data, list) else []

    # -- pull requests ---------------------------------------------------------------------------------------

    def pull_request(self, head: str, state: str = "open") -> PullRequest | None:
        """A pull request from branch ``head`` in ``state`` (``open``, or ``closed``: closed or merged), if any."""
        found = self._json("pr", "list", "--head", head, "--state", state, "--json", "number,labels,title")
        if not found:
            return None
        labels = tuple(str(label.get("name")) for label in found[0].get("labels") or [])
        return PullRequest(int(found[0]["number"]), labels, str(found[0].get("title", "")))

    def create_pull_request(self, head: str, base: str, title: str, body: Path, labels: list[str]) -> str:
        extra = [item for label in labels for item in ("--label", label)]
        args = ["pr", "create", "--head", head, "--base", base, "--title", title, "--body-file", str(body)]
        return self._run(*args, *extra)

    def edit_pull_request(self, number: int, title: str, body: Path, add: list[str], remove: list[str]) -> None:
        labels = [*(item for label in add for item in ("--add-label", label))]
        labels += [item for label in remove for item in ("--remove-label", label)]
        self._run("pr", "edit", str(number), "--title", title, "--body-file", str(body), *labels)

    def comment_pull_request(self, number: int, body: Path) -> None:
        self._run("pr", "comment", str(number), "--body-file", str(body))

    def close_pull_request(self, number: int, comment: str) -> None:
        self._run("pr", "close", str(number), "--comment", comment)

    # -- labels and issues -----------------------------------------------------------------------------------

    def ensure_label(self, name: str, color: str, description: str) -> None:
        self._run("label", "create", name, "--color", color, "--description", description, "--force")

    def open_issue(self, title: str, label: str) -> Issue | None:
        """The open issue labelled ``label`` whose title is exactly ``title``, if any."""
        found = self._json(
            "issue", "list", "--state", "open", "--label", label, "--limit", "100", "--json", "number,title,body"
        )
        for issue in found:
            if issue.get("title") == title:
                return Issue(int(issue["number"]), str(issue.get("body", "")))
        return None

    def create_issue(self, title: str, body: Path, label: str) -> str:
        return self._run("issue", "create", "--title", title, "--body-file", str(body), "--label", label)

    def edit_issue(self, number: int, body: Path) -> None:
        self._run("issue", "edit", str(number), "--body-file", str(body))

    def close_issue(self, number: int, comment: str) -> None:
        self._run("issue", "close", str(number), "--comment", comment)
