"""Every restatement of a spec fact equals the generated code it restates, so a regeneration cannot diverge.

Where a copy is the clearer code (a ``Literal`` for type checkers, the facade's own ``PaymentState`` enum),
it is held here to the generated enum; the rest (the CLI's options, the sandbox's semantics) is derived
from the vendor's filter declarations and needs no test of its own.
"""

from __future__ import annotations

import inspect
import tarfile
from typing import get_args

import httpx
import pytest
import yaml

from invoice_clients import PaymentState
from invoice_clients._generated.gcore_billing_client.models import (
    ErpInvoiceExternal,
    V1ErpInvoicesListMoveType,
    V1ErpInvoicesListOrderingItem,
    V1ErpInvoicesListPaymentState,
)
from invoice_clients.testing import Sandbox
from invoice_clients.vendors import CliOption
from invoice_clients.vendors.gcore import decoder as gcore_decoder
from invoice_clients.vendors.gcore import sandbox as gcore_sandbox
from invoice_clients.vendors.gcore import wire as gcore_wire
from scripts.manifest import ROOT
from tests.shared import shared_path


def _values(enum: type) -> list[str]:
    return [member.value for member in enum]  # type: ignore[attr-defined]


def test_payment_states_equal_the_generated_enum() -> None:
    generated = set(_values(V1ErpInvoicesListPaymentState))  # the generator sorts them; ours are in lifecycle order
    assert set(_values(PaymentState)) == generated
    assert set(get_args(gcore_wire.PaymentStateFilter)) == generated
    assert set(gcore_sandbox.PAYMENT_STATES) == generated


def test_move_types_and_ordering_equal_the_generated_enums() -> None:
    assert set(get_args(gcore_wire.MoveType)) == set(_values(V1ErpInvoicesListMoveType))
    assert set(get_args(gcore_wire.OrderingField)) == set(_values(V1ErpInvoicesListOrderingItem))
    assert set(gcore_decoder.KINDS) == set(_values(V1ErpInvoicesListMoveType))


def test_the_filters_are_declared_once_and_the_facade_and_cli_follow() -> None:
    from invoice_clients.cli._app import build_program
    from invoice_clients.vendors.gcore.client import AsyncGcoreInvoices, GcoreInvoices

    declared = {spec.name for spec in gcore_wire.FILTERS}
    paging = {"self", "ordering", "page_size", "prefetch", "timeout", "deadline"}
    for resource in (GcoreInvoices, AsyncGcoreInvoices):  # the typed signatures restate the names: held here
        assert set(inspect.signature(resource.list).parameters) - paging == declared
    commands = dict(build_program().walk())
    for path in (("invoices", "list"), ("invoices", "export")):
        flags = {option.name: option for option in commands[path].options}
        for spec in gcore_wire.FILTERS:  # each filter is an option, from FILTERS: its flag, help and choices
            option = flags[spec.cli.flag]
            assert (option.dest, option.help, option.choices) == (spec.cli.name, spec.cli.help, spec.cli.choices)


def test_every_property_a_struct_declares_is_one_the_generated_model_reads() -> None:
    """``.raw`` is the generated model of the same body: each property the decoder reads, it reads too."""
    import msgspec

    from invoice_clients.vendors.gcore import schema
    from invoice_clients.vendors.gcore.sandbox import GcoreSandbox

    sample = GcoreSandbox(api_key="k", forbidden_key="-").add_invoice()
    model = ErpInvoiceExternal.from_dict(sample)
    assert model.additional_properties == {}  # the sandbox sends what the generated model reads, no more
    assert {info.encode_name for info in msgspec.structs.fields(schema.ErpInvoiceExternal)} <= set(model.to_dict())


# -- the filters' one declaration reaches the sandbox ----------------------------------------------------------

LIST_PATH = "/billing/org/v1/erp-invoices"
NOT_FILTERS = {"limit", "offset", "ordering"}
"""The list operation's query parameters that are not filters: paging, and the ordering (``ORDERING_OPTION``)."""
NOT_SENT = {"order_by"}
"""Query parameters upstream publishes that the facade deliberately does not send: ``order_by``, upstream's newer
name for ``ordering`` (published 2026-07-09, ``ordering`` "kept for compatibility"), which the facade keeps
sending."""


def _gcore_ids(sandbox: Sandbox, **query: str) -> list[int]:
    with httpx.Client(base_url=sandbox.url, headers={"Authorization": "apikey sandbox-gcore-key"}) as http:
        response = http.get(LIST_PATH, params={"limit": "100", **query})
    assert response.status_code == 200, response.text
    return sorted(row["id"] for row in response.json()["results"])


