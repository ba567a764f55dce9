"""From a drift alarm to one pull request: the git side of the scheduled spec-drift workflow.

    python -m scripts.drift_pr --report drift.md --json drift.json --tests-status N
                               [--branch spec-drift/upstream] [--body pr-body.md] [--outputs FILE]

Run after ``spec-drift --write`` (and the tests) in a checkout of the default
branch.  If ``--write`` changed nothing under ``specs/`` or ``generated/`` it does
nothing.  Otherwise it commits that change alone on ``--branch`` (recreated from
the current commit, so the pull request always holds exactly one commit on top of
the default branch: a second alarm updates the same branch instead of opening
another), writes the pull request's body (the Markdown report, the test outcome)
and prints ``key=value`` lines for the workflow (``$GITHUB_OUTPUT``):

    changed    true when the branch needs pushing (its tree differs from what it held before)
    absorbed   true when --write changed anything at all
    breaking   true when the report has breaking changes (the workflow adds a label)
    branch     the branch name
    title      the pull request's title

Pure git, no network: pushing and ``gh pr create``/``gh pr edit`` stay thin
workflow steps.  The previous state of the branch is ``--previous REF`` (the
workflow fetches ``origin/<branch>``), else the local branch, if any.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["main"]

PATHS = ("specs", "generated")
GIT = shutil.which("git") or "git"
BOT = ("-c", "user.name=spec-drift", "-c", "user.email=spec-drift@users.noreply.github.com")


def _git(repo: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run([GIT, *BOT, *args], cwd=repo, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout.strip() if done.returncode == 0 else ""


def _tree(repo: Path, ref: str) -> str:
    return _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{tree}}", check=False)


def body(report: str, data: dict[str, object], tests_status: int) -> str:
    """The pull request's body: what the tests said, then the drift report."""
    outcome = "passed" if tests_status == 0 else f"**failed** (exit {tests_status}): see the workflow run"
    verdict = "**breaking**" if data.get("exit_status") == 2 else "non-breaking"
    return "\n".join(
        [
            f"`spec-drift --write` absorbed upstream's change ({verdict}); generated/ is regenerated.",
            "",
            f"Tests on the regenerated code: {outcome}.",
            "",
            "Review the report and the diff, fix the overlay actions it flags, then merge.",
            "",
            report.strip(),
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="drift_pr.py", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--report", type=Path, required=True, help="the Markdown drift report")
    parser.add_argument("--json", type=Path, required=True, help="the JSON drift report")
    parser.add_argument("--tests-status", type=int, required=True, help="exit status of the tests")
    parser.add_argument("--branch", default="spec-drift/upstream")
    parser.add_argument("--previous", help="the branch as the open pull request holds it (e.g. origin/BRANCH)")
    parser.add_argument("--body", type=Path, default=Path("pr-body.md"), help="where to write the body")
    parser.add_argument("--outputs", type=Path, help="append the key=value lines here too ($GITHUB_OUTPUT)")
    parser.add_argument("--repo", type=Path, default=Path("."))
    args = parser.parse_args(argv)
    repo = args.repo
    data = json.loads(args.json.read_text(encoding="utf-8"))
    breaking = data.get("exit_status") == 2
    outputs = {"changed": "false", "absorbed": "false", "breaking": str(breaking).lower(), "branch": args.branch}
    if _git(repo, "status", "--porcelain", "--", *PATHS):
        previous = _tree(repo, args.previous) if args.previous else ""
        previous = previous or _tree(repo, f"refs/heads/{args.branch}")
        apis = ", ".join(api["api"] for api in data.get("apis", []) if api.get("changes")) or "overlay health"
        title = f"Spec drift: absorb upstream changes to {apis}" + (" (breaking)" if breaking else "")
        _git(repo, "checkout", "-q", "-B", args.branch)
        _git(repo, "add", "--all", "--", *PATHS)
        _git(repo, "commit", "-q", "-m", title, "-m", "Written by `nox -s spec-drift -- --write`; see the PR body.")
        args.body.write_text(body(args.report.read_text(encoding="utf-8"), data, args.tests_status), encoding="utf-8")
        outputs |= {"absorbed": "true", "changed": str(_tree(repo, "HEAD") != previous).lower(), "title": title}
    lines = "".join(f"{key}={value}\n" for key, value in outputs.items())
    print(lines, end="")
    if args.outputs is not None:
        with args.outputs.open("a", encoding="utf-8") as out:
            out.write(lines)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(3)
