"""Spec drift: has upstream changed anything this client depends on?  (``nox -s spec-drift``)

    python -m scripts.drift [--api NAME] [--upstream URL_OR_FILE] [--format markdown|json]
                            [--report FILE] [--json-report FILE] [--write]
    python -m scripts.drift --base OLD --upstream NEW [--operation ID ...]   # any two documents
    python -m scripts.drift [--api NAME] --history DIR_OR_ARCHIVE          # a series of revisions

For each API in ``specs/manifest.toml`` (or the one named) fetch the upstream
document, or ``--upstream`` (a URL or a local file; a whole aggregated document
is fine), and report what changed in the manifest's operations and everything
they reference, whether each change breaks a client of them, and which overlay
actions no longer fit.  The work is in :mod:`scripts.drift_check`; this module
is the command line.

Exit status: 0 nothing relevant changed; 1 non-breaking changes only (or
overlay actions to tidy); 2 breaking changes; 3 the check could not run
(unreachable URL, HTTP error, malformed document), with a one-line reason on
stderr.  ``--write`` absorbs the change (:mod:`scripts.drift_write`) and keeps
the check's status, or exits 3 having changed nothing if the write failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from scripts.drift_check import EXIT_FAILED, DriftReport, compare_documents, run
from scripts.drift_history import history_main
from scripts.drift_report import render
from scripts.drift_write import write
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
        help="replay the revisions in this directory or .tar.xz/.tar.gz (name order) and print the timeline",
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
        return history_main(args.root, args.api, args.history, args.format, args.report)
    try:
        if args.base is not None:
            report = compare_documents(args.base, args.upstream, tuple(args.operation))
        else:
            report = run(args.root, args.api, args.upstream)
    except ToolchainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    rendered = render(report, args.format)
    print(rendered, end="")
    for path, text in ((args.report, rendered), (args.json_report, render(report, "json"))):
        if path is None:
            continue
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"error: {path}: cannot write the report: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_FAILED
    # With --format json the report must stay the only thing on stdout: the account of the write goes to stderr.
    if args.write and not _absorb(report, args.root, sys.stderr if args.format == "json" else sys.stdout):
        return EXIT_FAILED
    return report.exit_status


def _absorb(report: DriftReport, root: Path, out: TextIO) -> bool:
    """Run ``--write`` for the APIs that need it, telling ``out`` what happened; False if it failed."""
    absorb = [api for api in report.apis if api.relevant]
    if not absorb:
        print("\n--write: nothing to absorb, no relevant change", file=out)
        return True
    try:
        outcome = write(absorb, root)
    except ToolchainError as exc:
        print(f"error: --write: {exc}; nothing was changed", file=sys.stderr)
        return False
    names = ", ".join(api.api for api in absorb)
    print(f"\n--write: vendored the upstream selection of {names}; generated/ changes:", file=out)
    print(f"{outcome.summary}\n\n{outcome.diff}" if outcome.changed else "no changes", file=out, end="\n")
    return True


if __name__ == "__main__":
    sys.exit(main())
