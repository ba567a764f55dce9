"""Schemathesis against the sandbox, on every patched document: ``nox -s schemathesis``.

Our tests could share the sandbox's misreadings of the specs; Schemathesis cannot.  For each API of
``specs/manifest.toml`` this patches the vendored document with its overlay (what the clients are generated
from), starts the sandbox (``invoice_clients.testing.Sandbox``, as ``invoice-clients sandbox`` serves it),
and runs the published ``st run`` CLI on the operations we use: every check, the settings of
``tests/schemathesis/schemathesis.toml`` (a fixed seed, 150 examples per operation, test data), each run
bounded in time.  The document's API is the vendor whose clients' default base URL is the document's server;
requests go to the sandbox with that vendor's key, sent as its clients send it.

It fails (exit 1) on any failure Schemathesis reports, except those an entry of
:mod:`scripts.schemathesis_allowances` covers, and on an allowance that no failure needed; exit 2 is input it
cannot use.  Run as::

    python -m scripts.schemathesis_gate [--api NAME] [--report-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.documents import load_openapi, load_overlay
from scripts.errors import ToolchainError
from scripts.manifest import ROOT, Api, load_manifest
from scripts.overlay import apply_overlay
from scripts.schemathesis_allowances import ALLOWANCES, Allowance
from scripts.schemathesis_hooks import API_VARIABLE, RECORD_VARIABLE
from scripts.yamlio import dump_yaml

__all__ = ["CONFIG", "Outcome", "main", "patched_documents", "run_api", "run_gate"]

CONFIG = ROOT / "tests" / "schemathesis" / "schemathesis.toml"
TIME_LIMIT = 600.0
"""Seconds one document's run may take (today about 40 s for Gcore, 10 s for Versori); then it is stopped."""


@dataclass(frozen=True)
class Outcome:
    """What one document's run found."""

    api: str
    cases: int
    seconds: float
    failures: Mapping[str, int]
    """Failures Schemathesis kept, by check code and title (``ST101 Server error``): each one fails the gate."""
    allowed: Mapping[str, int]
    """Failures dropped by an allowance, by allowance name."""
    problems: Sequence[str] = field(default_factory=tuple)
    """Why this run fails the gate, one line each (failures, errors, allowances no longer needed)."""

    @property
    def passed(self) -> bool:
        return not self.problems


def patched_documents(apis: Sequence[Api], directory: Path) -> dict[str, Path]:
    """Each API's vendored document patched by its overlay, written to ``directory`` (by API name)."""
    paths = {}
    for api in apis:
        document = load_openapi(api.spec_path, api.spec)
        patched, _ = apply_overlay(document, load_overlay(api.overlay_path, api.overlay), document_name=api.spec)
        paths[api.name] = directory / f"{api.name}.yaml"
        paths[api.name].write_text(dump_yaml(patched), encoding="utf-8")
    return paths


def _st() -> str:
    """The ``st`` command installed beside this Python (the nox session's), else the one on ``PATH``."""
    beside = Path(sys.executable).parent / "st"
    return str(beside) if beside.exists() else shutil.which("st") or "st"


def _vendor_of(api: Api, document: Path) -> Any:
    from invoice_clients.vendors import all_vendors

    servers = load_openapi(document, api.name).get("servers") or [{}]
    url = str(servers[0].get("url", "")).rstrip("/")
    for plugin in all_vendors():
        if plugin.default_base_url.rstrip("/") == url:
            return plugin
    raise ToolchainError(api.spec, f"no registered vendor's clients talk to this document's server {url or '(none)'}")


def _check_config(documents: Mapping[str, Path]) -> None:
    """Every ``[[project]]`` of the configuration names a document's title (else its settings silently lapse)."""
    try:
        config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ToolchainError(str(CONFIG.relative_to(ROOT)), f"cannot read it: {error}") from None
    titles = {load_openapi(path)["info"].get("title") for path in documents.values()}
    for project in config.get("project", []):
        if project.get("title") not in titles:
            raise ToolchainError(
                str(CONFIG.relative_to(ROOT)), f"[[project]] {project.get('title')!r} is the title of no document"
            )


