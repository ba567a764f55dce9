"""Class 4: the API key appears in no exception, no log record and no CLI output, whatever the server echoes."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator

import pytest

from invoice_clients import (
    CredentialsError,
    GcoreBilling,
    InvalidArgumentError,
    InvoiceClientsError,
    RetryPolicy,
    Versori,
)
from tests.servers.hostile import HostileServer, Request, Script, encodings_of, gcore_invoice, response

pytestmark = pytest.mark.adversarial

KEY = "sk-live/Zx81+very~secret.key_1234567890abcdefgh"
QUICK = RetryPolicy(max_attempts=2, initial_delay=0.01, max_delay=0.01, jitter=0.0, max_elapsed=5.0)


def leaks(text: str, key: str = KEY, *, parts: bool = True) -> list[str]:
    """The forms of ``key`` found in ``text``: any encoding of the whole key, or 16 characters of it in a row."""
    found = [name for name, form in encodings_of(key).items() if form in text]
    if parts:
        found += [f"part {key[i : i + 16]!r}" for i in range(len(key) - 15) if key[i : i + 16] in text]
    return found


def exception_texts(error: BaseException) -> Iterator[str]:
    """Everything an exception and its whole chain can show: str, repr, args, notes, a formatted traceback."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield str(current)
        yield repr(current)
        yield repr(current.args)
        yield repr(getattr(current, "__notes__", ""))
        yield repr(vars(current)) if hasattr(current, "__dict__") else ""
        todo += [current.__cause__, current.__context__]
    yield "".join(traceback.format_exception(error))


def _as_shown(text: str) -> str:
    """``text`` as a terminal or rich would show it: escape sequences, control and invisible characters gone."""
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)
    return "".join(ch for ch in text if ch.isprintable() or ch in " \n")


def _echo(body: str, status: str = "500 Internal Server Error", **extra: object) -> Callable[[Request], Script]:
    def handler(request: Request) -> Script:
        return [response(body.encode(), status=status, **extra)]  # type: ignore[arg-type]

    return handler


def _scenarios() -> dict[str, Callable[[Request], Script]]:
    forms = encodings_of(KEY)
    scenarios: dict[str, Callable[[Request], Script]] = {
        "status line": _echo("{}", status=f"401 Unauthorized (apikey {KEY})"),
        "status line 503 retried": _echo("{}", status=f"503 Unavailable {KEY}"),
        "cut at 2000 bytes": _echo(" " * (2000 - len(KEY) + 2) + KEY),
        "after whitespace": _echo(" \t\n" * 900 + KEY),
        "hidden backspace": _echo(f"denied: {KEY[:10]}\b{KEY[10:]}"),
        "hidden zero-width space": _echo(f"denied: {KEY[:10]}\u200b{KEY[10:]}"),
        "hidden escape sequence": _echo(f"denied: {KEY[:10]}\x1b[0m{KEY[10:]}"),
        "headers": _echo(
            "{}",
            status="401 Unauthorized",
            headers=(("WWW-Authenticate", f'apikey realm="{KEY}"'), ("Location", f"/x?k={forms['url']}")),
        ),
        "validation currency": _echo(json.dumps(gcore_invoice(currency=KEY)), status="200 OK"),
        "validation count": _echo(json.dumps({"count": KEY, "results": []}), status="200 OK"),
        "validation key name": _echo(json.dumps({KEY: 1}), status="200 OK"),
    }
    for name, form in forms.items():
        scenarios[f"body {name}"] = _echo(f'{{"detail": "bad key {form}"}}')
    return scenarios


