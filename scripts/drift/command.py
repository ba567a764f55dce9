"""Spec drift: has upstream changed anything this client depends on?  (``nox -s spec-drift``)

    python -m scripts.drift [--api NAME] [--upstream URL_OR_FILE] [--format markdown|json]
                            [--report FILE] [--json-report FILE] [--write]
    python -m scripts.drift --base OLD --upstream NEW [--operation ID ...]   # any two documents
    python -m scripts.drift [--api NAME] --history DIR_OR_ARCHIVE [--against-vendored]   # a changelog

For each API in ``specs/manifest.toml`` (or the one named) fetch the upstream
document, or ``--upstream`` (a URL or a local file; a whole aggregated document
is fine), and report what changed in the manifest's operations and everything
they reference, whether each change breaks a client of them, and which overlay
actions no longer fit.  The work is in :mod:`scripts.drift.check`; this module
is the command line.

Exit status, the worst of the APIs checked: 0 nothing relevant changed; 1
non-breaking changes only (or overlay actions to tidy); 2 breaking changes; 3
an API could not be checked (unreachable URL, HTTP error, malformed document),
with a one-line reason on stderr, while every other API is still checked and
reported.  ``--write`` absorbs each API it could check
(:mod:`scripts.drift.write`) and keeps the check's status, or exits 3: for an
API whose overlay has actions that match nothing upstream now (overlay rot: one
error line per action, naming its file and line and the upstream change at that
place; that API is left as it was), or when the write failed (nothing changed).
The error lines also go into ``--json-report`` (``errors``), with what the write
did (``write``): nox, which runs this in CI, merges stderr into stdout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from scripts.drift.check import EXIT_FAILED, DriftReport, compare_documents, run
from scripts.drift.history import history_main
from scripts.drift.report import WriteOutcome, render, render_failure, render_json
from scripts.drift.write import write
from scripts.errors import ToolchainError
from scripts.manifest import ROOT

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="drift.py", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--api", help="check only this API (a name from specs/manifest.toml)")
    parser.add_argument("--upstream", help="a URL or local file to read instead of the manifest's upstream URL")
    parser.add_argument("--format", choices=("markdown", "json"), default="markdown", help="report format")
    parser.add_argument("--report", type=Path, help="also write the report to this file")
    parser.add_argument("--json-report", type=Path, help="also write the JSON report to this file")
    parser.add_argument("--write", action="store_true", help="vendor the upstream selection and regenerate")
    parser.add_argument("--base", help="compare this document (URL or file) with --upstream, without the manifest")
    parser.add_argument(
        "--operation",
        action="append",
        default=[],
        help="with --base: an operationId, or METHOD /path (repeatable; all operations when none)",
    )
    parser.add_argument(
        "--history",
        type=Path,
        help="the changelog of the revisions in this directory or .tar.xz/.tar.gz (name order), each against the one"
        " before it",
    )
    parser.add_argument(
        "--against-vendored",
        action="store_true",
        help="with --history: judge every revision against the vendored spec instead",
    )
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.base is not None and (args.upstream is None or args.api or args.write or args.history):
        parser.error("--base needs --upstream, and goes without --api, --write and --history")
    if args.operation and args.base is None:
        parser.error("--operation goes with --base (the manifest names each API's operations)")
    if args.history is not None:
        if args.upstream or args.write:
            parser.error("--history goes without --upstream and --write")
        return history_main(args.root, args.api, args.history, args.format, args.report, vendored=args.against_vendored)
    if args.against_vendored:
        parser.error("--against-vendored goes with --history")
    try:
        if args.base is not None:
            report = compare_documents(args.base, args.upstream, tuple(args.operation))
        else:
            report = run(args.root, args.api, args.upstream)
    except ToolchainError as exc:
        errors = [f"error: {exc}"]
        print(errors[0], file=sys.stderr)
        _save(args.json_report, render_failure(errors))
        return EXIT_FAILED
    errors = [f"error: {line}" for line in report.errors]
    for line in errors:
        print(line, file=sys.stderr)
    checked = [api for api in report.apis if not api.error]
    rendered = render(report, args.format)
    if checked:  # when nothing could be checked, the error lines say it all
        print(rendered, end="")
    outcome = WriteOutcome()
    if args.write:
        # With --format json the report must stay the only thing on stdout: the account of the write goes to stderr.
        outcome = _absorb(report, args.root, sys.stderr if args.format == "json" else sys.stdout)
        errors += outcome.errors
    status = max(report.exit_status, EXIT_FAILED if outcome.errors else 0)
    for path, text in (
        (args.report, rendered),
        (args.json_report, render_json(report, errors=errors, write=outcome if args.write else None, status=status)),
    ):
        if path is not None and not _save(path, text):
            return EXIT_FAILED
    return status


def _save(path: Path | None, text: str) -> bool:
    """Write a report file (if one was asked for); False, with an error line, if it cannot be written."""
    if path is None:
        return True
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"error: {path}: cannot write the report: {exc.strerror or exc}", file=sys.stderr)
        return False
    return True


def _absorb(report: DriftReport, root: Path, out: TextIO) -> WriteOutcome:
    """Run ``--write`` for the APIs that need it and can take it, telling ``out`` what happened.

    An API whose overlay has actions that match nothing upstream now is refused (the strict overlay of the
    regeneration would fail): one error line per such action, naming its file and line.
    """
    outcome = WriteOutcome()
    for api in report.apis:
        for rot in api.rot:
            outcome.refused.setdefault(api.api, [])
            line = f"error: --write: {rot.place}: target {rot.target} matches nothing upstream now"
            cause = "; ".join(change.message.split(";")[0] for change in rot.related) or "no change we see explains it"
            outcome.errors.append(f"{line} (upstream: {cause}); {api.api} was not changed")
            outcome.refused[api.api].append(rot.place)
    for line in outcome.errors:
        print(line, file=sys.stderr)
    absorb = [api for api in report.apis if api.relevant and not api.error and api.api not in outcome.refused]
    if not absorb:
        if not outcome.refused:
            print("\n--write: nothing to absorb, no relevant change", file=out)
        return outcome
    try:
        written = write(absorb, root)
    except ToolchainError as exc:
        line = f"error: --write: {exc}; nothing was changed"
        print(line, file=sys.stderr)
        outcome.errors.append(line)
        return outcome
    outcome.absorbed = [api.api for api in absorb]
    names = ", ".join(outcome.absorbed)
    print(f"\n--write: vendored the upstream selection of {names}; generated/ changes:", file=out)
    print(f"{written.summary}\n\n{written.diff}" if written.changed else "no changes", file=out, end="\n")
    return outcome


if __name__ == "__main__":
    sys.exit(main())
