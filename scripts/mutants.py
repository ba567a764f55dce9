"""Mutation testing of the core (``nox -s mutants``): would the tests notice a bug?

    python -m scripts.mutants [--only NAME ...] [--work DIR] [--max-children N] [--toml]

For each module of :data:`scripts.mutant_targets.TARGETS`, mutmut makes small changes to the code (``<`` for
``<=``, ``None`` for a value, a string altered...), each a *mutant*, and runs the module's tests against each:
a mutant no test fails on is a bug the suite would ship.  Each target runs in a fresh copy of ``src/`` and
``tests/`` (and of ``scripts/`` and ``generated/``, which tests read) under ``--work`` (the generated clients
copied in, not linked), configured by a ``[tool.mutmut]`` table written there, so the repository itself is
never touched.

The table gives per module: mutants, killed (a test failed, or stopped ending), survived (no test noticed,
and not listed as equivalent), equivalent (survivors listed, with a reason, in ``tests/equivalent_mutants.toml``),
and the score, (killed + equivalent) / mutants.  Survivors not listed are printed with their change, and
``--toml`` prints an entry to review for each.

Exit status: 0 every module at or above its threshold; 1 a module below it, an entry of the equivalents file
that matches no survivor (stale), or a mutant mutmut could not judge; 3 the run itself failed (a one-line
reason on stderr, mutmut's log kept under ``--work``).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Sequence
from pathlib import Path

from scripts.errors import ToolchainError
from scripts.manifest import ROOT
from scripts.mutant_review import (
    KILLED,
    SURVIVED,
    Equivalent,
    Mutant,
    Score,
    load_equivalents,
    mutation_of,
    render_table,
    score,
    toml_entry,
)
from scripts.mutant_targets import EQUIVALENTS, MUTMUT_VERSION, TARGETS, Target

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 3
_READ_BY_TESTS = ("scripts", "generated")
"""Copied beside ``src/`` and ``tests/``, and into mutmut's own copy: what tests read (the toolchain's modules,
the effective specs)."""
_COPY_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".hypothesis", ".mypy_cache")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="mutants.py", description=(__doc__ or "").split("\n\n")[0])
    names = [target.name for target in TARGETS]
    parser.add_argument("--only", action="append", choices=names, help="run this module only (repeatable)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "mutants", help="scratch directory")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2, help="mutmut's parallel workers")
    parser.add_argument("--toml", action="store_true", help="print an equivalents entry for each unlisted survivor")
    parser.add_argument(
        "--no-run", action="store_true", help="judge the results of the last run in --work again, without mutmut run"
    )
    args = parser.parse_args(argv)
    targets = [target for target in TARGETS if not args.only or target.name in args.only]
    try:
        return _run(targets, args.work.resolve(), args.max_children, rerun=not args.no_run, print_toml=args.toml)
    except ToolchainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR


def _run(targets: Sequence[Target], work: Path, max_children: int, *, rerun: bool, print_toml: bool) -> int:
    installed = importlib.metadata.version("mutmut")
    if installed != MUTMUT_VERSION:
        raise ToolchainError("mutmut", f"version {installed} is installed, {MUTMUT_VERSION} is pinned")
    mutmut = shutil.which("mutmut", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if mutmut is None:
        raise ToolchainError("mutmut", "no mutmut command beside this Python or on PATH")
    equivalents = load_equivalents(EQUIVALENTS)
    known = {target.name for target in TARGETS}
    for entry in equivalents:
        if entry.target not in known:
            raise ToolchainError(entry.where, f"unknown target {entry.target!r} (one of {', '.join(sorted(known))})")
    print(f"mutmut {installed}, {max_children} workers, scratch copies in {work}", flush=True)
    started = time.monotonic()
    scores: list[Score] = []
    used: list[Equivalent] = []
    broken: list[str] = []
    for target in targets:
        target_started = time.monotonic()
        directory = work / target.name
        try:
            if rerun:
                _mutate(target, directory, mutmut, max_children)
            mutants = _collect(target, directory, mutmut)
        except ToolchainError as exc:  # the other modules' results are still worth having
            print(f"  {target.name}: error: {exc}", file=sys.stderr, flush=True)
            broken.append(target.name)
            continue
        result, matched = score(target.name, mutants, equivalents, target.threshold)
        if rerun and (suspects := _killed_equivalents(target, directory, mutants, equivalents, matched)):
            # A listed equivalent killed: by a test, or by a flaky one (a timing test on a loaded machine).
            # Only a second kill makes its entry stale.
            print(f"  {target.name}: {len(suspects)} listed equivalent(s) killed: running them again", flush=True)
            _mutmut(mutmut, directory, "run", "--max-children", str(max_children), *suspects)
            mutants = _collect(target, directory, mutmut)
            result, matched = score(target.name, mutants, equivalents, target.threshold)
        scores.append(result)
        used += matched
        took = _minutes(time.monotonic() - target_started)
        print(f"  {target.name}: {result.mutants} mutants, score {result.value:.1%} ({took})", flush=True)
    ran = {s.target for s in scores}
    stale = [entry for entry in equivalents if entry.target in ran and entry not in used]
    print()
    print(render_table(scores))
    _report(scores, stale, print_toml=print_toml)
    print(f"\nmutation testing took {_minutes(time.monotonic() - started)}")
    if broken:
        print(f"error: mutmut could not run for {', '.join(broken)} (see above)", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK if all(s.passed for s in scores) and not stale else EXIT_FAILED


def _report(scores: Sequence[Score], stale: Sequence[Equivalent], *, print_toml: bool) -> None:
    survivors = [(s.target, mutant) for s in scores for mutant in s.survived]
    if survivors:
        print(f"\nsurvivors not listed in {EQUIVALENTS.relative_to(ROOT)}: kill each with a test, or review it")
        for target, mutant in survivors:
            reach = " (no selected test reaches it)" if mutant.status == "no tests" else ""
            print(f"  {target}  {mutant.function}{reach}  [mutmut show {mutant.name}]")
            for line in mutant.was.splitlines():
                print(f"    - {line}")
            for line in mutant.now.splitlines():
                print(f"    + {line}")
    for s in scores:
        for mutant in s.unexpected:
            print(f"  {s.target}: mutmut could not judge {mutant.name} ({mutant.status})")
    if stale:
        print("\nstale equivalents (they match no surviving mutant: remove them, or fix what changed):")
        for entry in stale:
            print(f"  {entry.where}")
    if print_toml and survivors:
        print()
        print("\n\n".join(toml_entry(target, mutant) for target, mutant in survivors))


_ENV = {**os.environ, "PYTHONHASHSEED": "0"}
"""mutmut hands each mutant its tests from a set: a fixed hash seed runs them in the same order every time."""


def _mutate(target: Target, directory: Path, mutmut: str, max_children: int) -> None:
    """``mutmut run`` for ``target`` in a fresh scratch copy of the project, its output kept in ``mutmut.log``."""
    for path in (target.module, *target.tests):
        if not (ROOT / path.partition("::")[0]).is_file():
            raise ToolchainError(f"scripts/mutant_targets.py: {target.name}", f"no file {path}")
    _prepare(target, directory)
    log = directory / "mutmut.log"
    with log.open("w", encoding="utf-8") as out:
        run = subprocess.run(
            [mutmut, "run", "--max-children", str(max_children)],
            cwd=directory,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_ENV,
            check=False,
        )
    if run.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").replace("\r", "\n").strip().splitlines()[-15:]
        print("\n".join(tail), file=sys.stderr)
        raise ToolchainError(str(log), f"mutmut run exited with {run.returncode}")


def _collect(target: Target, directory: Path, mutmut: str) -> list[Mutant]:
    """Every mutant of the last run in ``directory``, with its status (and its change, if it lived)."""
    if not (directory / "mutants").is_dir():
        raise ToolchainError(str(directory), "no mutmut run to judge here")
    statuses = {}
    for line in _mutmut(mutmut, directory, "results", "--all", "true").splitlines():
        name, separator, status = line.strip().rpartition(": ")
        if separator:
            statuses[name] = status
    if not statuses:
        raise ToolchainError(str(directory), f"mutmut reported no mutant for {target.module}")
    diffs = _diffs(directory, [name for name, status in statuses.items() if status in SURVIVED])
    return [Mutant(name, status, *mutation_of(diffs.get(name, ""))) for name, status in statuses.items()]


_SHOW_EACH = """
import sys
from mutmut.__main__ import cli
for name in sys.argv[1:]:
    print("\\0" + name, flush=True)
    cli.main(["show", name], standalone_mode=False)
