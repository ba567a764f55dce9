"""The runtime pins against an advisory database, and an issue when one has a published advisory.

    python -m scripts.release.audit scan [--out DIR]    # in nox -s audit: pins, pip-audit, DIR/audit.json
    python -m scripts.release.audit issue [--out DIR]   # the workflow's next step: open, update or close the issue

``scan`` compiles ``pyproject.toml``'s runtime dependencies with uv, as ``nox -s deps`` does, at
``lowest-direct`` and at ``highest``, for the oldest and the newest supported Python (the versions a user can
get from our ranges at either end), and runs pip-audit on each set of pins (``--no-deps --disable-pip``: the
pins are complete) against OSV (``--osv-url``, or ``INVOICE_CLIENTS_OSV_URL``: a mirror, or the rehearsal's
stand-in).  ``DIR/audit.json`` lists every finding (package, version, advisory and aliases, fixed versions, which
pins hold it) and any error; exit 0 when it ran (findings are data), 3 when it could not.

``issue`` (standard library only, run outside nox so that ``GH_TOKEN`` never reaches pip-audit) keeps one issue
labelled ``security-audit``: opened when there are findings, edited when they change (a marker hashes them, so a
daily run with the same findings writes nothing), closed when the pins are clean again.  Its exit status is the
job's colour: 1 while there are findings or the scan failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.drift.github import GitHub, GitHubError
from scripts.pythons import supported

__all__ = ["ISSUE_LABEL", "ISSUE_TITLE", "OSV_URL", "Advisory", "declared_advisories", "issue_body", "main", "scan"]

ROOT = Path(__file__).resolve().parents[2]
OSV_URL = "https://api.osv.dev/v1/query"
ISSUE_TITLE = "Security: a runtime dependency's pinned version has a published advisory"
ISSUE_LABEL = "security-audit"
RESOLUTIONS = ("lowest-direct", "highest")
EXIT_FAILED = 3


@dataclass(frozen=True)
class Advisory:
    """An advisory written beside a floor in ``pyproject.toml``: ``(ID, ..., fixed in [PACKAGE] VERSION)``."""

    package: str  # the package it is about (the requirement's, unless named)
    ids: tuple[str, ...]
    fixed: str
    requirement: str  # the requirement it is written beside
    floor: str  # that requirement's lower bound


_ADVISORY = re.compile(r"\(((?:(?:CVE|GHSA|PYSEC)-[\w-]+,\s*)+)fixed in (?:([A-Za-z][\w.-]*) )?(\d[\w.]*)\)")
_REQUIREMENT = re.compile(r'^\s*"(?P<name>[A-Za-z0-9][\w.-]*)\s*>=\s*(?P<floor>[\w.]+)[^"]*",?(?P<rest>.*)$')


def declared_advisories(pyproject: str) -> list[Advisory]:
    """The advisories ``[project] dependencies`` writes beside its floors, each with the requirement it is beside."""
    block = pyproject[
        pyproject.index("\ndependencies = [") : pyproject.index("\n]", pyproject.index("\ndependencies = ["))
    ]
    found: list[Advisory] = []
    comments: list[str] = []
    for line in block.splitlines()[1:]:
        stripped = line.strip()
        if stripped.startswith("#"):
            comments.append(stripped.lstrip("# "))
            continue
        requirement = _REQUIREMENT.match(line)
        if requirement is None:
            comments = []
            continue
        text = " ".join([*comments, requirement["rest"].strip().lstrip("# ")])
        for ids, package, fixed in _ADVISORY.findall(text):
            names = tuple(part.strip() for part in ids.split(",") if part.strip())
            name = requirement["name"].lower()
            found.append(Advisory((package or name).lower(), names, fixed, name, requirement["floor"]))
        comments = []
    return found


def _pythons() -> list[str]:
    versions = supported(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8")))
    return list(dict.fromkeys((versions[0], versions[-1])))


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    print(f"$ {' '.join(command)}", flush=True)
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def _compile(out: Path, resolution: str, python: str) -> tuple[Path | None, str]:
    """``uv pip compile`` of the runtime dependencies at ``resolution`` for ``python``: the pins, or an error."""
    pins = out / f"pins-{resolution}-{python}.txt"
    pins.unlink(missing_ok=True)  # uv would take an earlier run's pins as preferences
    command = [shutil.which("uv") or "uv", "pip", "compile", "-q", "pyproject.toml", f"--resolution={resolution}"]
    done = _run([*command, f"--python-version={python}", "-o", str(pins)])
    if done.returncode != 0:
        return None, f"uv pip compile: exit {done.returncode}: {' | '.join(done.stderr.strip().splitlines()[-2:])}"
    return pins, ""


def _audit(pins: Path, osv_url: str) -> tuple[dict[str, Any] | None, str]:
    """pip-audit's JSON report on ``pins``, or an error."""
    result = pins.with_name(pins.name.replace("pins-", "audit-").replace(".txt", ".json"))
    result.unlink(missing_ok=True)
    done = _run(
        [sys.executable, "-m", "pip_audit", "-r", str(pins), "--no-deps", "--disable-pip", "--strict", "-s", "osv",
         "--osv-url", osv_url, "--progress-spinner", "off", "-f", "json", "-o", str(result)]
    )  # fmt: skip
    if done.returncode not in (0, 1) or not result.is_file():  # 1: vulnerabilities found
        return (
            None,
            f"pip-audit: exit {done.returncode}: {' | '.join((done.stderr or done.stdout).strip().splitlines()[-3:])}",
        )
    return json.loads(result.read_text(encoding="utf-8")), ""


