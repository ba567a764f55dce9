"""When the check cannot run: exit 3 and one line naming the URL or file and what went wrong."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scripts import fetch
from scripts.drift import check as drift_check
from scripts.errors import ToolchainError
from scripts.manifest import load_manifest

from .conftest import Drift
from .upstream import UpstreamServer, gcore, to_yaml, versori

VERSORI = "versori-organisations"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A URL whose server accepts connections and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(4)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/spec.yaml"


def _dangling() -> bytes:
    document = versori()
    del document["components"]["schemas"]["MonetaryValue"]
    return to_yaml(document)


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        pytest.param(
            lambda up: f"http://127.0.0.1:{_closed_port()}/spec.yaml",
            r": unreachable: .*Connection refused",
            id="connection-refused",
        ),
        pytest.param(lambda up: up.base_url + "/missing.yaml", r": HTTP 404 Not Found$", id="404"),
        pytest.param(
            lambda up: up.serve("/down.yaml", b"oops", status=503), r": HTTP 503 Service Unavailable$", id="503"
        ),
        pytest.param(
            lambda up: up.serve("/broken.yaml", b"openapi: 3.1.0\npaths: [\n"),
            r"/broken\.yaml:3:1: malformed YAML: ",
            id="malformed-yaml",
        ),
        pytest.param(
            lambda up: up.serve("/list.yaml", b"- just\n- a list\n"),
            r": not an OpenAPI document: the top level is not a mapping$",
            id="not-openapi",
        ),
        pytest.param(
            lambda up: up.serve("/swagger.yaml", b"swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n"),
            r": not an OpenAPI document: no 'openapi' field \(Swagger 2\.0 is not supported\)$",
            id="swagger-2",
        ),
        pytest.param(
            lambda up: up.serve("/latin1.yaml", "openapi: 3.1.0\ninfo: {title: é}\n".encode("latin-1")),
            r": malformed document: not UTF-8 text",
            id="not-utf8",
        ),
        pytest.param(
            lambda up: up.serve("/dangling.yaml", _dangling()),
            r": malformed document: \$ref '#/components/schemas/MonetaryValue' points at nothing$",
            id="dangling-ref",
        ),
        pytest.param(lambda up: "ftp://example.com/spec.yaml", r": only http\(s\) URLs and local files", id="ftp"),
    ],
)
def test_failures_exit_3_with_one_line_naming_the_source(
    drift_cli: Drift, upstream: UpstreamServer, source: Callable[[UpstreamServer], str], reason: str
) -> None:
    url = source(upstream)
    result = drift_cli("--api", VERSORI, "--upstream", url)
    assert result.status == 3
    assert result.out == ""
    (line,) = result.err.splitlines()
    assert line.startswith(f"error: {url}")
    assert re.search(reason, line), line


def test_a_silent_server_times_out(drift_cli: Drift, silent_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch, "TIMEOUT", 0.3)
    result = drift_cli("--api", VERSORI, "--upstream", silent_server)
    assert (result.status, result.err) == (3, f"error: {silent_server}: unreachable: no answer within 0.3 s\n")


def test_local_files_are_read_and_missing_ones_are_one_line(drift_cli: Drift, tmp_path: Path) -> None:
    spec = tmp_path / "gcore.yaml"
    spec.write_bytes(to_yaml(gcore()))
    assert drift_cli("--api", "gcore-billing", "--upstream", spec).status == 0
    missing = tmp_path / "nope.yaml"
    result = drift_cli("--api", "gcore-billing", "--upstream", missing)
    assert (result.status, result.err) == (3, f"error: {missing}: cannot read: No such file or directory\n")


def test_upstream_override_needs_one_api_and_api_names_must_exist(drift_cli: Drift, tmp_path: Path) -> None:
    result = drift_cli("--upstream", tmp_path / "any.yaml")
    assert result.status == 3 and result.err.endswith("needs --api NAME\n")
    result = drift_cli("--api", "stripe")
    assert result.status == 3 and "no API named 'stripe' (known: gcore-billing, versori-organisations)" in result.err


def test_the_manifest_upstream_url_is_the_default(drift_cli: Drift, monkeypatch: pytest.MonkeyPatch) -> None:
    fetched: list[str] = []

    def offline(source: str) -> fetch.Fetched:
        fetched.append(source)
        raise ToolchainError(source, "unreachable: offline test")

    monkeypatch.setattr(drift_check, "fetch", offline)
    result = drift_cli()
    assert result.status == 3 and result.out == ""
    # The files each vendor publishes today, in its public documentation repository (not a docs page); one
    # unreachable URL does not stop the next API from being checked.
    gcore_url = (
        "https://raw.githubusercontent.com/G-Core/product-documentation/main/"
        "api-reference/services_docs_mintlify_enriched/billing_reseller_api.yaml"
    )
    versori_url = "https://raw.githubusercontent.com/versori/user-docs/main/openapi/organisations-api-v1.yaml"
    assert fetched == [gcore_url, versori_url]
    assert result.err.splitlines() == [
        f"error: {gcore_url}: unreachable: offline test",
        f"error: {versori_url}: unreachable: offline test",
    ]
    drift_cli("--api", VERSORI)
    assert fetched[-1] == versori_url


def test_one_unreachable_api_is_reported_and_the_others_still_checked(
    drift_cli: Drift, upstream: UpstreamServer, repo: Path, tmp_path: Path
) -> None:
    manifest = repo / "specs" / "manifest.toml"
    text = manifest.read_text()
    for name, url in [
        ("gcore-billing", upstream.base_url + "/missing/gcore.yaml"),
        ("versori-organisations", upstream.serve("/partial/versori.yaml", versori())),
    ]:
        (api,) = load_manifest(manifest, repo).select(name)
        text = text.replace(api.upstream, url)
    manifest.write_text(text)
    report = tmp_path / "drift.json"
    result = drift_cli("--json-report", report, root=repo)
    assert result.status == 3
    assert result.err == f"error: {upstream.base_url}/missing/gcore.yaml: HTTP 404 Not Found\n"
    assert "## gcore-billing: could not check" in result.out
    assert "## versori-organisations: no relevant change" in result.out
    data = json.loads(report.read_text())
    assert [(api["api"], api["exit_status"], bool(api["error"])) for api in data["apis"]] == [
        ("gcore-billing", 3, True),
        ("versori-organisations", 0, False),
    ]
    # Nothing was fetched for Gcore: no upstream version to name (not "unknown", which a document may say).
    unreachable, checked = data["apis"]
    assert (unreachable["info_version"], unreachable["sha256"]) == ("", "")
    assert checked["info_version"] == versori()["info"]["version"]
    assert data["errors"] == [result.err.strip()]
