"""Fixtures of the HTTP layer's tests: certificates of a throwaway CA for the TLS loopback servers."""

from __future__ import annotations

import ssl

import pytest
import trustme


@pytest.fixture(scope="session")
def tls() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a certificate for ``localhost`` from a throwaway CA (trustme), and a client
    context that trusts that CA and nothing else."""
    authority = trustme.CA()
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("localhost").configure_cert(served)
    trusting = ssl.create_default_context(cadata=authority.cert_pem.bytes().decode())  # no system CAs
    return served, trusting