SCENARIOS = _scenarios()


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_no_exception_or_log_record_shows_the_key(name: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # the root: ours, httpx and httpcore, every level
    listing = "count" in name or "key name" in name
    with (
        HostileServer(SCENARIOS[name]) as server,
        GcoreBilling(KEY, base_url=server.url, retry=QUICK) as gcore,
        pytest.raises(InvoiceClientsError) as caught,
    ):
        gcore.invoices.list().fetch_page() if listing else gcore.invoices.get(1)
    texts = [*exception_texts(caught.value), caplog.text, *(r.getMessage() for r in caplog.records)]
    texts = [text for text in texts for text in (text, _as_shown(text))]
    # A server that splits the key with a visible "[0m" (its ESC stripped) shows two pieces of it: only the
    # whole key is checked there, since no client can hide what a server garbles into other visible text.
    assert not [leak for text in texts for leak in leaks(text, parts="escape" not in name)]


def test_versori_exceptions_and_logs_do_not_show_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with (
        HostileServer(_echo("{}", status=f"403 Forbidden (Bearer {KEY})")) as server,
        Versori(KEY, base_url=server.url, retry=QUICK) as versori,
        pytest.raises(InvoiceClientsError) as caught,
    ):
        versori.invoices.upcoming("org_1")
    texts = [*exception_texts(caught.value), caplog.text]
    assert not [leak for text in texts for leak in leaks(text)]


@pytest.mark.parametrize(
    "bad_key",
    ["sk\tlive-secret-0123456789", "sk\x00live-secret-0123456789", "sk\x0bsecret\x0c0123456789",
     "skélive-secret-0123456789", "sk\u200blive-secret-0123456789", "sk\u2028live-secret-0123456789",
     "sk live secret 0123456789"],
)  # fmt: skip
def test_a_key_that_cannot_travel_in_a_header_is_refused_without_showing_it(bad_key: str) -> None:
    with HostileServer(_echo("{}")) as server, pytest.raises(CredentialsError) as caught:
        GcoreBilling(bad_key, base_url=server.url, retry=QUICK)
    assert not server.requests
    assert not [leak for text in exception_texts(caught.value) for leak in leaks(text, bad_key)]
    assert "0123456789" not in "".join(exception_texts(caught.value))


@pytest.mark.parametrize("bad_key", [12345678901234567890, b"sk-live-bytes-key-0123", ["sk"]])
def test_a_key_that_is_not_a_string_is_a_credentials_error(bad_key: object) -> None:
    with pytest.raises(CredentialsError):
        GcoreBilling(bad_key, base_url="http://127.0.0.1:9")  # type: ignore[arg-type]


def test_a_base_url_with_a_password_is_refused_without_echoing_it(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with HostileServer(_echo("{}", status="200 OK")) as server:
        url = server.url.replace("http://", "http://user:hunter2-password-xyz@")
        with pytest.raises(InvalidArgumentError) as caught:
            GcoreBilling(KEY, base_url=url)
        assert not server.requests
    texts = [*exception_texts(caught.value), caplog.text]
    assert not [text for text in texts if "hunter2" in text]


@pytest.mark.parametrize(
    ("args", "status", "body"),
    [
        (["invoices", "get", "1"], f"401 Unauthorized (apikey {KEY})", "{}"),
        (["invoices", "get", "1"], "500 Internal Server Error", " " * 1960 + KEY),
        (["invoices", "get", "1"], "500 Internal Server Error", f"{KEY[:10]}\b\u200b{KEY[10:]}"),
        (["invoices", "get", "1"], "200 OK", json.dumps(gcore_invoice(currency=KEY))),
        (["invoices", "list", "--vendor", "versori", "--organisation", "o"], f"400 Bad {KEY}", "{}"),
    ],
)
def test_the_cli_does_not_print_the_key(args: list[str], status: str, body: str) -> None:
    with HostileServer(_echo(body, status=status)) as server:
        env = {**os.environ, "GCORE_API_KEY": KEY, "VERSORI_API_KEY": KEY}
        done = subprocess.run(
            [sys.executable, "-m", "invoice_clients", *args, "--base-url", server.url],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode not in (0, 1), done.stderr
    assert not leaks(_as_shown(done.stdout + done.stderr)), done.stderr


@pytest.mark.parametrize("output_format", ["table", "csv", "jsonl"])
def test_the_cli_does_not_print_a_key_the_server_puts_in_the_data(output_format: str) -> None:
    hidden = f"{KEY[:10]}\b{KEY[10:]}"
    body = json.dumps(gcore_invoice(name=KEY, payment_state=hidden, move_type=encodings_of(KEY)["url"]))
    with HostileServer(_echo(body, status="200 OK")) as server:
        env = {**os.environ, "GCORE_API_KEY": KEY}
        done = subprocess.run(
            [sys.executable, "-m", "invoice_clients", "invoices", "get", "1", "-f", output_format,
             "--base-url", server.url],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "***" in done.stdout
    assert not leaks(_as_shown(done.stdout + done.stderr)), done.stdout
