"""What a user gets from ``pip install``: a licence file, declared dependencies, quiet nox sessions."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from scripts.manifest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SHIPPED = [ROOT / "src" / "invoice_clients", ROOT / "generated"]


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_the_licence_the_metadata_names_is_shipped() -> None:
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "invoice-clients contributors" in text
    assert "LICENSE" in PYPROJECT["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]


def _imported_modules(path: Path) -> set[str]:
    """Top-level names of absolute imports, ignoring those in a ``try`` (optional or fallback imports)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    optional = {id(node) for stmt in ast.walk(tree) if isinstance(stmt, ast.Try) for node in ast.walk(stmt)}
    names = set()
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_every_third_party_import_is_a_declared_dependency() -> None:
    """``rich`` was imported by the CLI but only arrived through typer's dependencies."""
    own = {"invoice_clients", "gcore_billing_client", "versori_organisations_client"}
    imported: set[str] = set()
    for root in SHIPPED:
        for path in root.rglob("*.py"):
            imported |= _imported_modules(path)
    third_party = {name for name in imported - own if name not in sys.stdlib_module_names}
    declared = {_requirement_name(requirement) for requirement in PYPROJECT["project"]["dependencies"]}
    assert third_party <= declared, f"imported but not declared: {sorted(third_party - declared)}"


def test_nox_sessions_do_not_announce_a_missing_uv(tmp_path: Path) -> None:
    """Without uv on PATH, every session used to log "uv binary not found." (nox probes for it)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    probe = (
        "import logging, sys\n"
        "sys.argv = ['nox']\n"
        "import nox.virtualenv\n"
        "logging.basicConfig(level=logging.INFO, stream=sys.stdout, format='%(message)s')\n"
        "import runpy\n"
        "module = runpy.run_path('noxfile.py')\n"
        "print('backend', module['nox'].options.default_venv_backend)\n"
        "nox.virtualenv._optional_venvs()\n"
    )
    env = {**os.environ, "PATH": str(bin_dir)}
    env.pop("UV", None)
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "backend virtualenv" in done.stdout
    assert "uv binary not found" not in done.stdout + done.stderr


def test_ci_installs_uv_next_to_nox() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r'pip install .*"nox==[^"]+" "uv==[^"]+"', script)
    assert shutil.which("bash") is not None
