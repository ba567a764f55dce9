"""Sessions for maintainers and CI.  Each is a thin wrapper around ``scripts/``.

nox -s regenerate   # specs + overlays -> generated/, then show the diff
nox -s check        # CI drift gate: generated/ is what the inputs produce
nox -s spec-drift   # has upstream changed anything we use? (-- --write absorbs it)
nox -s tests        # the test suite, on each supported CPython found (nox -s tests-3.12: one)
nox -s deps         # runtime dependencies at their lowest and newest versions: the package's own tests
nox -s rehearsal    # the spec-drift loop offline: the workflow's own steps, and its pull request merged
nox -s lint         # ruff + mypy --strict on hand-written code, the import contracts
nox -s bench        # benchmarks, as ratios (bench-results.json)
nox -s contract     # the facade against Stoplight Prism (npm ci of the pinned Prism)
nox -s schemathesis # the sandbox against Schemathesis on every patched document
nox -s demo         # the command line against the offline sandbox: no account needed
nox -s mutants      # mutation testing of the core (mutmut): would the tests notice a bug?
nox -s docs         # the documentation site and API reference, built strictly into site/
nox -s release      # build the sdist and wheel once, check them, the README's tour on each Python (-- prepare)
nox -s api          # the public API against the last release's (-- --refresh: accept it as it is)
nox -s audit        # the runtime pins, lowest and highest, against an advisory database (pip-audit)
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).resolve().parent))  # nox runs this file by path: make scripts/ importable
from scripts.pythons import expose, supported

nox.needs_version = ">=2025.5.1"
# uv when it is installed (much faster), else virtualenv, chosen here.  Without uv, nox still probes for it
# while choosing a backend and logs "uv binary not found." in every session: noise for a newcomer who
# followed the contributors' quickstart (pip install nox), so that one notice is filtered out.
HAS_UV = shutil.which("uv") is not None
nox.options.default_venv_backend = "uv" if HAS_UV else "virtualenv"


class _Quieter(logging.Filter):
    """Drops nox's notices that the docs already explain (a missing uv; that CI fails on a missing Python)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (("uv binary not found" in message and not HAS_UV) or "Missing interpreters will error" in message)


logging.getLogger("nox").addFilter(_Quieter())
nox.options.reuse_venv = "yes"
nox.options.sessions = ["check", "lint", "tests"]
# A supported Python that is not on the machine is skipped (one line), or fails the run when CI is set: it is
# never downloaded (uv would fetch one from the network).
nox.options.download_python = "never"

PYPROJECT = nox.project.load_toml("pyproject.toml")
CODEGEN = nox.project.dependency_groups(PYPROJECT, "codegen")
TEST = nox.project.dependency_groups(PYPROJECT, "test")
# pytest-xdist: one worker per core (most tests wait on subprocesses and sockets); `-- -n 0` runs serially.
PARALLEL = ("-n", "auto")
PYTHONS = supported(PYPROJECT)
"""The supported CPythons (pyproject's classifiers), oldest first."""
_LAUNCHERS = Path(".nox", ".pythons").resolve()
if expose(PYTHONS, _LAUNCHERS):  # pyenv's versions, runnable by name (see scripts/pythons.py)
    os.environ["PATH"] = f"{_LAUNCHERS}{os.pathsep}{os.environ.get('PATH', '')}"
TOOLCHAIN_SUITES = ("toolchain", "drift", "release")
"""The maintainers' toolchain's suites, which the middle Pythons' tests sessions leave to the corners."""
PACKAGE_SUITES = ("http", "model", "paging", "clients", "files", "testing", "vendors/gcore", "vendors/versori",
                  "vendors/test_wire_structs.py", "cli")  # fmt: skip
