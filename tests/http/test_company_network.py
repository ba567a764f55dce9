"""Every client behind a company's proxy and CA, on loopback (issue 31): a CONNECT proxy of our own
(``tests/network.py``: open, asking for Basic credentials, refusing), a TLS front with certificates of a CA made
at run time, the sandbox behind it, and httpx's own client, with its defaults, as the control in each test.

The API's host is ``invoices.internal.test``: only the proxy resolves it (to 127.0.0.1), so a client that does
not go through the proxy fails to resolve it.  Nothing leaves this machine.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import inspect
import logging
import socket
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from invoice_clients import (
    APIConnectionError,
    APITimeoutError,
    AsyncGcoreBilling,
    AsyncVersori,
    CertificateVerificationError,
    ConfigurationError,
    GcoreBilling,
    InvalidArgumentError,
    InvoiceClientsError,
    ProxyError,
    RetryPolicy,
    Versori,
)
from invoice_clients.testing import Fault, Sandbox
from tests.network import INTERNAL_HOST, Authority, Proxy, TLSFront

FIRST_HALF = (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
EVERY = [31, 6, 31, 6]
"""What each client lists (in :func:`_clients`' order): every Gcore invoice, and Versori's org_acme, monthly from
January to June 2026."""
ONCE = RetryPolicy(max_attempts=1)
QUICK = RetryPolicy(max_attempts=4, initial_delay=0.001, max_delay=0.005, jitter=0.0, max_elapsed=10.0)
USER, PASSWORD = "alice", "s3cr3t:p@ss/word"  # a ':' and an '@': percent-encoded in the URL
_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR", "INVOICE_CLIENTS_SYSTEM_CERTS", "REQUEST_METHOD")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy or CA variable of the machine running the tests."""
    import os

    for name in list(os.environ):
        if name.lower().endswith("_proxy") or name in _VARIABLES:
            monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return Authority(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


@pytest.fixture
def front(authority: Authority, sandbox: Sandbox) -> Iterator[TLSFront]:
    """The sandbox over TLS, with a certificate of the test CA for the internal host and loopback."""
    with TLSFront(authority.server_context(), _port(sandbox)) as server:
        yield server


def _port(sandbox: Sandbox) -> int:
    return int(sandbox.url.rsplit(":", 1)[1])


def _base(sandbox: Sandbox, vendor: str, origin: str) -> str:
    return sandbox.base_url_of(vendor).replace(sandbox.url, origin)


def _origin(front: TLSFront, host: str = INTERNAL_HOST) -> str:
    return f"https://{host}:{front.port}"


def _clients(sandbox: Sandbox, origin: str, **options: Any) -> list[tuple[str, Callable[[], Any]]]:
    """A call that lists invoices with each client (sync and async, both vendors), its result a count."""

    def gcore() -> int:
        with GcoreBilling(sandbox.gcore.api_key, base_url=_base(sandbox, "gcore", origin), **options) as client:
            return len(list(client.invoices.list()))

    def versori() -> int:
        with Versori(sandbox.versori.api_key, base_url=_base(sandbox, "versori", origin), **options) as client:
            return len(client.invoices.list("org_acme", *FIRST_HALF, select="starting"))

    def async_gcore() -> int:
        async def main() -> int:
            base = _base(sandbox, "gcore", origin)
            async with AsyncGcoreBilling(sandbox.gcore.api_key, base_url=base, **options) as client:
                return len([invoice async for invoice in client.invoices.list()])

        return asyncio.run(main())

    def async_versori() -> int:
        async def main() -> int:
            base = _base(sandbox, "versori", origin)
            async with AsyncVersori(sandbox.versori.api_key, base_url=base, **options) as client:
                return len(await client.invoices.list("org_acme", *FIRST_HALF, select="starting"))

        return asyncio.run(main())

    return [("GcoreBilling", gcore), ("Versori", versori), ("AsyncGcoreBilling", async_gcore),
            ("AsyncVersori", async_versori)]  # fmt: skip


def _control(sandbox: Sandbox, origin: str, **options: Any) -> httpx.Response:
    """httpx's own client, with its defaults: what a user compares us with."""
    with httpx.Client(**options) as http:
        return http.get(
            _base(sandbox, "gcore", origin) + "/billing/org/v1/erp-invoices",
            headers={"Authorization": f"apikey {sandbox.gcore.api_key}"},
        )


def _httpx_client(proxy: str, verify: Any = True) -> httpx.Client:
    """``httpx.Client(proxy=..., verify=...)``, as every httpx the dependency range admits spells it (``proxies=``
    before 0.26)."""
    if "proxy" in inspect.signature(httpx.Client).parameters:
        return httpx.Client(proxy=proxy, verify=verify)
    return httpx.Client(proxies=proxy, verify=verify)  # type: ignore[call-arg, unused-ignore]


def _unresolvable_here(host: str) -> None:
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo(host, 443)


def _shown(error: BaseException) -> str:
    """Everything an exception shows: ``str``, ``repr``, ``args``, attributes, and its whole chain."""
    parts = []
    seen: BaseException | None = error
    while seen is not None:
        parts += [str(seen), repr(seen), repr(seen.args), repr(vars(seen))]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


def _secret_forms() -> list[str]:
    userpass = f"{USER}:{PASSWORD}".encode()
    return [PASSWORD, base64.b64encode(userpass).decode(), "s3cr3t%3Ap%40ss%2Fword"]


# -- proxies -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
def test_every_client_goes_through_the_proxy_of_the_environment(
    variable: str, authority: Authority, sandbox: Sandbox, front: TLSFront, monkeypatch: pytest.MonkeyPatch
) -> None:
    _unresolvable_here(INTERNAL_HOST)  # only the proxy can reach the API
    with Proxy() as proxy:
        monkeypatch.setenv(variable, proxy.url)
        monkeypatch.setenv("SSL_CERT_FILE", str(authority.ca_file))
        assert _control(sandbox, _origin(front)).status_code == 200
        every = _clients(sandbox, _origin(front))
        chosen = every if variable == "HTTPS_PROXY" else [every[0], every[3]]  # one variable read by one function
        counts = {name: call() for name, call in chosen}
    expected = dict(zip(("GcoreBilling", "Versori", "AsyncGcoreBilling", "AsyncVersori"), EVERY, strict=True))
    assert counts == {name: expected[name] for name, _ in chosen}
    assert proxy.targets == [f"{INTERNAL_HOST}:{front.port}"] * (1 + len(chosen))  # httpx, each client: by name


@pytest.mark.parametrize(
    "no_proxy", ["internal.test", ".internal.test", "*.internal.test", "example.com, INVOICES.internal.test", "*"]
)
def test_no_proxy_sends_a_host_direct(
    no_proxy: str, authority: Authority, sandbox: Sandbox, front: TLSFront, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Proxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", no_proxy)
        monkeypatch.setenv("SSL_CERT_FILE", str(authority.ca_file))
        for name, call in _clients(sandbox, _origin(front), retry=ONCE):
            with pytest.raises(APIConnectionError, match=r"not known|resolution") as raised:
                call()  # direct: this machine cannot resolve the name
            assert type(raised.value) is APIConnectionError, name
        if no_proxy in ("internal.test", "*"):  # spelt the same for httpx
            with pytest.raises(httpx.ConnectError):
                _control(sandbox, _origin(front))
    assert proxy.log == []


@pytest.mark.parametrize("no_proxy", ["example.com,notinternal.test", f"{INTERNAL_HOST}:1", "10.0.0.0/8"])
def test_no_proxy_entries_for_other_hosts_or_ports_leave_the_proxy_in_use(
    no_proxy: str, authority: Authority, sandbox: Sandbox, front: TLSFront, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Proxy() as proxy:
        monkeypatch.setenv("https_proxy", proxy.url)
        monkeypatch.setenv("no_proxy", no_proxy)
        monkeypatch.setenv("SSL_CERT_FILE", str(authority.ca_file))
        _, call = _clients(sandbox, _origin(front))[0]
        assert call() == 31
    assert proxy.targets == [f"{INTERNAL_HOST}:{front.port}"]


def test_this_machine_is_never_reached_through_the_environments_proxy(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Proxy(refuse=403) as proxy:
        for variable in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            monkeypatch.setenv(variable, proxy.url)
        assert _control(sandbox, sandbox.url).status_code == 403  # httpx takes HTTP_PROXY even for 127.0.0.1
        assert len(proxy.log) == 1
        counts = [call() for _, call in _clients(sandbox, sandbox.url)]
    assert counts == EVERY
    assert len(proxy.log) == 1  # the clients went direct: the proxy's own 127.0.0.1 is not ours


def test_proxy_credentials_work_and_are_shown_nowhere(
    authority: Authority,
    sandbox: Sandbox,
    front: TLSFront,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx's, httpcore's and ours, at every level
    with Proxy(credentials=(USER, PASSWORD)) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url_with(USER, PASSWORD))
        monkeypatch.setenv("SSL_CERT_FILE", str(authority.ca_file))
        assert _control(sandbox, _origin(front)).status_code == 200
        counts = [call() for _, call in _clients(sandbox, _origin(front))]
        with GcoreBilling(sandbox.gcore.api_key, base_url=_base(sandbox, "gcore", _origin(front))) as client:
            shown = repr(client) + repr(client.__dict__) + repr(vars(client._sender))
    assert counts == EVERY
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert [request.authorization for request in proxy.log] == [f"Basic {token}"] * 5
    for secret in _secret_forms():
        assert secret not in shown
        assert secret not in caplog.text


@pytest.mark.parametrize("echo", [False, True], ids=["proxy", "hostile-proxy-echoing-the-header"])
def test_a_wrong_password_is_one_attempt_and_a_proxy_error_that_shows_no_secret(
    echo: bool,
    authority: Authority,
    sandbox: Sandbox,
    front: TLSFront,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with Proxy(credentials=(USER, "the-right-one"), echo=echo) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url_with(USER, PASSWORD))
        monkeypatch.setenv("SSL_CERT_FILE", str(authority.ca_file))
        with pytest.raises(httpx.ProxyError, match="407"):
            _control(sandbox, _origin(front))
        caplog.clear()  # httpx's own records of the control (it holds no key of ours): only our clients' are judged
        errors = []
        for name, call in _clients(sandbox, _origin(front), retry=QUICK):
            with pytest.raises(ProxyError) as raised:
                call()
            errors.append(raised.value)
            assert raised.value.proxy_status == 407, name
    assert [request.answered for request in proxy.log] == [407] * 5  # httpx once, and each client once
    for error in errors:
        assert f"the proxy {proxy.url} from HTTPS_PROXY refused: 407 Proxy Authentication Required" in str(error)
        assert "\n" not in str(error)
        assert error.__cause__ is None and error.__context__ is None
        for secret in _secret_forms():
            assert secret not in _shown(error)
    for secret in _secret_forms():
        assert secret not in caplog.text


def test_a_proxy_that_refuses_the_host_is_one_attempt_and_a_proxy_error(
    authority: Authority, sandbox: Sandbox, front: TLSFront, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Proxy(refuse=403) as proxy:
        monkeypatch.setenv("https_proxy", proxy.url)
        monkeypatch.setenv("SSL_CERT_FILE", str(authority.ca_file))
        for name, call in _clients(sandbox, _origin(front), retry=QUICK):
            with pytest.raises(ProxyError, match=r"from https_proxy refused: 403 Forbidden: its policy") as raised:
                call()
            assert raised.value.proxy_status == 403, name
    assert [request.answered for request in proxy.log] == [403] * 4


def test_the_explicit_proxy_wins_and_trust_env_false_reads_no_variable(
    authority: Authority, sandbox: Sandbox, front: TLSFront, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Proxy() as environment, Proxy(credentials=(USER, PASSWORD)) as given:
        monkeypatch.setenv("HTTPS_PROXY", environment.url)
        monkeypatch.setenv("NO_PROXY", "*")  # not read beside proxy= (as httpx)
        monkeypatch.setenv("SSL_CERT_FILE", str(authority.ca_file))
        as_url = {"proxy": given.url_with(USER, PASSWORD)}
        as_proxy = {"proxy": httpx.Proxy(given.url_with(USER, PASSWORD))}
        with _httpx_client(given.url_with(USER, PASSWORD)) as http:
            assert http.get(_base(sandbox, "gcore", _origin(front)) + "/billing/org/v1/erp-invoices").status_code == 401
        assert [call() for _, call in _clients(sandbox, _origin(front), **as_url)] == EVERY
        assert _clients(sandbox, _origin(front), **as_proxy)[3][1]() == EVERY[3]
        assert environment.log == [] and len(given.log) == 6
        # trust_env=False: neither HTTPS_PROXY nor SSL_CERT_FILE (certifi's CAs do not know the test's)
        monkeypatch.delenv("NO_PROXY")
        with pytest.raises(httpx.ConnectError):
            _control(sandbox, _origin(front, "localhost"), trust_env=False)
        for _, call in _clients(sandbox, _origin(front, "localhost"), trust_env=False):
            with pytest.raises(CertificateVerificationError, match="unable to get local issuer certificate"):
                call()
        assert environment.log == []


def test_an_https_proxy_is_reached_over_tls_trusted_as_the_origins_are(
    authority: Authority, sandbox: Sandbox, front: TLSFront, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Proxy(tls=authority.server_context("localhost")) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        monkeypatch.setenv("SSL_CERT_FILE", str(authority.ca_file))
        counts = [call() for _, call in _clients(sandbox, _origin(front))]
    assert counts == EVERY
    assert proxy.targets == [f"{INTERNAL_HOST}:{front.port}"] * 4  # TLS to the proxy, TLS inside the tunnel


def test_the_deadline_holds_through_the_proxy(
    authority: Authority, sandbox: Sandbox, front: TLSFront, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox.inject(Fault.latency(30), times=None)
    with Proxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        monkeypatch.setenv("SSL_CERT_FILE", str(authority.ca_file))
        every = _clients(sandbox, _origin(front), deadline=0.2)
        for _, call in (every[0], every[2]):  # the two network backends: blocking, asyncio
            started = time.monotonic()
            with pytest.raises(APITimeoutError):
                call()
            assert time.monotonic() - started < 5  # not the 30 s the server holds the answer
    assert len(proxy.targets) == 2


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("HTTPS_PROXY", "socks5://127.0.0.1:1080", "HTTPS_PROXY=socks5://127.0.0.1:1080: socks5:// proxies are not"),
        ("ALL_PROXY", "ftp://proxy.example:2121", "ALL_PROXY=ftp://proxy.example:2121: not an http:// or https://"),
        ("https_proxy", "http://alice:pw@[::1", "https_proxy: not a proxy URL (the value is not shown"),
    ],
)
def test_a_proxy_variable_that_cannot_be_used_is_a_configuration_error(
    variable: str, value: str, said: str, sandbox: Sandbox, front: TLSFront, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises((ImportError, ValueError, httpx.InvalidURL)):  # httpx: no socksio, a scheme, a URL
        httpx.Client()
    for client in (GcoreBilling, AsyncGcoreBilling):
        with pytest.raises(ConfigurationError) as raised:
            client("key", base_url=f"https://api.example:{front.port}")
        assert said in str(raised.value)
        assert "pw" not in str(raised.value) and raised.value.__cause__ is None


def test_a_socks_proxy_beside_an_https_proxy_is_never_read(
    authority: Authority, sandbox: Sandbox, front: TLSFront, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Proxy() as proxy:
        monkeypatch.setenv("all_proxy", "socks://127.0.0.1:1080/")  # as GNOME's manual proxy settings export it
        monkeypatch.setenv("https_proxy", proxy.url)
        monkeypatch.setenv("SSL_CERT_FILE", str(authority.ca_file))
        assert _clients(sandbox, _origin(front))[0][1]() == 31
    assert len(proxy.targets) == 1


# -- certificates --------------------------------------------------------------------------------------------------


@pytest.fixture(params=["unknown-CA", "wrong-name", "expired"])
def refused(request: pytest.FixtureRequest, authority: Authority, sandbox: Sandbox) -> Iterator[tuple[TLSFront, str]]:
    """A TLS front whose certificate fails verification, and the reason OpenSSL gives."""
    if request.param == "unknown-CA":
        other_directory = authority.ca_file.parent / "other"
        other_directory.mkdir(exist_ok=True)
        other = Authority(other_directory)
        context, reason = other.server_context(), "unable to get local issuer certificate"
    elif request.param == "wrong-name":
        context, reason = authority.server_context("elsewhere.test"), "Hostname mismatch"
    else:
        context, reason = authority.server_context(expired=True), "certificate has expired"
    with TLSFront(context, _port(sandbox)) as server:
        yield server, reason


def test_a_certificate_that_fails_verification_is_tried_once_and_says_what_to_try(
    refused: tuple[TLSFront, str], authority: Authority, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, reason = refused
    monkeypatch.setenv("SSL_CERT_FILE", str(authority.ca_file))
    origin = _origin(server, "localhost")
    with pytest.raises(httpx.ConnectError, match=reason):
        _control(sandbox, origin)
    assert server.handshakes == 1
    for name, call in _clients(sandbox, origin, retry=QUICK):
        server.handshakes = 0
        with pytest.raises(CertificateVerificationError) as raised:
            call()
        assert server.handshakes == 1, name  # four before: every retry met the same certificate
        message = str(raised.value)
        assert reason in message and "not retried" in message and "\n" not in message
        for advice in ("SSL_CERT_FILE", "SSL_CERT_DIR", "INVOICE_CLIENTS_SYSTEM_CERTS=1", "HTTPS_PROXY"):
            assert advice in message


def test_a_certificate_failure_through_the_caller_s_httpx_client_is_tried_once(
    authority: Authority, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TLSFront(authority.server_context("elsewhere.test"), _port(sandbox)) as server:
        base = _base(sandbox, "gcore", _origin(server, "localhost"))
        with (
            httpx.Client(verify=authority.client_context()) as mine,
            GcoreBilling("key", base_url=base, http_client=mine, retry=QUICK) as gcore,
            pytest.raises(CertificateVerificationError, match="Hostname mismatch"),
        ):
            gcore.invoices.get(1)
    assert server.handshakes == 1


def test_a_reset_during_the_handshake_is_still_retried(
    authority: Authority, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(authority.ca_file))
    with TLSFront(authority.server_context(), _port(sandbox)) as server:
        for name, call in _clients(sandbox, _origin(server, "localhost"), retry=QUICK):
            server.handshakes, server.reset_first = 0, 1
            assert call() in EVERY, name
            assert server.handshakes == 2, name  # the reset one, then one that passed


def test_ssl_cert_file_and_dir_are_the_cas_trusted(
    authority: Authority, sandbox: Sandbox, front: TLSFront, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    origin = _origin(front, "localhost")
    monkeypatch.setenv("SSL_CERT_FILE", str(authority.ca_file))
    assert [call() for _, call in _clients(sandbox, origin)] == EVERY
    monkeypatch.delenv("SSL_CERT_FILE")
    monkeypatch.setenv("SSL_CERT_DIR", str(authority.hashed_directory(tmp_path / "certs")))
    assert _control(sandbox, origin).status_code == 200
    assert [call() for _, call in _clients(sandbox, origin)] == EVERY


def test_ipv6_loopback_over_tls(authority: Authority, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    monkeypatch.setenv("SSL_CERT_FILE", str(authority.ca_file))
    try:
        server = TLSFront(authority.server_context(), _port(sandbox), family=socket.AF_INET6)
    except OSError:
        pytest.skip("this machine's loopback has no ::1")
    with server:
        assert [call() for _, call in _clients(sandbox, f"https://[::1]:{server.port}")] == EVERY


def _garbage(tmp_path: Path) -> str:
    path = tmp_path / "not-a-certificate.pem"
    path.write_text("this is not a certificate\n")
    return str(path)


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("SSL_CERT_FILE", lambda tmp: str(tmp / "missing.pem"), "SSL_CERT_FILE={}: no such file"),
        ("SSL_CERT_FILE", lambda tmp: str(tmp), "SSL_CERT_FILE={}: a directory, not a file"),
        ("SSL_CERT_FILE", _garbage, "SSL_CERT_FILE={}: holds no usable PEM certificate"),
        ("SSL_CERT_DIR", lambda tmp: str(tmp / "missing"), "SSL_CERT_DIR={}: no such directory"),
        ("SSL_CERT_DIR", _garbage, "SSL_CERT_DIR={}: not a directory"),
        ("INVOICE_CLIENTS_SYSTEM_CERTS", lambda tmp: "maybe", "INVOICE_CLIENTS_SYSTEM_CERTS='maybe' is not a switch"),
    ],
    ids=[
        "file-missing",
        "file-is-a-directory",
        "file-holds-no-certificate",
        "dir-missing",
        "dir-is-a-file",
        "switch-not-a-switch",
    ],
)
def test_a_ca_variable_that_cannot_be_used_is_a_configuration_error_naming_it(
    variable: str, value: Callable[[Path], str], said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = value(tmp_path)
    monkeypatch.setenv(variable, shown)
    if variable == "SSL_CERT_FILE" and said.endswith("no such file"):  # httpx's own client:
        if tuple(int(part) for part in httpx.__version__.split(".")[:2]) >= (0, 28):
            with pytest.raises(FileNotFoundError):  # a bare OSError, with no file name
                httpx.Client()
        else:
            httpx.Client().close()  # the variable silently ignored: certifi's CAs instead
    for client in (GcoreBilling, AsyncGcoreBilling, Versori, AsyncVersori):
        with pytest.raises(ConfigurationError) as raised:
            client("key", base_url="https://api.example")
        assert isinstance(raised.value, InvoiceClientsError) and isinstance(raised.value, ValueError)
        assert str(raised.value).startswith(said.format(shown)), str(raised.value)
        assert "\n" not in str(raised.value) and raised.value.__cause__ is None
    monkeypatch.setenv("INVOICE_CLIENTS_SYSTEM_CERTS", "maybe")
    GcoreBilling("key", base_url="https://api.example", trust_env=False).close()  # reads none of them


@pytest.mark.skipif(sys.platform != "linux", reason="the system store is OpenSSL's default paths only on Linux")
def test_the_system_store_is_what_verifies_when_asked(
    authority: Authority, sandbox: Sandbox, front: TLSFront, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Linux, truststore verifies with OpenSSL's default paths, which ``SSL_CERT_FILE`` points elsewhere in the
    process: with ``trust_env=False`` the clients read no variable themselves, so only the system store (asked
    for) can trust the test's CA; certifi's bundle (not asked for) cannot."""
    monkeypatch.setenv("SSL_CERT_FILE", str(authority.ca_file))
    origin = _origin(front, "localhost")
    assert [call() for _, call in _clients(sandbox, origin, trust_env=False, system_certs=True)] == EVERY
    with pytest.raises(CertificateVerificationError):
        _clients(sandbox, origin, trust_env=False, system_certs=False)[0][1]()
    monkeypatch.setenv("INVOICE_CLIENTS_SYSTEM_CERTS", "1")
    monkeypatch.delenv("SSL_CERT_FILE")
    for name, call in _clients(sandbox, origin, retry=QUICK):  # the switch is read: the store lacks the test CA
        front.handshakes = 0
        with pytest.raises(CertificateVerificationError, match="unable to get local issuer certificate"):
            call()
        assert front.handshakes == 1, name


def test_a_caller_s_client_with_a_proxy_is_honoured_and_its_password_is_shown_nowhere(
    authority: Authority, sandbox: Sandbox, front: TLSFront, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    base = _base(sandbox, "gcore", _origin(front))
    with Proxy(credentials=(USER, PASSWORD)) as proxy:
        with (
            _httpx_client(proxy.url_with(USER, PASSWORD), authority.client_context()) as mine,
            GcoreBilling(sandbox.gcore.api_key, base_url=base, http_client=mine) as gcore,
        ):
            assert len(list(gcore.invoices.list())) == 31
            shown = repr(gcore)
        with (
            _httpx_client(proxy.url_with(USER, "wrong"), authority.client_context()) as mine,
            GcoreBilling("key", base_url=base, http_client=mine, retry=QUICK) as gcore,
            pytest.raises(ProxyError) as raised,
        ):
            gcore.invoices.get(1)
    assert "the proxy refused: 407" in str(raised.value)
    assert [request.answered for request in proxy.log] == [200, 407]
    for secret in _secret_forms():
        assert secret not in shown + _shown(raised.value) + caplog.text


def test_the_options_are_the_clients_own(sandbox: Sandbox) -> None:
    """``proxy``, ``trust_env`` and ``system_certs`` are refused where they cannot apply, and typed."""
    with pytest.raises(InvalidArgumentError, match=r"proxy=gopher://proxy\.example: not an http"):
        GcoreBilling("key", base_url="https://api.example", proxy="gopher://proxy.example")
    with pytest.raises(InvalidArgumentError, match="give your httpx client its proxy"):
        GcoreBilling("key", http_client=httpx.Client(), proxy="http://proxy.example:3128")
    with pytest.raises(InvalidArgumentError, match="trust_env and system_certs must be True or False"):
        sandbox.gcore_client(trust_env="no")  # type: ignore[typeddict-item]
    with pytest.raises(InvalidArgumentError, match="proxy must be a URL"):
        sandbox.gcore_client(proxy=3128)  # type: ignore[typeddict-item]
    with pytest.raises(InvalidArgumentError, match="with http_client="):
        sandbox.gcore_client(http_client=httpx.Client(), system_certs=True)
