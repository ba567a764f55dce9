"""The sandbox's ready-made clients take the clients' own options (``ClientOptions``), and nothing else.

``sandbox.gcore_client(**options)`` and its siblings pass every option to the client's constructor, pointed
at the sandbox with its key: a misspelt option is the constructor's ``TypeError`` (never silently ignored),
every option (``deadline`` too) reaches the client, and the short retry delays are
the default only when no ``retry`` is given.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from invoice_clients import APITimeoutError, RetryPolicy
from invoice_clients.testing import Fault, Sandbox


def test_a_misspelt_option_is_refused_not_ignored(sandbox: Sandbox) -> None:
    with pytest.raises(TypeError, match="timout"):
        sandbox.gcore_client(timout=5)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="retries"):
        sandbox.async_versori_client(retries=2)  # type: ignore[call-arg]


def test_the_retry_given_is_kept_and_the_default_is_short(sandbox: Sandbox) -> None:
    mine = RetryPolicy(max_attempts=2, initial_delay=0.2)
    with sandbox.gcore_client(retry=mine) as given, sandbox.versori_client() as default:
        assert given.retry is mine
        assert default.retry.max_delay <= 0.05
        assert default.base_url == sandbox.versori_base_url


def test_every_client_option_reaches_the_client(sandbox: Sandbox) -> None:
    sandbox.inject(Fault.latency(2.0), times=None)
    with sandbox.gcore_client(deadline=0.3) as gcore, pytest.raises(APITimeoutError):
        gcore.invoices.get(1)


def test_the_async_client_takes_an_httpx_async_client_of_yours(sandbox: Sandbox) -> None:
    async def number() -> str | None:
        async with httpx.AsyncClient() as mine:
            async with sandbox.async_gcore_client(http_client=mine, timeout=5) as gcore:
                invoice = await gcore.invoices.get(1)
            assert not mine.is_closed  # the caller's client is the caller's to close
        return invoice.number

    assert asyncio.run(number()) is not None
