"""Sessions for maintainers and CI.  Each is a thin wrapper around ``scripts/``.

nox -s regenerate   # specs + overlays -> generated/, then show the diff
nox -s check        # CI drift gate: generated/ is what the inputs produce
nox -s spec-drift   # has upstream changed anything we use? (-- --write absorbs it)
nox -s tests        # the test suite
nox -s lint         # ruff + mypy --strict on hand-written code
nox -s bench        # benchmarks, as ratios (bench-results.json)
nox -s contract     # the facade against Stoplight Prism (npm ci of the pinned Prism)
nox -s demo         # the command line against the offline sandbox: no account needed
nox -s mutants      # mutation testing of the core (mutmut): would the tests notice a bug?
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
# uv when it is installed (much faster), else virtualenv, chosen here.  Without uv, nox still probes for it
# while choosing a backend and logs "uv binary not found." in every session: noise for a newcomer who
# followed the README (pip install nox), so that one notice is filtered out.
HAS_UV = shutil.which("uv") is not None
nox.options.default_venv_backend = "uv" if HAS_UV else "virtualenv"


class _NoUvNotice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "uv binary not found" not in record.getMessage()


if not HAS_UV:
    logging.getLogger("nox").addFilter(_NoUvNotice())
nox.options.reuse_venv = "yes"
nox.options.sessions = ["check", "lint", "tests"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
CODEGEN = nox.project.dependency_groups(PYPROJECT, "codegen")


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


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (toolchain and clients) against the installed package."""
    groups = (*nox.project.dependency_groups(PYPROJECT, "test"), *nox.project.dependency_groups(PYPROJECT, "bench"))
    session.install("-e", ".", *CODEGEN, *groups)
    session.run("pytest", "--ignore=tests/contract", *session.posargs)


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
def lint(session: nox.Session) -> None:
    """Ruff (lint + format check), mypy --strict, and the GitHub workflows (zizmor, actionlint)."""
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")
    session.run("zizmor", "--offline", ".github/workflows")
    session.run("actionlint", ".github/workflows/ci.yml", ".github/workflows/spec-drift.yml")
