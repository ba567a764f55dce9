"""The key never leaks (repr, DEBUG logs, exception messages, tracebacks); HTTPS is required off loopback."""

from __future__ import annotations

import logging
import pickle
import traceback

import pytest

from invoice_clients import (
    AsyncGcoreBilling,
    AsyncVersori,
    AuthenticationError,
    GcoreBilling,
    InvalidArgumentError,
    ServerError,
    Versori,
)
from invoice_clients._security import ApiKey
from invoice_clients.testing import Fault, Sandbox

from .conftest import FAST

KEY = "sk-live-Zx81-very-secret"


@pytest.fixture
def secret_sandbox() -> Sandbox:
    with Sandbox(gcore_api_key=KEY, versori_api_key=KEY) as server:
        yield server  # type: ignore[misc]


def test_repr_never_shows_the_key(secret_sandbox: Sandbox) -> None:
    clients = [
        GcoreBilling(KEY, base_url=secret_sandbox.url),
        Versori(KEY, base_url=secret_sandbox.versori_base_url),
        AsyncGcoreBilling(KEY, base_url=secret_sandbox.url),
        AsyncVersori(KEY, base_url=secret_sandbox.versori_base_url),
    ]
    for client in clients:
        for text in (repr(client), str(client), repr(client.invoices.__dict__), repr(vars(client))):
            assert KEY not in text
        assert "***" in repr(client)
    with pytest.raises(TypeError):
        pickle.dumps(ApiKey(KEY))


def test_debug_logs_never_show_the_key(secret_sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # root: httpx, httpcore and ours
    secret_sandbox.inject(Fault.status(503))
    with secret_sandbox.gcore_client(retry=FAST) as gcore:
        list(gcore.invoices.list(page_size=10))
        gcore.invoices.download_pdf(1)
    with secret_sandbox.versori_client(retry=FAST) as versori:
        versori.invoices.upcoming("org_acme")
    messages = [record.getMessage() for record in caplog.records]
    assert any(record.name == "invoice_clients" for record in caplog.records)
    assert any("retrying" in message for message in messages)
    assert any(record.name.startswith("httpx") for record in caplog.records)
    assert not [m for m in messages if KEY in m]
    assert KEY not in caplog.text


def test_exceptions_never_show_the_key_even_when_the_server_echoes_it(secret_sandbox: Sandbox) -> None:
    with secret_sandbox.gcore_client(retry=FAST) as gcore:
        secret_sandbox.inject(Fault.status(500, body="internal error for Authorization: {authorization}"))
        with pytest.raises(ServerError) as caught:
            gcore.invoices.get(1)
    error = caught.value
    assert "apikey ***" in error.body
    rendered = "".join(traceback.format_exception(error))
    for text in (str(error), repr(error), error.body, error.message, rendered, repr(error.args)):
        assert KEY not in text


def test_authentication_error_does_not_show_the_wrong_key(sandbox: Sandbox) -> None:
    with GcoreBilling(KEY, base_url=sandbox.url) as gcore, pytest.raises(AuthenticationError) as caught:
        gcore.invoices.get(1)
    assert KEY not in "".join(traceback.format_exception(caught.value))


@pytest.mark.parametrize(
    "url",
    ["http://api.gcore.com", "http://10.0.0.5:8080", "http://example.com/api", "ftp://api.gcore.com", "not a url"],
)
def test_plain_http_off_loopback_is_refused(url: str) -> None:
    with pytest.raises(InvalidArgumentError):
        GcoreBilling("k", base_url=url)
    with pytest.raises(InvalidArgumentError):
        AsyncVersori("k", base_url=url)


@pytest.mark.parametrize(
    "url",
    ["https://api.gcore.com", "http://127.0.0.1:9", "http://127.8.9.10", "http://localhost:8080", "http://[::1]:80"],
)
def test_https_or_loopback_is_accepted(url: str) -> None:
    GcoreBilling("k", base_url=url).close()


def test_insecure_http_can_be_allowed_explicitly() -> None:
    client = Versori("k", base_url="http://versori.internal/api", allow_insecure_http=True)
    assert client.base_url == "http://versori.internal/api"
    client.close()


def test_credentials_in_the_url_are_refused_and_never_show(sandbox: Sandbox) -> None:
    # httpx would send user-info as Basic auth (and log it): refused up front, without echoing it
    with pytest.raises(InvalidArgumentError) as caught:
        GcoreBilling("k", base_url=f"http://user:hunter2@127.0.0.1:{sandbox.url.rsplit(':', 1)[1]}")
    assert "hunter2" not in str(caught.value)
    assert not sandbox.requests


def test_key_from_environment(monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox) -> None:
    monkeypatch.setenv("GCORE_API_KEY", "sandbox-gcore-key")
    monkeypatch.setenv("VERSORI_API_KEY", "sandbox-versori-key")
    with GcoreBilling(base_url=sandbox.url) as gcore:
        assert gcore.invoices.get(1).id == "1"
    with Versori(base_url=sandbox.versori_base_url) as versori:
        assert versori.invoices.upcoming("org_acme") is not None
    assert sandbox.requests[-1].headers["authorization"] == "Bearer sandbox-versori-key"


def test_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GCORE_API_KEY", raising=False)
    with pytest.raises(InvalidArgumentError, match="GCORE_API_KEY"):
        GcoreBilling()
    with pytest.raises(InvalidArgumentError):
        Versori("   ")
    with pytest.raises(InvalidArgumentError):
        Versori("abc\r\nX-Injected: 1")
