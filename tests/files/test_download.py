"""The download spool (``_download.py``), in-process: each attempt starts from nothing, the body reaches its
destination only when delivered, and every local failure is a ``LocalFileError`` naming the place."""

from __future__ import annotations

import asyncio
import errno
import io
import os
import resource
import signal
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from invoice_clients import InvoiceClientsError, LocalFileError
from invoice_clients._download import Spool


def _chunks(*parts: bytes) -> Iterator[bytes]:
    yield from parts


async def _achunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def test_a_retry_starts_from_nothing_and_only_the_last_attempt_is_delivered(tmp_path: Path) -> None:
    target = tmp_path / "x.pdf"
    spool = Spool(target)
    try:
        assert spool.consume(_chunks(b"%PDF-first attempt, ", b"cut short")) == 29
        assert not target.exists()  # nothing before delivery
        assert spool.consume(_chunks(b"%PDF-", b"1.4 ", b"whole")) == 14
        spool.deliver(target)
    finally:
        spool.close()
    assert target.read_bytes() == b"%PDF-1.4 whole"
    assert os.listdir(tmp_path) == ["x.pdf"]


def test_the_async_twin_does_the_same(tmp_path: Path) -> None:
    target = tmp_path / "y.pdf"
    spool = Spool(str(target))

    async def attempts() -> tuple[int, int]:
        first = await spool.aconsume(_achunks(b"a longer first body"))
        second = await spool.aconsume(_achunks(b"sh", b"ort"))
        return first, second

    try:
        assert asyncio.run(attempts()) == (19, 5)
        spool.deliver(target)
    finally:
        spool.close()
    assert target.read_bytes() == b"short"


def test_an_empty_attempt_delivers_an_empty_body() -> None:
    spool = Spool()
    out = io.BytesIO()
    try:
        spool.consume(_chunks(b"something"))
        assert spool.consume(_chunks()) == 0
        spool.deliver(out)
    finally:
        spool.close()
    assert out.getvalue() == b""


def test_a_file_object_gets_the_body_from_its_start() -> None:
    spool = Spool(None)
    out = io.BytesIO()
    out.write(b"already: ")
    try:
        spool.consume(_chunks(b"body ", b"bytes"))
        spool.deliver(out)
        spool.deliver(out)  # from the start again, each time
    finally:
        spool.close()
    assert out.getvalue() == b"already: body bytesbody bytes"


def test_a_large_body_is_delivered_whole(tmp_path: Path) -> None:
    body = os.urandom(9 * 1024 * 1024)  # past the in-memory part
    target = tmp_path / "big.pdf"
    spool = Spool(target)
    try:
        assert spool.consume(body[i : i + 65536] for i in range(0, len(body), 65536)) == len(body)
        spool.deliver(target)
    finally:
        spool.close()
    assert target.read_bytes() == body


def test_a_missing_directory_is_reported_before_anything_is_read(tmp_path: Path) -> None:
    with pytest.raises(LocalFileError) as raised:
        Spool(tmp_path / "nowhere" / "x.pdf")
    assert raised.value.filename == str(tmp_path / "nowhere" / "x.pdf")


class _Failing(io.RawIOBase):
    name = "the-printer"

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


class _Nameless(_Failing):
    name = None  # type: ignore[assignment]


def test_a_file_object_that_fails_is_named() -> None:
    spool = Spool()
    try:
        spool.consume(_chunks(b"x"))
        with pytest.raises(LocalFileError) as raised:
            spool.deliver(_Failing())  # type: ignore[arg-type]
        assert (raised.value.errno, raised.value.filename) == (errno.ENOSPC, "the-printer")
        assert isinstance(raised.value, InvoiceClientsError)
        with pytest.raises(LocalFileError) as nameless:
            spool.deliver(_NamelessObject())  # type: ignore[arg-type]
        assert nameless.value.filename == "the file object"
    finally:
        spool.close()


class _NamelessObject:
    def write(self, data: bytes) -> int:
        raise OSError(errno.EPIPE, "Broken pipe")


@pytest.fixture
def file_size_limit() -> Iterator[int]:
    """Files of this process may not grow past 1 MiB while the test runs (as on a full disk: EFBIG, with the
    signal that would end the process ignored); restored after."""
    limit = 1024 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield limit
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def test_a_temporary_directory_that_cannot_take_the_body_is_named(file_size_limit: int) -> None:
    spool = Spool()
    try:
        with pytest.raises(LocalFileError) as raised:
            spool.consume(b"x" * 65536 for _ in range(9 * 1024 * 1024 // 65536 + 1))  # rolls over to disk
    finally:
        spool.close()
    assert (raised.value.errno, raised.value.filename) == (errno.EFBIG, tempfile.gettempdir())


def test_close_frees_the_spool() -> None:
    spool = Spool()
    spool.consume(_chunks(b"x"))
    spool.close()
    with pytest.raises(ValueError, match="closed"):
        spool.consume(_chunks(b"y"))