"""
"""``mutmut show NAME`` for each name, in one process: a process per survivor would cost seconds each."""


def _diffs(directory: Path, names: Sequence[str]) -> dict[str, str]:
    """mutmut's diff of each named mutant."""
    if not names:
        return {}
    done = subprocess.run(
        [sys.executable, "-c", _SHOW_EACH, *names], cwd=directory, capture_output=True, text=True, env=_ENV, check=False
    )
    if done.returncode != 0:
        raise ToolchainError("mutmut show", (done.stderr.strip().splitlines() or ["failed"])[-1])
    diffs = {}
    for section in done.stdout.split("\0")[1:]:
        name, _, diff = section.partition("\n")
        diffs[name] = diff
    return diffs


def _killed_equivalents(
    target: Target,
    directory: Path,
    mutants: Sequence[Mutant],
    equivalents: Sequence[Equivalent],
    matched: list[Equivalent],
) -> list[str]:
    """Killed mutants of ``target`` that a listed equivalent (unmatched so far) describes."""
    unmatched = [entry for entry in equivalents if entry.target == target.name and entry not in matched]
    functions = {entry.function for entry in unmatched}
    killed = [mutant.name for mutant in mutants if mutant.status in KILLED and mutant.function in functions]
    diffs = _diffs(directory, killed)
    return [
        name
        for name in killed
        if any(entry.matches(target.name, Mutant(name, "survived", *mutation_of(diffs[name]))) for entry in unmatched)
    ]


