"""Issue 13 at the facade: no silent empty results, our own words, the sandbox's faults scoped."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest

from invoice_clients import InvalidArgumentError, PaymentState, ServerError
from invoice_clients.testing import Fault, Sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


def _listings(sandbox: Sandbox) -> list[str]:
    return [r.path for r in sandbox.requests if r.path.endswith("/erp-invoices")]


def test_currency_in_any_case_is_sent_upper_case(sandbox: Sandbox) -> None:
    with sandbox.gcore_client() as gcore:
        lower = list(gcore.invoices.list(currency=" eur"))
        upper = list(gcore.invoices.list(currency="EUR"))
    assert lower and lower == upper
    assert dict(sandbox.requests[0].query)["currency"] == "EUR"


@pytest.mark.parametrize("currency", ["euro", "E1R", "", "XQQ"])
def test_currency_that_is_not_iso_4217_is_refused_before_sending(sandbox: Sandbox, currency: str) -> None:
    with sandbox.gcore_client() as gcore, pytest.raises(InvalidArgumentError, match="ISO 4217"):
        gcore.invoices.list(currency=currency)
    assert sandbox.requests == []


@pytest.mark.parametrize(
    ("first", "last"),
    [("invoice_date_from", "invoice_date_to"), ("billing_period_from", "billing_period_to")],
)
def test_inverted_date_range_is_an_error_as_with_versori(sandbox: Sandbox, first: str, last: str) -> None:
    arguments = {first: datetime.date(2026, 6, 1), last: datetime.date(2026, 1, 1)}
    with sandbox.gcore_client() as gcore, pytest.raises(InvalidArgumentError, match=f"{first} 2026-06-01 is after"):
        gcore.invoices.list(**arguments)  # type: ignore[arg-type]
    same_day = {first: datetime.date(2026, 1, 1), last: datetime.date(2026, 1, 1)}
    with sandbox.gcore_client() as gcore:
        list(gcore.invoices.list(**same_day))  # type: ignore[arg-type]
    assert len(_listings(sandbox)) == 1


def test_unknown_ordering_field_in_our_words(sandbox: Sandbox) -> None:
    with sandbox.gcore_client() as gcore, pytest.raises(InvalidArgumentError) as raised:
        gcore.invoices.list(ordering=["-invoice_date", "bogus"])
    message = str(raised.value)
    assert message.startswith("unknown ordering field 'bogus'; allowed: id, -id, invoice_date")
    assert "V1Erp" not in message


def test_package_enum_and_plain_string_lists_are_accepted(sandbox: Sandbox) -> None:
    ordering: list[str] = ["-invoice_date"]
    with sandbox.gcore_client() as gcore:
        paid = list(gcore.invoices.list(payment_state=PaymentState.PAID, ordering=ordering))
    assert paid and all(invoice.payment_state is PaymentState.PAID for invoice in paid)
    assert dict(sandbox.requests[0].query)["payment_state"] == "paid"


def test_datetime_is_refused_with_advice(sandbox: Sandbox) -> None:
    with sandbox.gcore_client() as gcore, pytest.raises(InvalidArgumentError, match=r"not a datetime: pass its \.date"):
        gcore.invoices.list(invoice_date_from=datetime.datetime(2026, 1, 1, 12, 0))


def test_sandbox_client_options_are_typed_keywords(sandbox: Sandbox) -> None:
    with pytest.raises(TypeError):
        sandbox.gcore_client(retrys=3)  # type: ignore[call-arg]


def test_unused_fault_does_not_fire_on_a_later_client(sandbox: Sandbox) -> None:
    sandbox.inject(Fault.status(502), path="/download", times=2)
    with sandbox.gcore_client() as gcore:
        assert list(gcore.invoices.list())  # never downloads: the fault stays unused
    with sandbox.gcore_client() as gcore:
        assert gcore.invoices.download_pdf(1).startswith(b"%PDF-")
    assert [r.path for r in sandbox.requests].count("/billing/org/v1/erp-invoices/1/download") == 1


def test_fault_scoped_to_a_vendor_leaves_the_other_alone(sandbox: Sandbox) -> None:
    sandbox.inject(Fault.status(500), vendor="gcore", times=None)
    with sandbox.versori_client() as versori:
        assert versori.invoices.list("org_acme", start=datetime.date(2026, 1, 1))
    with sandbox.gcore_client() as gcore, pytest.raises(ServerError):
        gcore.invoices.get(1)


def test_faults_persist_for_clients_the_sandbox_did_not_make(sandbox: Sandbox) -> None:
    """Documented: only a sandbox-made client's close drops faults; otherwise they wait until used."""
    sandbox.inject(Fault.status(500))
    with sandbox.versori_client():
        pass  # an unscoped fault could have hit Versori: dropped with it
    with sandbox.gcore_client() as gcore:
        assert gcore.invoices.get(1).id == "1"
    sandbox.inject(Fault.status(500), vendor="gcore")
    with sandbox.versori_client():
        pass  # a Gcore fault survives a Versori client
    with sandbox.gcore_client() as gcore, pytest.raises(ServerError):
        gcore.invoices.get(1)


def test_base_url_environment_variables_as_for_the_command_line(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from invoice_clients import GcoreBilling, Versori

    monkeypatch.setenv("GCORE_API_KEY", sandbox.gcore.api_key)
    monkeypatch.setenv("GCORE_BASE_URL", sandbox.gcore_base_url)
    monkeypatch.setenv("VERSORI_API_KEY", sandbox.versori.api_key)
    monkeypatch.setenv("VERSORI_BASE_URL", sandbox.versori_base_url)
    with GcoreBilling() as gcore, Versori() as versori:
        assert gcore.invoices.get(1).id == "1"
        assert versori.invoices.upcoming("org_acme") is not None
    with GcoreBilling(base_url="https://api.gcore.com") as gcore:  # an argument wins
        assert gcore.base_url.startswith("https://api.gcore.com")
