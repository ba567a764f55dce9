"""Class 8: a Versori organisation id is one opaque path segment on the wire, whatever it contains."""

from __future__ import annotations

import pytest

from invoice_clients import InvalidArgumentError, Versori
from tests.servers.hostile import HostileServer, Request, Script, response

pytestmark = pytest.mark.adversarial

KEY = "sk-test-paths-0123456789"
PREFIX = "/organisations/"


def _empty_list(request: Request) -> Script:
    return [response(b"[]")]


@pytest.mark.parametrize("organisation", [".", "..", "", " ", "a\nb", "a\x00b", "a\x7fb"])
def test_dot_segments_and_control_characters_are_refused(organisation: str) -> None:
    with HostileServer(_empty_list) as server, Versori(KEY, base_url=server.url) as versori:
        with pytest.raises(InvalidArgumentError):
            versori.invoices.list(organisation)
        with pytest.raises(InvalidArgumentError):
            versori.invoices.upcoming(organisation)
        assert not server.requests


@pytest.mark.parametrize(
    ("organisation", "segment"),
    [
        ("org_123", "org_123"),
        ("a/b", "a%2Fb"),
        ("../admin", "..%2Fadmin"),
        ("a?b=c", "a%3Fb%3Dc"),
        ("a#b", "a%23b"),
        ("100%", "100%25"),
        ("%2e%2e", "%252e%252e"),
        ("a b", "a%20b"),
        ("é", "%C3%A9"),
        ("...", "..."),
    ],
)
def test_every_other_id_travels_as_one_percent_encoded_segment(organisation: str, segment: str) -> None:
    with HostileServer(_empty_list) as server, Versori(KEY, base_url=server.url) as versori:
        versori.invoices.list(organisation)
        versori.invoices.upcoming(organisation)
    for request in server.requests:
        path = request.target.split("?", 1)[0]
        assert path == f"{PREFIX}{segment}/billing/invoices", request.target