def test_a_filter_added_to_the_declaration_reaches_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    declared = gcore_wire.FILTERS
    payer = next(spec for spec in declared if spec.name == "payer_id")
    with Sandbox() as sandbox:
        sandbox.gcore.add_invoice(payer_id=77)
        everything = _gcore_ids(sandbox)
        # Before: payer_id is not declared.  The facade does not send it, and the sandbox does not filter by it.
        monkeypatch.setattr(gcore_wire, "FILTERS", tuple(spec for spec in declared if spec is not payer))
        with sandbox.gcore_client() as gcore:
            assert len(list(gcore.invoices.list(payer_id=77))) == len(everything)
        assert "payer_id" not in dict(sandbox.requests[-1].query)
        assert _gcore_ids(sandbox, payer_id="77") == everything
        # After: declared once, it is checked and sent by the facade and filtered by the sandbox alike.
        monkeypatch.setattr(gcore_wire, "FILTERS", declared)
        with sandbox.gcore_client() as gcore:
            assert [invoice.raw.payer_id for invoice in gcore.invoices.list(payer_id=77)] == [77]
        assert dict(sandbox.requests[-1].query)["payer_id"] == "77"
        assert len(_gcore_ids(sandbox, payer_id="77")) == 1


def test_a_made_up_filter_is_filtered_by_the_sandbox_as_declared(monkeypatch: pytest.MonkeyPatch) -> None:
    # A temporary declaration of a parameter no spec has (the generated client cannot send it, so the request
    # is made here): the sandbox reads its kind, field and op from the declaration and nothing else.
    linked = gcore_wire.Filter(
        "linked_invoice", "linked_invoice", "linked_invoice", "invoice_id", "ge", lambda _, value: value,
        CliOption("linked_invoice", "--linked-invoice", "Made up: linked invoice id at least.", "int", "ID"),
    )  # fmt: skip
    monkeypatch.setattr(gcore_wire, "FILTERS", (*gcore_wire.FILTERS, linked))
    with Sandbox(seed=False) as sandbox:
        for invoice_id in (None, 5, 7, 9):
            sandbox.gcore.add_invoice(invoice_id=invoice_id)
        assert _gcore_ids(sandbox, linked_invoice="7") == [3, 4]
        with httpx.Client(base_url=sandbox.url, headers={"Authorization": "apikey sandbox-gcore-key"}) as http:
            refused = http.get(LIST_PATH, params={"linked_invoice": "seven"})
        assert (refused.status_code, refused.json()) == (400, {"linked_invoice": ["A valid integer is required."]})
    assert gcore_wire.GcoreFilters.build({"linked_invoice": 7}).values == {"linked_invoice": 7}


def _undeclared(query_parameters: set[str]) -> set[str]:
    """Query parameters of the list operation that the one declaration (FILTERS and the rest) does not name."""
    return query_parameters - {spec.query for spec in gcore_wire.FILTERS} - NOT_FILTERS


def test_every_query_parameter_of_the_list_is_declared_once_or_optional() -> None:
    # Each declaration names a parameter the generated client has.  A parameter that `spec-drift --write`
    # absorbs lands in the generated client; declared in vendors/gcore/wire.py, the facade, sandbox and CLI learn
    # it.  Until then an optional one is simply not sent (the drift bot's pull request names it as a filter the
    # facade could learn); a required one would break every listing, so it fails here, saying what to do.
    from invoice_clients._generated.gcore_billing_client.api.erp_invoices import v1_erp_invoices_list

    generated = inspect.signature(v1_erp_invoices_list._get_kwargs).parameters
    declared = {spec.generated for spec in gcore_wire.FILTERS} | NOT_FILTERS
    assert declared <= set(generated), (
        f"declared in FILTERS, unknown to the generated client: {declared - set(generated)}"
    )
    required = {
        name for name in set(generated) - declared if generated[name].default is inspect.Parameter.empty
    }  # fmt: skip
    assert not required, (
        f"v1_erp_invoices_list now requires {sorted(required)}, which the facade never sends: declare each in"
        " FILTERS (vendors/gcore/wire.py) with the value to send, or, if upstream requires it by mistake, make it"
        " optional in overlays/gcore-billing.yaml"
    )
    effective = yaml.safe_load((ROOT / "generated" / "gcore-billing.effective.yaml").read_text(encoding="utf-8"))
    query = [p for p in effective["paths"][LIST_PATH]["get"]["parameters"] if p["in"] == "query"]
    assert {p["name"] for p in query if p.get("required")} <= {spec.query for spec in gcore_wire.FILTERS}


def test_what_the_facade_does_not_send_is_exactly_what_the_newest_upstream_adds() -> None:
    # Gcore's newest published document adds `order_by` to the list, which the facade deliberately does not send
    # (NOT_SENT); every other parameter it publishes is one the facade declares.
    archive = shared_path("upstream", "gcore-billing-history.tar.xz")
    with tarfile.open(archive) as tar:
        newest = max(
            (m for m in tar.getmembers() if m.isfile() and "/services_docs_mintlify_enriched/" in m.name),
            key=lambda member: member.name,
        )
        extracted = tar.extractfile(newest)
        assert extracted is not None
        document = yaml.safe_load(extracted.read())
    parameters = {p["name"] for p in document["paths"][LIST_PATH]["get"]["parameters"] if p["in"] == "query"}
    assert _undeclared(parameters) == NOT_SENT
