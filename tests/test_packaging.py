"""What a user gets from ``pip install``: a licence file, declared dependencies, quiet nox sessions."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from scripts.manifest import ROOT
from tests.shared import in_ci

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SHIPPED = [ROOT / "src" / "invoice_clients", ROOT / "generated"]  # (the first links to the second's packages)


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


def _nox_python() -> str:
    """An interpreter that has nox: the one ``nox -s tests`` runs on (it passes it), or this one if it has nox.

    nox is not in the ``test`` group (it requires attrs >= 24.1, above the runtime's floor).
    """
    given = os.environ.get("INVOICE_CLIENTS_NOX_PYTHON")
    if given:
        return given
    if importlib.util.find_spec("nox") is not None:
        return sys.executable
    reason = "needs nox: run it under nox -s tests, which passes its interpreter (INVOICE_CLIENTS_NOX_PYTHON)"
    if in_ci():
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


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
        [_nox_python(), "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "backend virtualenv" in done.stdout
    assert "uv binary not found" not in done.stdout + done.stderr


def test_ci_installs_uv_next_to_nox() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r'pip install .*"nox==[^"]+" "uv==[^"]+"', script)
    assert shutil.which("bash") is not None


def _build_wheel(out: Path) -> Path:
    """The wheel as ``pip wheel . --no-deps`` builds it (``uv build --wheel`` where pip is absent, as under uv)."""
    if subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True, check=False).returncode == 0:
        command = [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", "-w", str(out)]
    else:
        uv = shutil.which("uv")
        if uv is None:
            pytest.skip("neither pip nor uv can build the wheel here")
        command = [uv, "build", "--wheel", "-q", "-o", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    (wheel,) = out.glob("*.whl")
    return wheel


def test_the_wheel_holds_one_top_level_package_and_imports_from_itself(tmp_path: Path) -> None:
    """The generated clients ship as ``invoice_clients._generated.*``: no top-level name this project does not own."""
    wheel = _build_wheel(tmp_path / "dist")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "site")
    assert {name.split("/")[0] for name in names} == {"invoice_clients", "invoice_clients-0.1.0.dist-info"}
    assert len(names) == len(set(names))
    for package in ("gcore_billing_client", "versori_organisations_client"):
        assert f"invoice_clients/_generated/{package}/_stamp.json" in names
    assert not any("__pycache__" in name for name in names)
    probe = (
        "import sys\n"
        f"checkout = {[str(ROOT), str(ROOT / 'src'), str(ROOT / 'generated'), '']!r}\n"
        f"sys.path = [{str(tmp_path / 'site')!r}] + [p for p in sys.path if p not in checkout]\n"
        "import invoice_clients, invoice_clients.testing\n"
        "from invoice_clients._generated.gcore_billing_client.models import ErpInvoiceExternal\n"
        "import importlib.util\n"
        "assert importlib.util.find_spec('gcore_billing_client') is None\n"
        "print(invoice_clients.__file__, ErpInvoiceExternal.__module__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(str(tmp_path / "site" / "invoice_clients"))
