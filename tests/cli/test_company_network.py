"""The command line behind a company's proxy and CA (issue 31), run as a user runs it: in a subprocess, with the
variables set, against the sandbox behind a TLS front whose host name only the proxy resolves (see
``tests/network.py``), and httpx's own client, with its defaults, as the control in the same environment.

A subprocess costs a Python start (about 1.5 s of CPU, in each of CI's seven test sessions), so two runs go
through one (a listing through the proxy with credentials; a certificate failure), and the other cases run the
same ``main`` in this process with the same environment; each checks everything a run shows: exit code,
standard output, standard error, what the proxy and the TLS front saw.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from invoice_clients.cli import ExitCode, main
from invoice_clients.cli._output import COLUMNS
from invoice_clients.testing import Fault, Sandbox
from tests.network import INTERNAL_HOST, Authority, Proxy, TLSFront

USER, PASSWORD = "alice", "s3cr3t:p@ss/word"
SECRETS = (PASSWORD, base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(), "s3cr3t%3Ap%40ss%2Fword")
VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR",
             "INVOICE_CLIENTS_SYSTEM_CERTS")  # fmt: skip


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return Authority(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


@pytest.fixture
def front(authority: Authority, sandbox: Sandbox) -> Iterator[TLSFront]:
    with TLSFront(authority.server_context(), int(sandbox.url.rsplit(":", 1)[1])) as server:
        yield server


def _environment(sandbox: Sandbox, origin: str, **variables: str) -> dict[str, str]:
    """The machine's environment less its proxy and CA variables, pointed at ``origin``, plus ``variables``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.lower().endswith("_proxy") and name not in VARIABLES
    }
    for vendor, key in (("gcore", sandbox.gcore.api_key), ("versori", sandbox.versori.api_key)):
        env[f"{vendor.upper()}_API_KEY"] = key
        env[f"{vendor.upper()}_BASE_URL"] = sandbox.base_url_of(vendor).replace(sandbox.url, origin)
    return {**env, **variables}


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "invoice_clients", *args], env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