"""The package's own tests (tests/ mirrors src/invoice_clients/), which nox -s deps runs: all but the third vendor's
(it needs the code generator) and the property tests (drawn inputs: 50 s serially; every tests-3.X runs them)."""
DEPS_MATRIX = list(
    dict.fromkeys([(PYTHONS[0], "lowest-direct"), (PYTHONS[-1], "lowest-direct"), (PYTHONS[-1], "highest")])
)
"""The deps sessions: the floors on the oldest and the newest Python, the newest versions on the newest."""
_TOOLCHAIN_PYTHON = {"INVOICE_CLIENTS_NOX_PYTHON": sys.executable}
"""Tests that load the noxfile run it with nox's own interpreter (nox is not in the test group: it pins attrs)."""
WORKFLOWS = sorted(str(path) for path in Path(".github/workflows").glob("*.yml"))
"""Every workflow, for actionlint (zizmor reads the directory)."""
GRIFFE = [r for r in nox.project.dependency_groups(PYPROJECT, "lint") if r.startswith("griffelib")]
"""griffe alone (the lint group's pin), for the API check and its snapshot."""
IMPORT_LINTER = [r for r in nox.project.dependency_groups(PYPROJECT, "lint") if r.startswith("import-linter")]
"""import-linter alone (the lint group's pin), for the contracts' own test (tests/test_layers.py); not in the test
group, since it needs rich >= 14.2, above the runtime's floor that nox -s deps installs."""


@nox.session
def regenerate(session: nox.Session) -> None:
    """Regenerate generated/ from specs/ + overlays/ and print what changed."""
    session.install(*CODEGEN)
    session.run("python", "-m", "scripts.regenerate", *session.posargs)


@nox.session
def check(session: nox.Session) -> None:
    """Fail with the diff if generated/ is not exactly what specs/ + overlays/ produce."""
    session.install(*CODEGEN)
    session.run("python", "-m", "scripts.regenerate", "--check", *session.posargs)


@nox.session(name="spec-drift")
def spec_drift(session: nox.Session) -> None:
    """Compare vendored specs with upstream; fails on breaking changes (2) or if it cannot run (3)."""
    session.install(*CODEGEN)
    session.run("python", "-m", "scripts.drift", *session.posargs, success_codes=[0, 1])


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite (toolchain and clients) against the installed package, on each supported Python.

    The maintainers' toolchain (tests/toolchain, tests/drift, tests/release) runs on the oldest and the newest
    Python only: a third of the suite's time, and what the two corners pass the middle passes.
    """
    session.install("-e", ".", *CODEGEN, *TEST, *nox.project.dependency_groups(PYPROJECT, "bench"), *IMPORT_LINTER)
    ignore = ["--ignore=tests/contract", "--ignore=tests/schemathesis", "--ignore=tests/rehearsal"]
    if session.python not in (PYTHONS[0], PYTHONS[-1]) and not session.posargs:
        ignore += [f"--ignore=tests/{suite}" for suite in TOOLCHAIN_SUITES]
    session.run("pytest", *PARALLEL, *ignore, *session.posargs, env=_TOOLCHAIN_PYTHON)


@nox.session(venv_backend="uv", default=False)
@nox.parametrize(("python", "resolution"), DEPS_MATRIX)
def deps(session: nox.Session, resolution: str) -> None:
    """Runtime dependencies at the lowest (or newest) versions their ranges allow; the package's own tests.

    The floors on the oldest and the newest supported Python; the newest versions (httpx's too, which the code
    generator caps in tests-3.X) on the newest Python.
    """
    pins = Path(session.create_tmp()) / f"runtime-{resolution}.txt"
    pins.unlink(missing_ok=True)  # uv would take an earlier run's pins as preferences
    python = f"--python-version={session.python}"
    compile_ = ["uv", "pip", "compile", "-q", "pyproject.toml", f"--resolution={resolution}", python, "-o", str(pins)]
    session.run_install(*compile_, external=True)
    session.install("-c", str(pins), "-e", ".", *TEST)
    session.run("python", "-m", "scripts.deps", "report", str(pins))
    suites = session.posargs or [f"tests/{suite}" for suite in PACKAGE_SUITES]
    leave_out = [] if session.posargs else ["--ignore=tests/model/test_facade_parsing.py"]
    session.run("pytest", *PARALLEL, *suites, *leave_out, env=_TOOLCHAIN_PYTHON)


@nox.session
def rehearsal(session: nox.Session) -> None:
    """Rehearse the spec-drift loop: the workflow's run: steps case by case, then its pull request merged."""
    session.install("-e", ".", *CODEGEN, *TEST)
    session.run("pytest", *PARALLEL, "tests/rehearsal", *session.posargs, env=_TOOLCHAIN_PYTHON)


