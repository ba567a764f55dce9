"""A third vendor, added without touching a shared file: the claim of the vendor registry, proved.

``acme.yaml`` (one cursor-paginated list operation) is compiled by the real toolchain (the overlay engine, then
openapi-python-client, through :func:`scripts.regenerate.build_api`) into a temporary directory; ``acme/`` is
the vendor (client, wire format, sandbox API, seed, plugin).  Registered, it lists through the facade, the
sandbox and the command line, and ``src/`` never names it.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.manifest import ROOT, Api, Provenance, sha256_file
from scripts.regenerate import build_api
from tests.shared import requires_group

requires_group("codegen", "openapi_python_client", "ruff")

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    stage = tmp_path_factory.mktemp("acme-generated")
    spec = HERE / "acme.yaml"
    api = Api(
        name="acme", title="Acme Invoices API", root=HERE.parent.parent, spec="tests/vendors/acme.yaml",
        upstream="https://api.acme.example/openapi.yaml", operations=("list_invoices",),
        overlay="tests/vendors/acme.overlay.yaml", package="acme_client",
        generator_config="tests/vendors/acme.codegen.yaml",
        provenance=Provenance(retrieved="2026-11-23", source="written for this test", sha256=sha256_file(spec)),
    )  # fmt: skip
    assert build_api(api, stage) == []
    assert (stage / "acme_client" / "api" / "invoices" / "list_invoices.py").is_file()
    return stage


@pytest.fixture
def acme(generated: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.syspath_prepend(str(generated))
    from invoice_clients.vendors import register, unregister
    from tests.vendors.acme import PLUGIN

    register(PLUGIN)
    try:
        yield PLUGIN
    finally:
        unregister(PLUGIN.name)


def test_no_shared_file_names_the_third_vendor() -> None:
    named = [
        path for path in (ROOT / "src").rglob("*.py") if re.search(r"\bacme\b", path.read_text(encoding="utf-8"), re.I)
    ]
    assert named == []  # ("org_acme", a Versori organisation of the seed, is another word)


def test_facade_and_sandbox_list_a_cursor_vendor(acme: object) -> None:
    from invoice_clients.testing import Sandbox
    from tests.vendors.acme import Acme, AsyncAcme

    with Sandbox() as sandbox:
        assert len(sandbox.api("acme").invoices) == 7  # type: ignore[attr-defined]
        with sandbox.client("acme") as client:
            assert isinstance(client, Acme)
            invoices = list(client.invoices.list(page_size=3))
        assert [invoice.id for invoice in invoices] == [f"acme-{n}" for n in range(1, 8)]
        assert {invoice.vendor for invoice in invoices} == {"acme"}
        assert str(invoices[0].total.amount) == "10.50" and invoices[0].total.currency == "EUR"
        assert [r.params("cursor") for r in sandbox.requests] == [[], ["after-3"], ["after-6"]]

        async def listing() -> list[str]:
            client = sandbox.async_client("acme")
            assert isinstance(client, AsyncAcme)
            async with client:
                return [invoice.id async for invoice in client.invoices.list(page_size=2)]

        assert asyncio.run(listing()) == [invoice.id for invoice in invoices]
        # The built-in vendors are served as before, beside it.
        with sandbox.gcore_client() as gcore:
            assert len(list(gcore.invoices.list())) == 31


def test_a_cursor_that_comes_back_is_an_inconsistent_listing(acme: object) -> None:
    from invoice_clients import InconsistentListingError
    from invoice_clients.testing import Sandbox

    with Sandbox() as sandbox:
        api = sandbox.api("acme")
        handle = api.handle

        def cycling(request, origin):  # type: ignore[no-untyped-def]
            reply = handle(request, origin)
            body = json.loads(reply.body)
            if "next_cursor" in body:
                body["next_cursor"] = "after-0"
            return type(reply)(reply.status, json.dumps(body).encode())

        api.handle = cycling  # type: ignore[method-assign]
        with sandbox.client("acme") as client, pytest.raises(InconsistentListingError, match="came back"):
            list(client.invoices.list(page_size=3))  # type: ignore[attr-defined]


def test_the_cli_lists_the_third_vendor(acme: object, generated: Path) -> None:
    from invoice_clients.testing import Sandbox

    program = (
        "import sys\n"
        "from invoice_clients.vendors import register\n"
        "from tests.vendors.acme import PLUGIN\n"
        "register(PLUGIN)\n"
        "from invoice_clients.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    with Sandbox() as sandbox:
        env = {
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": f"{generated}:{ROOT}",
            "ACME_API_KEY": sandbox.api("acme").api_key,
            "ACME_BASE_URL": sandbox.base_url_of("acme"),
        }
        done = subprocess.run(
            [sys.executable, "-c", program, "invoices", "list", "--vendor", "acme", "--page-size", "4", "-f", "jsonl"],
            env=env, capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [row["id"] for row in rows] == [f"acme-{n}" for n in range(1, 8)]
    assert {row["vendor"] for row in rows} == {"acme"}
