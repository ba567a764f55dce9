"""The package's shape: the import contracts live, few modules at the top, admitted interfaces, only public
dependency API, and the public API where the docs say it is.

The layers, the vendors' independence, cycles between siblings and dependencies' private modules are
import-linter's contracts (``[tool.importlinter]``, checked by ``nox -s lint``); here each is seen broken by a
planted violation, and the contract for private modules is held to every private module its dependencies have.
The rest comes from :mod:`scripts.layers`, which reads the source; each assertion names the offending places.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import invoice_clients
import invoice_clients.cli
import invoice_clients.testing
import invoice_clients.vendors
from scripts.layers import PACKAGE, measure
from scripts.manifest import ROOT
from tests.shared import requires_group

SHAPE = measure()
IMPORTLINTER = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
CONTRACTS = {contract["id"]: contract for contract in IMPORTLINTER["contracts"]}

PUBLIC = [
    "APIConnectionError", "APIError", "APIStatusError", "APITimeoutError", "AsyncGcoreBilling", "AsyncPager",
    "AsyncVersori", "AuthenticationError", "BadRequestError", "CertificateVerificationError", "ClientClosedError",
    "ConfigurationError", "CredentialsError", "CurrencyMismatchError", "GcoreBilling", "InconsistentListingError",
    "InvalidArgumentError", "Invoice", "InvoiceClientsError", "InvoiceKind", "InvoicePage", "LineItem",
    "LocalFileError", "Money", "NotFoundError", "PaymentState", "PermissionDeniedError", "ProxyError",
    "RateLimitError", "ResponseTooLargeError", "ResponseValidationError", "RetryPolicy", "ServerError", "SyncPager",
    "UNPAID_STATES", "Vendor", "Versori", "__version__",
]  # fmt: skip
TESTING = ["Fault", "GcoreSandbox", "Sandbox", "SandboxRequest", "VersoriSandbox", "monetary_value"]
CLI = ["ExitCode", "main"]
"""The public API decided in issue 33 (docs/maintainers/design.md, "The public API"); api/snapshot.json has it
in full, checked by ``nox -s api``."""


def test_at_most_eight_modules_sit_directly_in_the_package() -> None:
    assert len(SHAPE.top_modules) <= 8, SHAPE.top_modules


def test_no_module_imports_another_modules_underscore_name() -> None:
    assert [str(place) for place in SHAPE.private_imports] == []


def test_only_the_public_api_of_httpx_and_httpcore_is_used() -> None:
    assert [str(place) for place in SHAPE.dependency_privates] == []


def test_no_import_cycle_runs_through_a_package_and_a_module_inside_it() -> None:
    assert SHAPE.cycles == []


def _layer_packages() -> list[str]:
    layers = CONTRACTS["layers"]["layers"]
    names = [name.strip() for layer in layers for name in re.split(r"[|:]", layer)]
    return [name for name in names if name.startswith("_") and (PACKAGE / name / "__init__.py").exists()]


@pytest.mark.parametrize("layer", [name for name in _layer_packages() if name != "_generated"])
def test_each_layer_package_says_what_it_owns_and_may_import(layer: str) -> None:
    doc = importlib.import_module(f"invoice_clients.{layer}").__doc__ or ""
    assert "Owns" in doc and "May import" in doc, doc


def _private(module: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in module.split(".")[1:])


def test_the_private_modules_contract_names_every_private_python_module_of_its_dependencies() -> None:
    """A dependency's release that adds a private module is caught here, not left out of the contract (compiled
    ones, which import-linter cannot see, are scripts.layers')."""
    forbidden = CONTRACTS["dependencies-public-api"]["forbidden_modules"]

    def covered(module: str) -> bool:
        return any(
            module == name or module.startswith(name.removesuffix("*") if name.endswith(".*") else name + ".")
            for name in forbidden
        )

    left_out = []
    for dependency in IMPORTLINTER["root_packages"]:
        if dependency == "invoice_clients":
            continue
        package = importlib.import_module(dependency)
        for found in pkgutil.walk_packages(package.__path__, prefix=f"{dependency}."):
            spec = importlib.util.find_spec(found.name)
            python = spec is not None and spec.origin is not None and spec.origin.endswith(".py")
            if _private(found.name) and python and not covered(found.name):
                left_out.append(found.name)
    assert left_out == []


_PLANTS = {
    # contract id: (the file planted in a copy of the package, the line appended, what the report names)
    "layers": (
        "_model/planted.py", "from .._http import sender\n",
        "invoice_clients._model.planted -> invoice_clients._http.sender",
    ),
    "vendors": (
        "vendors/gcore/planted.py", "from ..versori import client\n",
        "invoice_clients.vendors.gcore.planted -> invoice_clients.vendors.versori.client",
    ),
    "acyclic": ("_http/body.py", "from . import sender\n", "No cycles are allowed in invoice_clients._http."),
    "dependencies-public-api": (
        "_http/planted.py", "from httpx._models import Response\n", "invoice_clients._http.planted -> httpx._models",
    ),
}  # fmt: skip


def test_each_import_contract_is_broken_by_a_planted_violation(tmp_path: Path) -> None:
    """Each contract is live: a copy of the package with one violation of each fails ``lint-imports``, and each
    contract's report names its own."""
    requires_group("lint", "importlinter")
    assert set(_PLANTS) == set(CONTRACTS)
    copy = tmp_path / "invoice_clients"
    clients = shutil.ignore_patterns("__pycache__", "*_client")  # the generated clients: links outside the package
    shutil.copytree(PACKAGE, copy, ignore=clients)
    for path, line, _ in _PLANTS.values():
        with (copy / path).open("a", encoding="utf-8") as planted:
            planted.write(line)
    lint = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache", "--no-logo"]
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    config = ["--config", str(ROOT / "pyproject.toml")]
    done = subprocess.run([*lint, *config], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    report = " ".join(done.stdout.split())  # the report wraps long lines
    for contract in CONTRACTS.values():
        assert f"{contract['name']} BROKEN" in report
    sections = report.split("Broken contracts", 1)[1]
    for key, (_, _, named) in _PLANTS.items():
        section = sections.split(CONTRACTS[key]["name"], 1)[1]
        others = [CONTRACTS[other]["name"] for other in CONTRACTS if other != key]
        section = min((section.split(name, 1)[0] for name in others), key=len)
        assert named in section, (key, section)


def test_the_public_api_is_unchanged() -> None:
    assert sorted(invoice_clients.__all__) == PUBLIC
    assert sorted(invoice_clients.testing.__all__) == TESTING
    assert sorted(invoice_clients.cli.__all__) == CLI
    assert invoice_clients.vendors.__all__ == []  # the registry is the package's own, not an extension point
    for module, names in ((invoice_clients, PUBLIC), (invoice_clients.testing, TESTING), (invoice_clients.cli, CLI)):
        for name in names:
            assert getattr(module, name) is not None, f"{module.__name__}.{name}"


@pytest.mark.parametrize(
    "page", sorted(path.name for path in (ROOT / "docs" / "reference").glob("*.md")), ids=lambda name: name
)
def test_every_name_the_api_reference_shows_imports_from_where_it_says(page: str) -> None:
    text = (ROOT / "docs" / "reference" / page).read_text(encoding="utf-8")
    paths = re.findall(r"^::: ([\w.]+)", text, flags=re.MULTILINE)
    assert paths, page
    for path in paths:
        module_name, _, name = path.rpartition(".")
        try:
            module = importlib.import_module(path)
        except ModuleNotFoundError:
            module = importlib.import_module(module_name)
            assert hasattr(module, name), path
        else:
            assert module.__name__ == path