@nox.session
def contract(session: nox.Session) -> None:
    """Contract tests: the facade against Stoplight Prism mocking each patched spec."""
    session.install("-e", ".", *CODEGEN, *nox.project.dependency_groups(PYPROJECT, "test"))
    prism = _install_prism(session)
    env = {"PRISM_BIN": str(prism), "INVOICE_CLIENTS_REQUIRE_PRISM": "1"}
    session.run("pytest", "tests/contract", *session.posargs, env=env)


@nox.session
def demo(session: nox.Session) -> None:
    """Run `invoice-clients demo`: the sandbox on loopback and the CLI against it."""
    session.install(".")
    session.run("invoice-clients", "demo", *session.posargs)


@nox.session
def schemathesis(session: nox.Session) -> None:
    """The sandbox against the pinned Schemathesis on every patched document, then the gate's own tests."""
    session.install("-e", ".", *CODEGEN, *nox.project.dependency_groups(PYPROJECT, "schemathesis"))
    session.run("python", "-m", "scripts.schemathesis_gate", *session.posargs)
    session.run("pytest", "tests/schemathesis", "-p", "no:schemathesis")


def _install_prism(session: nox.Session) -> Path:
    """npm ci the pinned Prism into nox's cache, once per lockfile version."""
    lock = Path("tests/contract/prism")
    prefix = Path(session.cache_dir) / "prism"
    binary = prefix / "node_modules" / ".bin" / "prism"
    installed_lock = prefix / "package-lock.json"
    if not binary.exists() or installed_lock.read_bytes() != (lock / "package-lock.json").read_bytes():
        prefix.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(lock / name, prefix / name)
        session.run("npm", "ci", "--no-audit", "--no-fund", "--prefix", str(prefix), external=True)
    return binary


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks side by side (listing, parsing, memory, toolchain); writes bench-results.json."""
    session.install("-e", ".", *CODEGEN, *nox.project.dependency_groups(PYPROJECT, "bench"))
    session.run("python", "-m", "benchmarks.bench", *session.posargs)


@nox.session(default=False)
def mutants(session: nox.Session) -> None:
    """Mutation testing of the core (mutmut): a score per module, failing below its threshold (not in `tests`)."""
    groups = (*nox.project.dependency_groups(PYPROJECT, "test"), *nox.project.dependency_groups(PYPROJECT, "mutants"))
    session.install("-e", ".", *groups)
    session.run("python", "-m", "scripts.mutants", "--work", session.create_tmp(), *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation site and the API reference (mkdocs --strict): a broken link or reference fails it."""
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "docs"))
    session.run("mkdocs", "build", "--strict", "--clean", *session.posargs, env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff (lint + format check), mypy --strict, the import contracts, the GitHub workflows (zizmor, actionlint),
    deptry, the public API."""
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")
    session.run("lint-imports", "--no-cache")  # [tool.importlinter]: the layers, one way
    session.run("zizmor", "--offline", ".github/workflows")
    session.run("actionlint", *WORKFLOWS)
    session.run("deptry", "src", "generated")  # the wheel's imports against [project] dependencies
    session.run("python", "-m", "scripts.release.api")  # the public API against the last release's


@nox.session(default=False)
def api(session: nox.Session) -> None:
    """The public API against the last release's snapshot (griffe); `-- --refresh` accepts the API as it is now."""
    session.install(*GRIFFE)
    session.run("python", "-m", "scripts.release.api", *session.posargs)


@nox.session(default=False)
def release(session: nox.Session) -> None:
    """Build the sdist and wheel once into dist/ and check them as the release workflow does.

    `-- prepare [X.Y.Z]` cuts a release instead: CHANGELOG.md from changelog.d/, _version.py, the API snapshot.
    """
    if session.posargs[:1] == ["prepare"]:
        session.install(*GRIFFE)
        session.run("python", "-m", "scripts.release.changelog", "prepare", *session.posargs[1:])
        session.run("python", "-m", "scripts.release.api", "--refresh")
        return
    session.install(*nox.project.dependency_groups(PYPROJECT, "release"))
    session.run("python", "-m", "scripts.release.artifacts", *session.posargs)


@nox.session(python=PYTHONS[0], default=False, venv_backend="uv")
def audit(session: nox.Session) -> None:
    """The runtime pins at lowest-direct and highest, on the oldest and newest Python, against pip-audit's database."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "audit"))
    session.run("python", "-m", "scripts.release.audit", "scan", *session.posargs)
