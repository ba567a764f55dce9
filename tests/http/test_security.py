"""The key never leaks (repr, DEBUG logs, exception messages, tracebacks); HTTPS is required off loopback."""

from __future__ import annotations

import base64
import binascii
import logging
import pickle
import re
import traceback
import weakref

import httpx
import pytest

from invoice_clients import (
    APIStatusError,
    AsyncGcoreBilling,
    AsyncVersori,
    AuthenticationError,
    CredentialsError,
    GcoreBilling,
    InvalidArgumentError,
    ResponseValidationError,
    ServerError,
    Versori,
    _redaction,
)
from invoice_clients._http.security import safe_url
from invoice_clients._redaction import ApiKey, scrub_active, scrub_live, scrubbing
from invoice_clients.testing import Fault, Sandbox
from tests.conftest import FAST

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


# -- what the key checks and the URL checks say ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("abc\r\nX-Injected: 1", "the API key has a line break at position 4"),
        ("ab\ncd", "the API key has a line break at position 3"),
        ("ab cd", "the API key has a space at position 3"),
        ("\x0bsecret", "the API key has a space at position 1"),  # not one of the ends a copy-paste leaves
        ("sécret", "the API key has a non-printable or non-ASCII character at position 2"),
        ("secret\x7f", "the API key has a non-printable or non-ASCII character at position 7"),
        ("se\u200bcret", "the API key has a non-printable or non-ASCII character at position 3"),
    ],
)
def test_a_key_that_cannot_travel_in_a_header_is_refused_naming_the_position(key: str, message: str) -> None:
    with pytest.raises(CredentialsError) as caught:
        GcoreBilling(key, base_url="http://127.0.0.1:9")
    assert str(caught.value) == (
        f"{message}: only visible ASCII can be sent in a header (check for a stray character from a copy-paste)"
    )