def _use(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """``env`` as this process's environment (for httpx's control, or the command run in process)."""
    for name in list(os.environ):
        if name not in env:
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def _in_process(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    """The command's exit status, stdout and stderr, run in this process (a second of start-up spared)."""
    _use(env, monkeypatch)
    with pytest.raises(SystemExit) as ended:
        main(list(args))
    out, err = capsys.readouterr()
    code = ended.value.code
    return (code if isinstance(code, int) else 1), out, err


def _control(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> httpx.Response:
    """httpx's own client in the same environment (its defaults read the same variables)."""
    _use(env, monkeypatch)
    with httpx.Client() as http:
        return http.get(env["GCORE_BASE_URL"] + "/billing/org/v1/erp-invoices", headers={"Authorization": "apikey x"})


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("invoice-clients: error: ")
    return lines[0].removeprefix("invoice-clients: error: ")


def test_the_command_line_goes_through_the_proxy_with_credentials_and_shows_them_nowhere(
    authority: Authority,
    sandbox: Sandbox,
    front: TLSFront,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with Proxy(credentials=(USER, PASSWORD)) as proxy:
        env = _environment(
            sandbox, f"https://{INTERNAL_HOST}:{front.port}", HTTPS_PROXY=proxy.url_with(USER, PASSWORD),
            SSL_CERT_FILE=str(authority.ca_file),
        )  # fmt: skip
        assert _control(env, monkeypatch).status_code == 401  # through the proxy to the API, which wants a key
        done = _run(env, "invoices", "export", "--currency", "EUR")
        wrong = {**env, "HTTPS_PROXY": proxy.url_with(USER, "wrong-" + PASSWORD)}
        code, out, err = _in_process(wrong, monkeypatch, capsys, "invoices", "get", "1")  # spared a start-up
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[0] == ",".join(COLUMNS) and len(done.stdout.splitlines()) > 1
    assert [request.answered for request in proxy.log] == [200, 200, 407]  # httpx, the export, one attempt
    assert {request.target for request in proxy.log} == {f"{INTERNAL_HOST}:{front.port}"}
    assert (code, out, err.count("\n")) == (ExitCode.NETWORK, "", 1)
    assert f"the proxy {proxy.url} from HTTPS_PROXY refused: 407 Proxy Authentication Required" in err
    for secret in SECRETS:
        assert secret not in done.stdout + done.stderr + out + err


def test_a_certificate_failure_is_one_attempt_one_actionable_line_and_nothing_on_stdout(
    authority: Authority,
    sandbox: Sandbox,
    front: TLSFront,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Proxy() as proxy:  # a company proxy, and no SSL_CERT_FILE: the company's CA is not trusted yet
        env = _environment(sandbox, f"https://{INTERNAL_HOST}:{front.port}", https_proxy=proxy.url)
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            _control(env, monkeypatch)
        front.handshakes = 0
        done = _run(env, "invoices", "list", "-f", "csv")
    assert done.returncode == ExitCode.NETWORK
    assert done.stdout == ""  # not even the CSV header: a pipeline must not take this for an empty month
    assert front.handshakes == 1  # one attempt (four before, each a TLS alert in the server's log)
    line = _one_line(done)
    assert "TLS certificate failed verification (unable to get local issuer certificate)" in line
    for advice in ("SSL_CERT_FILE", "SSL_CERT_DIR", "INVOICE_CLIENTS_SYSTEM_CERTS=1", "HTTPS_PROXY"):
        assert advice in line


def test_a_missing_ca_file_is_one_line_and_the_configuration_exit_code(
    sandbox: Sandbox,
    front: TLSFront,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    missing = tmp_path / "corp-ca.pem"
    env = _environment(sandbox, f"https://localhost:{front.port}", SSL_CERT_FILE=str(missing))
    for command in (("get", "1"), ("list", "-f", "csv")):  # were exit 1 with a 52-line traceback, and exit 8
        code, out, err = _in_process(env, monkeypatch, capsys, "invoices", *command)
        assert (code, out) == (ExitCode.CONFIGURATION, ""), command
        assert err.startswith(f"invoice-clients: error: SSL_CERT_FILE={missing}: no such file"), command
        assert err.count("\n") == 1, command
    assert front.handshakes == 0


def test_this_machine_is_reached_direct_whatever_the_proxy_variables_say(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sandbox on 127.0.0.1 (``invoice-clients demo``'s too) with every proxy variable set to a proxy that
    refuses everything: no request reaches it, as in Go's net/http (httpx sends it there: see the facade's test)."""
    with Proxy(refuse=403) as proxy:
        every = {name: proxy.url for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")}
        code, out, err = _in_process(_environment(sandbox, sandbox.url, **every), monkeypatch, capsys, "invoices",
                                     "list", "-f", "csv")  # fmt: skip
    assert (code, err) == (0, "")
    assert len(out.splitlines()) == 32
    assert proxy.log == []


@pytest.mark.parametrize("output_format", ["csv", "jsonl", "table"])
def test_a_listing_that_fails_after_its_first_page_writes_nothing(
    output_format: str, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In process, to time the failure: the first page is held a moment, and every later request fails."""
    import threading

    for number in range(150):
        sandbox.gcore.add_invoice(id=1000 + number, name=f"INV/2027/{number:05d}")
    env = _environment(sandbox, sandbox.url)
    sandbox.inject(Fault.latency(0.3))

    def fail_the_rest() -> None:
        while not sandbox.requests:
            threading.Event().wait(0.005)
        sandbox.inject(Fault.status(500), times=None)  # while the first page is held

    injector = threading.Thread(target=fail_the_rest)
    injector.start()
    code, out, err = _in_process(env, monkeypatch, capsys, "invoices", "list", "-f", output_format)
    injector.join()
    assert code == ExitCode.API_FAILURE
    assert len([request for request in sandbox.requests if "erp-invoices" in request.path]) >= 2
    assert out == ""  # the first page's rows were held back with the header
    assert "-> 500" in err


def test_help_names_the_variables(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ((), ("invoices", "list"), ("invoices", "export"), ("invoices", "get"), ("invoices", "pdf")):
        with pytest.raises(SystemExit):
            main([*command, "--help"])
        text = capsys.readouterr().out
        for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR",
                     "INVOICE_CLIENTS_SYSTEM_CERTS=1", "GCORE_API_KEY", "VERSORI_BASE_URL"):  # fmt: skip
            assert name in text, (command, name)
        assert all(len(line) <= 100 for line in text.splitlines()), command
