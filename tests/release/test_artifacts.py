"""The release check's own judgements on a wheel: duplicate files, and the metadata PyPI shows."""

from __future__ import annotations

import zipfile
from pathlib import Path

from scripts.release.artifacts import check_metadata, duplicates
from scripts.release.changelog import read_version

RUNTIME = b"class UnexpectedStatus(Exception): ...\n"


def _wheel(tmp_path: Path, files: dict[str, bytes]) -> Path:
    path = tmp_path / "x-1-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def test_only_the_generators_runtime_may_repeat_in_the_wheel(tmp_path: Path) -> None:
    """check-wheel-contents' W002 flags the runtime openapi-python-client writes into each generated package; this
    check lets exactly that through, and still catches a package shipped twice."""
    allowed = {
        "invoice_clients/_generated/gcore_billing_client/errors.py": RUNTIME,
        "invoice_clients/_generated/versori_organisations_client/errors.py": RUNTIME,
        "invoice_clients/_generated/gcore_billing_client/api/erp_invoices/__init__.py": b'"""api"""\n',
        "invoice_clients/_generated/versori_organisations_client/api/default/__init__.py": b'"""api"""\n',
        "invoice_clients/py.typed": b"",
        "invoice_clients/_generated/gcore_billing_client/py.typed": b"",
    }
    assert duplicates(_wheel(tmp_path, allowed)) == []
    twice = {
        **allowed,
        "gcore_billing_client/errors.py": RUNTIME,  # the same package at the top level too
        "invoice_clients/_generated/gcore_billing_client/models/invoice.py": b"class Invoice: ...\n",
        "invoice_clients/_generated/gcore_billing_client/models/copy.py": b"class Invoice: ...\n",
    }
    assert duplicates(_wheel(tmp_path, twice)) == [
        [
            "gcore_billing_client/errors.py",
            "invoice_clients/_generated/gcore_billing_client/errors.py",
            "invoice_clients/_generated/versori_organisations_client/errors.py",
        ],
        [
            "invoice_clients/_generated/gcore_billing_client/models/copy.py",
            "invoice_clients/_generated/gcore_billing_client/models/invoice.py",
        ],
    ]


def _metadata(description: str, urls: list[str], version: str, metadata_version: str = "2.4") -> bytes:
    head = [f"Metadata-Version: {metadata_version}", "Name: invoice-clients", f"Version: {version}"]
    head += [f"Project-URL: {url}" for url in urls]
    return ("\n".join([*head, "Description-Content-Type: text/markdown", "", description])).encode()


def test_the_metadata_pypi_shows_has_absolute_links_and_the_urls(tmp_path: Path) -> None:
    version = str(read_version())
    urls = [
        "Documentation, https://invoice-clients.github.io/invoice-clients/",
        "Changelog, https://invoice-clients.github.io/invoice-clients/changelog/",
        "Issues, https://github.com/invoice-clients/invoice-clients/issues",
    ]
    good = "See [the command line](https://invoice-clients.github.io/invoice-clients/cli/#csv-columns) and [x](#top)."
    wheel = _wheel(tmp_path, {"invoice_clients-x.dist-info/METADATA": _metadata(good, urls, version)})
    assert check_metadata(wheel) == []
    bad = "See [the command line](docs/cli.md#csv-columns) and [Python](docs/python.md)."
    wheel = _wheel(tmp_path, {"invoice_clients-x.dist-info/METADATA": _metadata(bad, urls[:1], "9.9.9", "2.5")})
    assert check_metadata(wheel) == [
        f"Version 9.9.9 is not src/invoice_clients/_version.py's {version}",
        "Metadata-Version 2.5, not 2.4 (twine < 7, older publish actions and some mirrors refuse 2.5)",
        "no Project-URL Changelog",
        "no Project-URL Issues",
        "relative link in the PyPI description (404 on PyPI): docs/cli.md#csv-columns",
        "relative link in the PyPI description (404 on PyPI): docs/python.md",
    ]
