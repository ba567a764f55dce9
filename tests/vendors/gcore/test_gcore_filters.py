"""Every Gcore filter reaches the wire exactly as the spec says, and filters what it claims."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from invoice_clients import GcoreBilling, InvalidArgumentError, InvoiceKind
from invoice_clients.testing import Sandbox
from tests.conftest import gcore_list_requests

D = datetime.date


@pytest.mark.parametrize(
    ("kwargs", "wire"),
    [
        ({"invoice_date_from": D(2025, 3, 1)}, {"invoice_date__from": ["2025-03-01"]}),
        ({"invoice_date_to": D(2025, 3, 31)}, {"invoice_date__to": ["2025-03-31"]}),
        ({"billing_period_from": D(2025, 2, 1)}, {"billing_period_from__from": ["2025-02-01"]}),
        ({"billing_period_to": D(2025, 2, 28)}, {"billing_period_to__to": ["2025-02-28"]}),
        ({"currency": "GBP"}, {"currency": ["GBP"]}),
        ({"move_type": "out_refund"}, {"move_type": ["out_refund"]}),
        ({"payment_state": "in_payment"}, {"payment_state": ["in_payment"]}),
        ({"client_id": 4242}, {"client_id": ["4242"]}),
        ({"payer_id": 9090}, {"payer_id": ["9090"]}),
        ({"ordering": ["-invoice_date", "id"]}, {"ordering": ["-invoice_date,id"]}),
        ({"ordering": ["-amount_total"]}, {"ordering": ["-amount_total,id"]}),
        ({"ordering": "name,-id"}, {"ordering": ["name,-id"]}),
        ({}, {"ordering": ["id"]}),
    ],
)
def test_filter_reaches_the_wire(
    sandbox: Sandbox, gcore: GcoreBilling, kwargs: dict[str, Any], wire: dict[str, list[str]]
) -> None:
    list(gcore.invoices.list(page_size=50, **kwargs))
    query = gcore_list_requests(sandbox)[0]
    expected = {"limit": ["50"], "offset": ["0"], "ordering": ["id"], **wire}
    assert query == expected


def test_all_filters_together(sandbox: Sandbox, gcore: GcoreBilling) -> None:
    invoices = list(
        gcore.invoices.list(
            invoice_date_from=D(2025, 1, 1),
            invoice_date_to=D(2025, 12, 31),
            billing_period_from=D(2025, 1, 1),
            billing_period_to=D(2025, 12, 31),
            currency="USD",
            move_type="out_invoice",
            payment_state="in_payment",
            client_id=4242,
            payer_id=4242,
            ordering=["-invoice_date"],
        )
    )
    assert [i.id for i in invoices] == ["1"]
    (query,) = gcore_list_requests(sandbox)
    assert len(query) == 12 and all(len(values) == 1 for values in query.values())


def test_filters_filter(gcore: GcoreBilling) -> None:
    gbp = list(gcore.invoices.list(currency="GBP"))
    assert gbp and {i.currency for i in gbp} == {"GBP"}
    refunds = list(gcore.invoices.list(move_type="out_refund"))
    assert [i.id for i in refunds] == ["7", "14", "21", "28"]
    assert all(i.kind is InvoiceKind.CREDIT_NOTE and i.total.amount < 0 for i in refunds)
    march = list(gcore.invoices.list(invoice_date_from=D(2025, 3, 31), invoice_date_to=D(2025, 3, 31)))
    assert [i.number for i in march] == ["INV/2025/00003"]
    q1 = list(gcore.invoices.list(billing_period_from=D(2025, 1, 1), billing_period_to=D(2025, 3, 31)))
    assert [i.id for i in q1] == ["1", "2", "3"]
    assert {i.payment_state for i in gcore.invoices.list(payment_state="paid")} == {"paid"}
    assert {i.raw.client_id for i in gcore.invoices.list(client_id=5151)} == {5151}


def test_ordering_orders(gcore: GcoreBilling) -> None:
    ids = [int(i.id) for i in gcore.invoices.list(page_size=7)]
    assert ids == sorted(ids)
    totals = [i.total.amount for i in gcore.invoices.list(ordering=["-amount_total"], page_size=7)]
    assert totals == sorted(totals, reverse=True)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ordering": ["client_id"]},
        {"move_type": "in_invoice"},
        {"payment_state": "unpaid"},
        {"client_id": 42.0},
        {"payer_id": "42"},
        {"client_id": True},
        {"invoice_date_from": "2025-01-01"},
        {"invoice_date_to": datetime.datetime(2025, 1, 1, 12, 0)},
        {"currency": ""},
        {"page_size": 0},
        {"page_size": 101},
        {"prefetch": -1},
    ],
)
def test_bad_arguments_fail_before_any_request(sandbox: Sandbox, gcore: GcoreBilling, kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgumentError):
        gcore.invoices.list(**kwargs)
    assert sandbox.requests == []