def test_a_key_is_sent_as_given_but_for_the_ends_a_copy_paste_leaves() -> None:
    key = "X!secret~X"  # the first and the last visible ASCII characters; at the ends, letters stay
    with Sandbox(gcore_api_key=key) as server, GcoreBilling(f" \t{key}\r\n", base_url=server.url) as gcore:
        assert gcore.invoices.get(1).id == "1"
        assert server.requests[-1].headers["authorization"] == f"apikey {key}"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "no API key: pass api_key=... or set GCORE_API_KEY"),
        (" \r\n", "no API key: pass api_key=... or set GCORE_API_KEY"),
        (b"sk-bytes", "the API key must be a str, got bytes"),
    ],
)
def test_a_missing_or_unusable_key_says_what_to_do(monkeypatch: pytest.MonkeyPatch, key: object, message: str) -> None:
    monkeypatch.delenv("GCORE_API_KEY", raising=False)
    with pytest.raises(CredentialsError) as caught:
        GcoreBilling(key, base_url="http://127.0.0.1:9")  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_an_api_key_cannot_be_pickled() -> None:
    with pytest.raises(TypeError, match=r"^ApiKey cannot be pickled$"):
        pickle.dumps(ApiKey(KEY))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "http://api.gcore.com",
            "refusing to send the API key over plain HTTP to api.gcore.com: use https, or pass"
            " allow_insecure_http=True if you really mean it",
        ),
        ("ftp://api.gcore.com/x", "base_url must be an absolute http(s) URL, got 'ftp://api.gcore.com/x'"),
        ("/billing", "base_url must be an absolute http(s) URL, got '/billing'"),
        ("http://x:port/", "invalid base_url (Invalid port: 'port')"),
        ("http://u:hunter2@x:port/", "invalid base_url (it may hold a password, so it is not shown)"),
        (
            "https://user:hunter2@api.gcore.com",
            "base_url must not contain user-info (user:password@): httpx would send it as Basic auth; pass the key"
            " as api_key",
        ),
        (42, "base_url must be a str, got int"),
    ],
)
def test_a_base_url_that_cannot_be_used_is_refused_saying_why(url: object, message: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        GcoreBilling("k", base_url=url)  # type: ignore[arg-type]
    assert str(caught.value) == message


@pytest.mark.parametrize("host", ["localhost", "LocalHost", "localhost.", "127.0.0.1", "127.255.0.9", "[::1]"])
def test_plain_http_to_this_machine_is_allowed_by_any_name(host: str) -> None:
    GcoreBilling("k", base_url=f"http://{host}:8080").close()


def test_a_base_url_keeps_its_path_but_not_its_query_or_fragment() -> None:
    with GcoreBilling("k", base_url="https://api.example.com/billing?debug=1#top") as gcore:
        assert gcore.base_url == "https://api.example.com/billing"


def test_safe_url_drops_user_info_from_a_string_or_a_url() -> None:
    assert safe_url("https://user:hunter2@api.example.com/x?a=1") == "https://api.example.com/x?a=1"
    assert safe_url(httpx.URL("https://user@api.example.com/x")) == "https://api.example.com/x"
    assert safe_url("https://api.example.com/x") == "https://api.example.com/x"


# -- scrubbing: in error texts, in values quoted by validation, in logs, wherever the key sits in base64 -------


def test_whitespace_in_an_error_body_becomes_single_spaces_and_invisible_characters_go(sandbox: Sandbox) -> None:
    sandbox.inject(Fault.status(400, body="line one\n\tline\u2028two\x07 \u200bend"))
    with sandbox.gcore_client(retry=FAST) as gcore, pytest.raises(APIStatusError) as caught:
        gcore.invoices.get(1)
    assert caught.value.body == "line one line two end"


def test_a_value_quoted_by_validation_shows_the_key_as_stars(secret_sandbox: Sandbox) -> None:
    secret_sandbox.gcore.count_override = KEY  # type: ignore[assignment]
    with secret_sandbox.gcore_client(retry=FAST) as gcore, pytest.raises(ResponseValidationError) as caught:
        gcore.invoices.list().fetch_page()
    assert (
        caught.value.message == "response does not fit the spec: ValueError: page.count must be an integer, got '***'"
    )


def test_outside_a_client_call_nothing_is_scrubbed_by_the_active_key() -> None:
    key = ApiKey(KEY)
    assert scrub_active(f"x {KEY}") == f"x {KEY}"
    with scrubbing(key):
        assert scrub_active(f"x {KEY} y") == "x *** y"
    live = scrub_live(f"x {KEY} y")  # every key a client of this process holds (other tests' too: "k" may be)
    assert KEY not in live and "***" in live


def test_an_exception_logged_with_the_key_is_scrubbed_and_still_logged(caplog: pytest.LogCaptureFixture) -> None:
    key = ApiKey(KEY)
    logger = logging.getLogger("invoice_clients")
    with caplog.at_level(logging.ERROR, logger="invoice_clients"):
        try:
            raise ValueError(f"rejected {key.reveal()}")
        except ValueError:
            logger.exception("the call failed")
        logger.error("never raised", exc_info=ValueError(f"built with {key.reveal()}"))  # no traceback
    assert [record.getMessage() for record in caplog.records] == ["the call failed", "never raised"]
    assert KEY not in caplog.text
    assert "ValueError: rejected ***" in caplog.text and "ValueError: built with ***" in caplog.text


def test_records_are_passed_on_when_no_client_holds_a_key(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_redaction, "_LIVE_KEYS", weakref.WeakSet())  # whatever earlier tests left alive
    assert not _redaction._live_keys()
    with caplog.at_level(logging.INFO, logger="invoice_clients"):
        logging.getLogger("invoice_clients").info("nothing to scrub")
    assert [record.getMessage() for record in caplog.records] == ["nothing to scrub"]


def test_a_short_live_key_inside_a_longer_one_does_not_cut_the_longer_one_apart(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Another client's key "k" occurs inside KEY: scrubbed first, it broke KEY's occurrence into pieces no
    # pattern matched, and "-live-Zx81-very-secret" was logged (seen in the mutation run, where a client
    # with the key "k" outlived its test).
    short, long = ApiKey("k"), ApiKey(KEY)
    assert "sk-live" in long.reveal() and short.reveal() in long.reveal()
    shown = scrub_live(f"x {KEY} y")
    assert "-live-Zx81-very-secret" not in shown and "Zx81" not in shown
    with caplog.at_level(logging.INFO, logger="invoice_clients"):
        logging.getLogger("invoice_clients").info("sent %s", KEY)
        logging.getLogger("invoice_clients").error("failed", exc_info=ValueError(f"with {KEY}"))
    assert "Zx81" not in caplog.text


def test_every_occurrence_of_every_live_key_is_scrubbed_once() -> None:
    one, _two = ApiKey("secret-one-1234"), ApiKey("1234-two-secret")  # both alive while scrubbing
    assert scrub_live(f"a {one.reveal()} b {one.reveal()} c") == "a *** b *** c"
    assert scrub_live(one.reveal() * 2) == "******"  # side by side: two occurrences
    assert scrub_live("x secret-one-1234-two-secret y") == "x *** y"  # overlapping: one span
    assert scrub_live("nothing secret here") == "nothing secret here"


def _recoverable(text: str, secret: bytes) -> bool:
    """Whether any four bytes of ``secret`` in a row can be decoded from a stretch of ``text`` between stars."""
    windows = {secret[i : i + 4] for i in range(len(secret) - 3)}
    for stretch in text.split("***"):
        for run in re.findall(r"[A-Za-z0-9+/_-]+", stretch):
            for start in range(4):
                chunk = run[start:]
                chunk = chunk[: len(chunk) - len(chunk) % 4]
                for alphabet in (b"+/", b"-_"):
                    try:
                        decoded = base64.b64decode(chunk.encode(), altchars=alphabet)
                    except binascii.Error:  # the other alphabet's characters, dropped: not a whole quantum
                        continue
                    if any(window in decoded for window in windows):
                        return True
    return False


@pytest.mark.parametrize("prefix", [b"", b"\xff", b"\xfe\xfd"], ids=["aligned", "shift-1", "shift-2"])
@pytest.mark.parametrize("urlsafe", [False, True], ids=["base64", "base64url"])
def test_the_key_inside_base64_is_scrubbed_at_any_alignment(prefix: bytes, urlsafe: bool) -> None:
    secret = "sk-live-???~~~>>>-0123456789"  # its base64 holds both + and /: the URL-safe alphabet differs
    assert {"+", "/"} <= set(base64.b64encode(prefix + secret.encode()).decode())
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    blob = encode(prefix + secret.encode() + b"\x01\x02\x03").decode()
    assert _recoverable(blob, secret.encode())  # the check can see the key when it is there
    scrubbed = ApiKey(secret).scrub(f"token={blob};")
    assert "***" in scrubbed and not _recoverable(scrubbed, secret.encode())


def test_a_short_key_inside_base64_is_scrubbed_too() -> None:
    secret = "k3y-0!"  # six bytes: eight base64 characters, the shortest core that is looked for
    blob = base64.b64encode(secret.encode()).decode()
    assert ApiKey(secret).scrub(f"x {blob} y") == "x *** y"