def scan(out: Path, osv_url: str) -> dict[str, Any]:
    """Compile the pins, audit each distinct set (concurrently: each waits on the network); the report, also
    written to ``out/audit.json``."""
    out.mkdir(parents=True, exist_ok=True)
    labels = {
        (resolution, python): f"{resolution}, Python {python}" for resolution in RESOLUTIONS for python in _pythons()
    }
    errors: list[str] = []
    with ThreadPoolExecutor(max_workers=len(labels)) as pool:
        compiled = dict(zip(labels, pool.map(lambda key: _compile(out, *key), labels), strict=True))
        sets: dict[str, list[str]] = {}  # pins text -> labels: equal pins are audited once
        first: dict[str, Path] = {}
        for key, (pins, error) in compiled.items():
            if pins is None:
                errors.append(f"{labels[key]}: {error}")
                continue
            text = "\n".join(line for line in pins.read_text(encoding="utf-8").splitlines() if "==" in line)
            sets.setdefault(text, []).append(labels[key])
            first.setdefault(text, pins)
        audits = dict(zip(sets, pool.map(lambda text: _audit(first[text], osv_url), sets), strict=True))
    findings: dict[tuple[str, str, str], dict[str, Any]] = {}
    audited: dict[str, dict[str, str]] = {}
    for text, (data, error) in audits.items():
        if data is None:
            errors.append(f"{'; '.join(sets[text])}: {error}")
            continue
        for label in sets[text]:
            audited[label] = {str(d["name"]): str(d.get("version", "")) for d in data.get("dependencies", [])}
        for dependency in data.get("dependencies", []):
            for vuln in dependency.get("vulns", []):
                found = (str(dependency["name"]).lower(), str(dependency["version"]), str(vuln["id"]))
                entry = findings.setdefault(
                    found,
                    {
                        "package": found[0],
                        "version": found[1],
                        "id": found[2],
                        "aliases": sorted(vuln.get("aliases") or []),
                        "fix_versions": list(vuln.get("fix_versions") or []),
                        "description": " ".join(str(vuln.get("description") or "").split())[:300],
                        "pins": [],
                    },
                )
                entry["pins"] = sorted({*entry["pins"], *sets[text]})
    report = {
        "osv_url": osv_url,
        "audited": dict(sorted(audited.items())),
        "findings": [findings[key] for key in sorted(findings)],
        "errors": errors,
    }
    (out / "audit.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report


def _marker(report: dict[str, Any]) -> str:
    key = json.dumps([(f["package"], f["version"], f["id"], f["pins"]) for f in report["findings"]], sort_keys=True)
    return f"<!-- security-audit finding {hashlib.sha256(key.encode()).hexdigest()[:16]} -->"


def issue_body(report: dict[str, Any], run_url: str) -> str:
    """The issue: each finding, where it is pinned, and what to do."""
    lines = [
        "`pip-audit` finds published advisories for versions our dependency ranges admit"
        f" ({'[this run](' + run_url + ')' if run_url else 'the scheduled audit'}). A user installing"
        " `invoice-clients` can get these versions: raise the floor past the fix.",
        "",
        "| package | version | advisory | fixed in | pinned at |",
        "| --- | --- | --- | --- | --- |",
    ]
    for finding in report["findings"]:
        ids = ", ".join([finding["id"], *finding["aliases"]])
        fixed = ", ".join(finding["fix_versions"]) or "no fix yet"
        lines.append(
            f"| {finding['package']} | {finding['version']} | {ids} | {fixed} | {'; '.join(finding['pins'])} |"
        )
    lines += [
        "",
        "## Next steps",
        "",
        "1. In `pyproject.toml`, raise the package's floor to the fixed version (declare it as a security floor if"
        " it is only pulled in), with the advisory beside it: `(ADVISORY, fixed in VERSION)`.",
        "2. Run `nox -s deps` (both ends of every range) and `nox -s tests`; add a `changelog.d/<name>.security.md`"
        " fragment saying what users get; open a pull request.",
        "",
        "The scheduled audit updates this issue while findings change, and closes it once the pins are clean.",
        "",
        *(f"- {finding['id']}: {finding['description']}" for finding in report["findings"]),
        "",
        _marker(report),
    ]
    return "\n".join(lines) + "\n"


def issue(out: Path, environ: dict[str, str]) -> int:
    """Open, update or close the issue from ``out/audit.json``; 1 while there are findings or errors."""
    report = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    url = ""
    if environ.get("GITHUB_RUN_ID") and environ.get("GITHUB_REPOSITORY"):
        server = environ.get("GITHUB_SERVER_URL", "https://github.com")
        url = f"{server}/{environ['GITHUB_REPOSITORY']}/actions/runs/{environ['GITHUB_RUN_ID']}"
    github = GitHub(environ)
    found = github.open_issue(ISSUE_TITLE, ISSUE_LABEL)
    for error in report["errors"]:
        print(f"error: {error}", file=sys.stderr)
    if report["findings"]:
        body = out / "issue.md"
        body.write_text(issue_body(report, url), encoding="utf-8")
        if found is None:
            github.ensure_label(ISSUE_LABEL, "B60205", "raised by the scheduled dependency audit")
            print(f"opened {github.create_issue(ISSUE_TITLE, body, ISSUE_LABEL)}")
        elif _marker(report) not in found.body:
            github.edit_issue(found.number, body)
            print(f"updated issue #{found.number}")
        else:
            print(f"issue #{found.number} already says this")
        for finding in report["findings"]:
            print(f"{finding['package']} {finding['version']}: {finding['id']} ({'; '.join(finding['pins'])})")
        return 1
    if report["errors"]:
        return 1  # could not audit everything: no news is not good news
    if found is not None:
        github.close_issue(found.number, f"The pins are clean again: {url or 'the scheduled audit'}")
        print(f"closed issue #{found.number}")
    print(f"no advisory for any pin ({len(report['audited'])} sets audited)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.release.audit", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["scan", "issue"])
    parser.add_argument("--out", type=Path, default=ROOT / "audit-out", help="pins, pip-audit's JSON, audit.json")
    parser.add_argument("--osv-url", default=os.environ.get("INVOICE_CLIENTS_OSV_URL") or OSV_URL)
    args = parser.parse_args(argv)
    try:
        if args.command == "scan":
            report = scan(args.out.resolve(), args.osv_url)
            print(f"{len(report['findings'])} finding(s), {len(report['errors'])} error(s): {args.out}/audit.json")
            return 0 if report["audited"] else EXIT_FAILED
        return issue(args.out.resolve(), dict(os.environ))
    except (OSError, ValueError, KeyError, GitHubError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
