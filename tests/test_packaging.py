"""What a user gets from ``pip install``: a licence file, declared dependencies, one version, a PyPI page that
works, security floors past every known advisory; and CI that runs what ``.ci/run`` runs."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

from scripts.manifest import ROOT
from scripts.release.artifacts import check_metadata
from scripts.release.audit import declared_advisories
from scripts.release.changelog import Version, read_version
from tests.shared import nox_python

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
        [nox_python(), "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
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


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_wheel(tmp_path_factory.mktemp("dist"))


def test_the_wheel_holds_one_top_level_package_and_imports_from_itself(wheel: Path, tmp_path: Path) -> None:
    """The generated clients ship as ``invoice_clients._generated.*``: no top-level name this project does not own."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "site")
    assert {name.split("/")[0] for name in names} == {"invoice_clients", f"invoice_clients-{read_version()}.dist-info"}
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


def test_the_version_has_one_source(wheel: Path) -> None:
    """Bumping pyproject.toml alone used to build a wheel whose command printed the old version."""
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"] == {"path": "src/invoice_clients/_version.py"}
    version = str(read_version())
    assert wheel.name == f"invoice_clients-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"invoice_clients-{version}.dist-info/METADATA").decode()
    assert f"\nVersion: {version}\n" in metadata
    done = subprocess.run(
        [sys.executable, "-m", "invoice_clients", "--version"], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["invoice-clients", version]


def test_the_pypi_page_has_absolute_links_and_the_project_urls(wheel: Path) -> None:
    """The README's 20 relative docs/ links 404 on PyPI; the build makes them links to the docs site."""
    assert check_metadata(wheel) == []
    urls = PYPROJECT["project"]["urls"]
    assert set(urls) >= {"Documentation", "Changelog", "Issues", "Source"}
    site = re.search(r"^site_url: (\S+)$", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert site and urls["Documentation"] == site[1] and urls["Changelog"] == f"{site[1]}changelog/"
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith("METADATA")]
        description = archive.read(name).decode().split("\n\n", 1)[1]
    for link in re.findall(r"\]\((docs/[^)#]+\.md)(#[^)]*)?\)", (ROOT / "README.md").read_text(encoding="utf-8")):
        page = link[0].removeprefix("docs/").removesuffix(".md")
        absolute = site[1] + ("" if page == "index" else f"{page}/") + link[1]
        assert f"]({absolute})" in description, link  # the page mkdocs builds from that file


def test_the_build_is_pinned_exactly() -> None:
    requires = PYPROJECT["build-system"]["requires"]
    assert requires and all(re.fullmatch(r"[\w.-]+==[\w.]+", requirement) for requirement in requires), requires
    for target in ("wheel", "sdist"):
        assert PYPROJECT["tool"]["hatch"]["build"]["targets"][target]["core-metadata-version"] == "2.4"


KNOWN_ADVISORIES = {"idna": "3.15", "anyio": "4.14.2", "pygments": "2.20.0", "certifi": "2024.7.4", "h11": "0.16.0"}
"""Fixed-in versions of advisories known on 2026-12-08 (the search of each runtime dependency in issue 34)."""


def test_every_floor_is_past_the_advisories_written_beside_it() -> None:
    """lowest-direct installed idna 3.7 (CVE-2026-45409, fixed in 3.15), anyio 4.4.0 and pygments 2.15.0."""
    declared = declared_advisories((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for advisory in declared:
        if advisory.package == advisory.requirement:
            assert Version.parse(_three(advisory.floor)) >= Version.parse(_three(advisory.fixed)), advisory
    written = {advisory.package: advisory.fixed for advisory in declared}
    for package, fixed in KNOWN_ADVISORIES.items():
        assert package in written and Version.parse(_three(written[package])) >= Version.parse(_three(fixed)), package


def _three(version: str) -> str:
    parts = [int(part) for part in version.split(".")[:3]]
    return ".".join(str(part) for part in [*parts, 0, 0][:3])


def test_github_runs_the_sessions_ci_runs() -> None:
    """ci.yml runs .ci/run's sessions as parallel jobs: the same list, so neither can drift from the other."""
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    sessions = re.findall(r"^nox -s ([\w-]+)", script, flags=re.MULTILINE)
    versions = [m for c in PYPROJECT["project"]["classifiers"] if (m := re.fullmatch(r".*:: (3\.\d+)", c))]
    expanded = [s for name in sessions for s in ([f"tests-{m[1]}" for m in versions] if name == "tests" else [name])]
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    assert workflow["jobs"]["session"]["strategy"]["matrix"]["session"] == expanded
    assert 'nox -s "$SESSION"' in workflow["jobs"]["session"]["steps"][-1]["run"]


def test_a_source_tree_without_the_links_imports_its_generated_clients(tmp_path: Path) -> None:
    """An unpacked sdist has no symlinks (hatch writes none), so ``pip install -e`` of it could not import
    ``invoice_clients._generated.gcore_billing_client``."""
    tree = tmp_path / "invoice_clients-x"
    shutil.copytree(ROOT / "src", tree / "src", symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    for link in (tree / "src" / "invoice_clients" / "_generated").iterdir():
        if link.is_symlink():
            link.unlink()
    shutil.copytree(ROOT / "generated", tree / "generated", ignore=shutil.ignore_patterns("__pycache__"))
    probe = (
        "import invoice_clients._generated.gcore_billing_client as g, invoice_clients.vendors.gcore.client as c;"
        "print(g.__file__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tree / "src")},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tree / "generated" / "gcore_billing_client" / "__init__.py")
