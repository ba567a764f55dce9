"""A stand-in for the ``gh`` command line: a repository's pull requests, issues and labels in a JSON file.

    GH_STANDIN_STATE=state.json GH_STANDIN_LOG=calls.jsonl GH_STANDIN_ORIGIN=origin.git gh pr list ...

``GH_STANDIN_REFUSE="pr create"`` makes that call fail as GitHub refuses it to a
workflow whose repository does not allow Actions to create pull requests.

It understands the calls :mod:`scripts.drift.github` makes and the release
workflow's ``gh release create``, answers them from the state file as GitHub
would (``--json`` fields only), logs every call (with the contents of any
``--body-file``), and fails as ``gh`` fails: without ``GH_TOKEN``, for a head
branch that is not on the remote, a label that does not exist, a second open
pull request for one branch, or any call it does not know (so the workflow
cannot quietly depend on something not rehearsed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPOSITORY = "https://github.com/rehearsal/invoice-clients"


def main(argv: list[str]) -> int:
    state_path, log_path = Path(os.environ["GH_STANDIN_STATE"]), Path(os.environ["GH_STANDIN_LOG"])
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    state.setdefault("next", 1)
    for key in ("pulls", "issues", "comments", "releases"):
        state.setdefault(key, [])
    state.setdefault("labels", [])
    options, positional = _options(argv)
    files = {path: Path(path).read_text() for path in options.get("--body-file", [])}
    with log_path.open("a") as log:
        log.write(json.dumps({"argv": argv, "files": files}) + "\n")
    if not os.environ.get("GH_TOKEN"):
        print(
            "gh: To use GitHub CLI in a GitHub Actions workflow, set the GH_TOKEN environment variable.",
            file=sys.stderr,
        )
        return 4
    if " ".join(positional[:2]) == os.environ.get("GH_STANDIN_REFUSE"):
        print(
            "pull request create failed: GraphQL: GitHub Actions is not permitted to create or approve pull"
            " requests (createPullRequest)",
            file=sys.stderr,
        )
        return 1
    try:
        out = _answer(state, positional, options, files)
    except LookupError as exc:
        print(f"gh: {exc}", file=sys.stderr)
        return 1
    state_path.write_text(json.dumps(state, indent=1))
    if out:
        print(out)
    return 0


def _options(argv: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    options: dict[str, list[str]] = {}
    positional: list[str] = []
    at = 0
    while at < len(argv):
        if argv[at] in {"--force", "--verify-tag"}:  # flags without a value
            options.setdefault(argv[at], []).append("")
            at += 1
        elif argv[at].startswith("--"):
            options.setdefault(argv[at], []).append(argv[at + 1])
            at += 2
        else:
            positional.append(argv[at])
            at += 1
    return options, positional


def _one(options: dict[str, list[str]], name: str) -> str:
    return options.get(name, [""])[-1]


def _select(items: list[dict[str, Any]], fields: str) -> str:
    wanted = fields.split(",")
    return json.dumps([{key: item[key] for key in wanted} for item in items])


def _on_remote(branch: str) -> str:
    origin = os.environ["GH_STANDIN_ORIGIN"]
    done = subprocess.run(
        ["git", "ls-remote", "--heads", origin, f"refs/heads/{branch}"], capture_output=True, text=True, check=True
    )
    return done.stdout.split()[0] if done.stdout.strip() else ""


def _labels(state: dict[str, Any], names: list[str]) -> list[dict[str, str]]:
    for name in names:
        if name not in state["labels"]:
            raise LookupError(f"could not add label: '{name}' not found")
    return [{"name": name} for name in names]


def _opened(state: dict[str, Any], kind: str, options: dict[str, list[str]], body: str, **extra: str) -> dict[str, Any]:
    """A new open pull request or issue, numbered as GitHub numbers both: from one counter."""
    number = state["next"]
    state["next"] += 1
    path = "pull" if kind == "pulls" else "issues"
    item = {
        "number": number,
        "url": f"{REPOSITORY}/{path}/{number}",
        **extra,
        "title": _one(options, "--title"),
        "body": body,
        "state": "OPEN",
        "labels": _labels(state, options.get("--label", [])),
    }
    state[kind].append(item)
    return item


def _find(items: list[dict[str, Any]], number: str) -> dict[str, Any]:
    for item in items:
        if str(item["number"]) == number:
            return item
    raise LookupError(f"no pull request or issue #{number}")


def _answer(state: dict[str, Any], positional: list[str], options: dict[str, list[str]], files: dict[str, str]) -> str:
    command = tuple(positional[:2])
    body = next(iter(files.values()), "")
    if command == ("label", "create"):
        name = positional[2]
        if name in state["labels"] and "--force" not in options:
            raise LookupError(
                f"label with name {name!r} already exists; use `--force` to update its color and description"
            )
        if name not in state["labels"]:
            state["labels"].append(name)
        return ""
    if command == ("pr", "list"):
        head, wanted = _one(options, "--head"), _one(options, "--state")
        found = [p for p in state["pulls"] if p["headRefName"] == head and p["state"].lower() == wanted]
        return _select(found, _one(options, "--json"))
    if command == ("pr", "create"):
        head = _one(options, "--head")
        sha = _on_remote(head)
        if not sha:
            raise LookupError(f"pull request create failed: GraphQL: Head sha can't be blank, head ref {head!r}")
        if any(p["headRefName"] == head and p["state"] == "OPEN" for p in state["pulls"]):
            raise LookupError(
                f'a pull request for branch "{head}" into branch "{_one(options, "--base")}" already exists'
            )
        pull = _opened(state, "pulls", options, body, headRefName=head, baseRefName=_one(options, "--base"))
        return pull["url"]
    if command == ("pr", "edit"):
        pull = _find(state["pulls"], positional[2])
        pull["title"] = _one(options, "--title") or pull["title"]
        pull["body"] = body or pull["body"]
        added = _labels(state, options.get("--add-label", []))
        removed = set(options.get("--remove-label", []))
        names = [label["name"] for label in pull["labels"] if label["name"] not in removed]
        pull["labels"] = [{"name": name} for name in dict.fromkeys([*names, *(a["name"] for a in added)])]
        return f"{REPOSITORY}/pull/{pull['number']}"
    if command in {("pr", "comment"), ("issue", "comment")}:
        _find(state["pulls"] + state["issues"], positional[2])
        state["comments"].append({"number": int(positional[2]), "body": body})
        return f"{REPOSITORY}/pull/{positional[2]}#issuecomment-{len(state['comments'])}"
    if command in {("pr", "close"), ("issue", "close")}:
        item = _find(state["pulls"] if command[0] == "pr" else state["issues"], positional[2])
        item["state"] = "CLOSED"
        state["comments"].append({"number": item["number"], "body": _one(options, "--comment")})
        return ""
    if command == ("issue", "list"):
        label, wanted = _one(options, "--label"), _one(options, "--state")
        found = [
            i
            for i in state["issues"]
            if i["state"].lower() == wanted and (not label or label in [x["name"] for x in i["labels"]])
        ]
        return _select(found, _one(options, "--json"))
    if command == ("issue", "create"):
        return _opened(state, "issues", options, body)["url"]
    if command == ("issue", "edit"):
        issue = _find(state["issues"], positional[2])
        issue["body"] = body or issue["body"]
        return f"{REPOSITORY}/issues/{issue['number']}"
    if command == ("release", "create"):
        tag, assets = positional[2], positional[3:]
        if "--verify-tag" in options and not _on_remote_tag(tag):
            raise LookupError(f"tag {tag} doesn't exist in the repo, aborting due to --verify-tag flag")
        if any(release["tag"] == tag for release in state["releases"]):
            raise LookupError(f"a release with the same tag name already exists: {tag}")
        notes = Path(_one(options, "--notes-file")).read_text() if "--notes-file" in options else ""
        state["releases"].append(
            {"tag": tag, "title": _one(options, "--title"), "notes": notes, "assets": [Path(a).name for a in assets]}
        )
        missing = [asset for asset in assets if not Path(asset).is_file()]
        if missing:
            raise LookupError(f"open {missing[0]}: no such file or directory")
        return f"{REPOSITORY}/releases/tag/{tag}"
    raise LookupError(f"the stand-in does not know `gh {' '.join(positional)}`")


def _on_remote_tag(tag: str) -> bool:
    origin = os.environ["GH_STANDIN_ORIGIN"]
    done = subprocess.run(
        ["git", "ls-remote", "--tags", origin, f"refs/tags/{tag}"], capture_output=True, text=True, check=True
    )
    return bool(done.stdout.strip())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
