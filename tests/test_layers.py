"""The package's shape (issue 24): few modules at the top, admitted interfaces, only public dependency API, no
import cycle, and the public API where the docs say it is.

The figures come from :mod:`scripts.layers`, which reads the source; each assertion names the offending places.
"""

from __future__ import annotations

import importlib
import re

import pytest

import invoice_clients
import invoice_clients.testing
from scripts.layers import LAYERS, PACKAGE, layer_of, measure
from scripts.manifest import ROOT

SHAPE = measure()

PUBLIC = [
    "APIConnectionError", "APIError", "APIStatusError", "APITimeoutError", "AsyncCursorPager", "AsyncGcoreBilling",
    "AsyncPager", "AsyncVersori", "AuthenticationError", "BadRequestError", "CertificateVerificationError",
    "ClientClosedError", "ConfigurationError", "CredentialsError", "CurrencyMismatchError", "CursorPage",
    "CursorPager", "GcoreBilling", "InconsistentListingError", "InvalidArgumentError", "Invoice",
    "InvoiceClientsError", "InvoiceKind", "InvoicePage", "LineItem", "LocalFileError", "Money", "NotFoundError",
    "PaymentState", "PermissionDeniedError", "ProxyError", "RateLimitError", "ResponseTooLargeError",
    "ResponseValidationError", "RetryPolicy", "ServerError", "SyncPager", "UNPAID_STATES", "Vendor", "Versori",
    "__version__",
]  # fmt: skip
TESTING = [
    "Fault", "FaultKind", "GcoreSandbox", "RecordedRequest", "Reply", "Sandbox", "SandboxCore", "SandboxRequest",
    "VersoriSandbox", "monetary_value",
]  # fmt: skip


def test_at_most_eight_modules_sit_directly_in_the_package() -> None:
    assert len(SHAPE.top_modules) <= 8, SHAPE.top_modules


def test_no_module_imports_another_modules_underscore_name() -> None:
    assert [str(place) for place in SHAPE.private_imports] == []


def test_only_the_public_api_of_httpx_and_httpcore_is_used() -> None:
    assert [str(place) for place in SHAPE.dependency_privates] == []


def test_there_is_no_import_cycle() -> None:
    assert SHAPE.cycles == []


def test_no_layer_imports_a_layer_above_it() -> None:
    upward = [
        f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for module, targets in sorted(SHAPE.imports.items())
        for target in sorted(targets)
        if layer_of(target) > layer_of(module)
    ]
    assert upward == []


@pytest.mark.parametrize("layer", [name for name, _ in LAYERS[1:-1]])
def test_each_layer_package_says_what_it_owns_and_may_import(layer: str) -> None:
    init = PACKAGE / f"_{layer}" / "__init__.py"
    if not init.exists():
        pytest.xfail(f"issue 24: _{layer}/ not made yet")
    doc = importlib.import_module(f"invoice_clients._{layer}").__doc__ or ""
    assert "Owns" in doc and "May import" in doc, doc


def test_the_public_api_is_unchanged() -> None:
    assert sorted(invoice_clients.__all__) == PUBLIC
    assert sorted(invoice_clients.testing.__all__) == TESTING
    for module, names in ((invoice_clients, PUBLIC), (invoice_clients.testing, TESTING)):
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
