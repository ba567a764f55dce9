"""Every restatement of a spec fact equals the generated code it restates, so a regeneration cannot diverge.

Where a copy is the clearer code (a ``Literal`` for type checkers, the facade's own ``PaymentState`` enum),
it is held here to the generated enum; the rest (the CLI's options, the sandbox's semantics) is derived
from the vendor's filter declarations and needs no test of its own.
"""

from __future__ import annotations

import inspect
from typing import get_args

from invoice_clients import PaymentState
from invoice_clients._generated.gcore_billing_client.models import (
    ErpInvoiceExternal,
    V1ErpInvoicesListMoveType,
    V1ErpInvoicesListOrderingItem,
    V1ErpInvoicesListPaymentState,
)
from invoice_clients.vendors.gcore import sandbox as gcore_sandbox
from invoice_clients.vendors.gcore import wire as gcore_wire


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
    assert set(gcore_wire.KINDS) == set(_values(V1ErpInvoicesListMoveType))


def test_the_filters_are_declared_once_and_the_facade_and_cli_follow() -> None:
    from invoice_clients.cli import build_program
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


def test_the_fast_path_names_every_field_of_the_generated_model() -> None:
    import attrs

    assert set(gcore_wire.WIRE_FIELDS) == {a.name for a in attrs.fields(ErpInvoiceExternal) if a.init}
    # The fast path defers the model (Invoice.raw is built on first read); the builder calls it by keyword: the
    # generator's field order does not matter.
    source = inspect.getsource(gcore_wire._invoice_model)
    assert "ErpInvoiceExternal(\n        id=id_," in source
    assert "_INVOICE_MODEL, id_, name," in inspect.getsource(gcore_wire._fast_invoice)