def _prepare(target: Target, directory: Path) -> None:
    """A scratch project: ``src/`` (symbolic links followed), ``tests/``, and pyproject with mutmut's table."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    shutil.copytree(ROOT / "src", directory / "src", ignore=_COPY_IGNORE)
    for tree in ("tests", *_READ_BY_TESTS):
        shutil.copytree(ROOT / tree, directory / tree, ignore=_COPY_IGNORE)
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if "mutmut" in tomllib.loads(pyproject).get("tool", {}):
        raise ToolchainError("pyproject.toml", "[tool.mutmut] is written by scripts/mutants.py: remove it")
    config = [
        "",
        "[tool.mutmut]",
        'source_paths = ["src"]',
        f"only_mutate = [{_quoted(target.module)}]",
        f"pytest_add_cli_args_test_selection = [{', '.join(map(_quoted, (*target.tests, *target.pytest_args)))}]",
        'pytest_add_cli_args = ["-p", "mutant_order"]',
        f"also_copy = [{', '.join(map(_quoted, ('mutant_order.py', *_READ_BY_TESTS)))}]",
        "use_git_change_detection = false",
        "",
    ]
    (directory / "pyproject.toml").write_text(pyproject + "\n".join(config), encoding="utf-8")
    (directory / "mutant_order.py").write_text(_ORDER_PLUGIN.format(files=list(target.tests)), encoding="utf-8")


_ORDER_PLUGIN = '''"""Written by scripts/mutants.py: a mutant's tests run file by file in the order of the selection.

mutmut hands a mutant its tests as a set, in no useful order; the selections list their quickest, most pointed
files first, so that the test that kills a mutant (pytest -x stops there) tends to come early.
"""

FILES = {files!r}


def pytest_collection_modifyitems(items):
    rank = {{name: index for index, name in enumerate(FILES)}}
    items.sort(key=lambda item: rank.get(item.nodeid.partition("::")[0], len(FILES)))
'''


def _mutmut(mutmut: str, directory: Path, *args: str) -> str:
    done = subprocess.run([mutmut, *args], cwd=directory, capture_output=True, text=True, env=_ENV, check=False)
    if done.returncode != 0:
        raise ToolchainError(f"mutmut {' '.join(args)}", (done.stderr.strip().splitlines() or ["failed"])[-1])
    return done.stdout


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


if __name__ == "__main__":
    sys.exit(main())
