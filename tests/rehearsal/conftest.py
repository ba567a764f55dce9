"""Fixtures of the spec-drift rehearsals: the rig (see :mod:`tests.rehearsal.rig`), fresh for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.drift.upstream import UpstreamServer

from .rig import Rig


@pytest.fixture(scope="session")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    server = UpstreamServer()
    try:
        yield Rig(tmp_path_factory.mktemp("rehearsal"), server)
    finally:
        server.close()


@pytest.fixture
def github(rig: Rig) -> Rig:
    """The rig with a fresh remote and an empty GitHub: each test starts from ``main`` alone."""
    rig.fresh_remote()
    return rig