def run_api(
    api: Api, document: Path, sandbox: Any, workdir: Path, *, allowances: Sequence[Allowance] = ALLOWANCES
) -> Outcome:
    """Run ``st run`` on ``document`` against ``sandbox`` (an ``invoice_clients.testing.Sandbox``, serving)."""
    plugin = _vendor_of(api, document)
    key = sandbox.api(plugin.name).api_key
    report, record = workdir / f"{api.name}.report.json", workdir / f"{api.name}.allowed.jsonl"
    for stale in (report, record):
        stale.unlink(missing_ok=True)
    command = [
        _st(), "--config-file", str(CONFIG), "run", str(document),
        "--url", sandbox.base_url_of(plugin.name), "--header", f"Authorization: {plugin.client.AUTH_SCHEME} {key}",
        "--checks", "all", *(f"--include-operation-id={operation}" for operation in api.operations),
        "--report", "json", "--report-json-path", str(report), "--no-color",
    ]  # fmt: skip
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "scripts.schemathesis_hooks",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        API_VARIABLE: api.name,
        RECORD_VARIABLE: str(record),
    }
    started = time.monotonic()
    try:
        # In the work directory: Schemathesis keeps caches in the current directory.
        status = subprocess.run(command, cwd=workdir, env=env, timeout=TIME_LIMIT, check=False).returncode
    except subprocess.TimeoutExpired:
        return Outcome(api.name, 0, TIME_LIMIT, {}, {}, (f"{api.name}: st run did not finish in {TIME_LIMIT:.0f} s",))
    return judge(api.name, status, report, record, time.monotonic() - started, allowances)


def judge(
    api: str, status: int, report: Path, record: Path, seconds: float, allowances: Sequence[Allowance] = ALLOWANCES
) -> Outcome:
    """The outcome of one run from its JSON report and the allowances the hooks recorded."""
    if not report.exists():
        return Outcome(api, 0, seconds, {}, {}, (f"{api}: st run exited {status} without a report",))
    data = json.loads(report.read_text(encoding="utf-8"))
    failures = {f"{item['code']} {item['title']}": int(item["count"]) for item in data.get("failures", [])}
    allowed: dict[str, int] = {}
    if record.exists():
        for line in record.read_text(encoding="utf-8").splitlines():
            name = json.loads(line)["allowance"]
            allowed[name] = allowed.get(name, 0) + 1
    problems = [f"{api}: {check} ({count})" for check, count in failures.items()]
    problems += [f"{api}: error: {error.get('title') or error}" for error in data.get("errors", [])]
    for allowance in allowances:
        if allowance.api == api and allowance.name not in allowed:
            problems.append(
                f"{api}: allowance {allowance.name} was not needed: remove it from scripts/schemathesis_allowances.py"
            )
    if status not in (0, 1) or (status and not problems):
        problems.append(f"{api}: st run exited {status}")
    cases = int(data.get("test_cases", {}).get("generated", 0))
    return Outcome(api, cases, seconds, failures, allowed, tuple(problems))


def run_gate(apis: Sequence[Api], sandbox: Any, workdir: Path) -> list[Outcome]:
    """Every API's run against ``sandbox``, in manifest order."""
    documents = patched_documents(apis, workdir)
    _check_config(documents)
    return [run_api(api, documents[api.name], sandbox, workdir) for api in apis]


def summary(outcomes: Sequence[Outcome]) -> str:
    """One line per document, then one per problem."""
    lines = []
    for outcome in outcomes:
        failures = ", ".join(f"{count} {check}" for check, count in outcome.failures.items()) or "0 failures"
        allowed = ", ".join(f"{name} ({count})" for name, count in outcome.allowed.items()) or "none"
        lines.append(
            f"schemathesis: {outcome.api}: {outcome.cases} cases in {outcome.seconds:.0f} s, {failures}; "
            f"allowed: {allowed}"
        )
    lines += [f"error: {problem}" for outcome in outcomes for problem in outcome.problems]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.schemathesis_gate", description=__doc__.splitlines()[0])
    parser.add_argument("--api", help="only this API of specs/manifest.toml")
    parser.add_argument("--report-dir", type=Path, help="keep the patched documents and reports here")
    args = parser.parse_args(argv)
    from invoice_clients.testing import Sandbox

    try:
        apis = load_manifest().select(args.api)
        with tempfile.TemporaryDirectory(prefix="schemathesis-") as scratch, Sandbox() as sandbox:
            workdir = args.report_dir or Path(scratch)
            workdir.mkdir(parents=True, exist_ok=True)
            outcomes = run_gate(apis, sandbox, workdir.resolve())
    except ToolchainError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(summary(outcomes))
    return 0 if all(outcome.passed for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
