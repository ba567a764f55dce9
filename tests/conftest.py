"""Suite-wide setup: the process a test starts gets the signals a user's terminal gives it."""

from __future__ import annotations

import signal

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C reaches the processes the interrupt tests start, however the suite itself was started.

    A shell starts a background job (``nox -s tests &``, ``nohup``, some schedulers) with SIGINT ignored, and an
    ignored signal stays ignored across ``exec``: the CLI or script under test would never see the SIGINT its test
    sends.  A handler, unlike an ignored signal, is reset to the default by ``exec``, so each child starts as it
    would from a terminal.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
