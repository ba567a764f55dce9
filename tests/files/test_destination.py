"""Where a path leads and how it is written (``_destination.py``), in-process and one rule at a time, so that
``nox -s mutants`` sees each: the command line's and the library's tests of the same rules
(``tests/files/test_process_output_paths.py``) go through whole commands."""

from __future__ import annotations

import errno
import os
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from invoice_clients import LocalFileError
from invoice_clients._destination import OutputKind, OutputPath, local_error
from tests.shared import device_stand_in, is_device


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _write(path: str | Path, data: bytes) -> OutputPath:
    where = OutputPath.of(path)
    with where.open() as out:
        out.write(data)
    return where


def test_a_new_path_is_atomic_in_its_real_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "alias").symlink_to(real)
    monkeypatch.chdir(tmp_path)
    found = OutputPath.of("alias/new.csv")
    assert found == OutputPath("alias/new.csv", OutputKind.ATOMIC, str(real / "new.csv"), None, None)
    assert OutputPath.of(Path("alias/new.csv")) == found  # a PathLike too


@pytest.mark.usefixtures("umask_022")
def test_a_new_file_gets_the_umask_and_no_temporary_file_stays(tmp_path: Path) -> None:
    target = tmp_path / "new.csv"
    _write(target, b"a,b\n")
    assert target.read_bytes() == b"a,b\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert os.listdir(tmp_path) == ["new.csv"]


def test_an_existing_file_is_replaced_keeping_its_mode_and_owner(tmp_path: Path) -> None:
    target = tmp_path / "old.csv"
    target.write_bytes(b"old")
    target.chmod(0o640)
    if os.geteuid() == 0:
        os.chown(target, 4321, 8765)
    before = target.stat()
    found = OutputPath.of(target)
    assert found.kind is OutputKind.ATOMIC and found.mode == 0o640
    assert found.owner == (before.st_uid, before.st_gid)
    _write(target, b"new")
    after = target.stat()
    assert target.read_bytes() == b"new"
    assert after.st_ino != before.st_ino  # a new file, renamed over the old one
    assert stat.S_IMODE(after.st_mode) == 0o640
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    assert os.listdir(tmp_path) == ["old.csv"]


def test_a_failure_inside_the_block_keeps_the_old_file_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "old.csv"
    target.write_bytes(b"old")

    def interrupted() -> None:
        with OutputPath.of(target).open() as out:
            out.write(b"half")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["old.csv"]


def test_an_os_error_inside_the_block_is_a_local_file_error_naming_the_path(tmp_path: Path) -> None:
    target = tmp_path / "q.csv"
    with pytest.raises(LocalFileError) as raised, OutputPath.of(target).open():
        raise OSError(errno.ENOSPC, "No space left on device")
    assert (raised.value.errno, raised.value.strerror, raised.value.filename) == (
        errno.ENOSPC, "No space left on device", str(target),
    )  # fmt: skip
    assert os.listdir(tmp_path) == []
    mine = LocalFileError(errno.EIO, "mine", "x")
    with pytest.raises(LocalFileError) as passed, OutputPath.of(target).open():
        raise mine
    assert passed.value is mine  # passed on as it is


def test_the_temporary_file_is_hidden_beside_the_target(tmp_path: Path) -> None:
    target = tmp_path / "q.csv"
    with OutputPath.of(target).open() as out:
        (temporary,) = os.listdir(tmp_path)
        assert temporary.startswith(".q.csv.") and temporary.endswith(".part")
        assert len(temporary) == len(".q.csv.") + 12 + len(".part")
        assert os.fstat(out.fileno()).st_ino == (tmp_path / temporary).stat().st_ino
    assert os.listdir(tmp_path) == ["q.csv"]


def test_a_missing_directory_or_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LocalFileError) as missing:
        OutputPath.of(tmp_path / "nowhere" / "q.csv")
    assert (missing.value.errno, missing.value.strerror) == (errno.ENOENT, "No such directory to write into")
    assert missing.value.filename == str(tmp_path / "nowhere" / "q.csv")
    with pytest.raises(LocalFileError) as directory:
        OutputPath.of(tmp_path)
    assert (directory.value.errno, directory.value.strerror, directory.value.filename) == (
        errno.EISDIR, "Is a directory", str(tmp_path),
    )  # fmt: skip


def test_a_path_through_a_file_is_refused_naming_the_path(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(LocalFileError) as raised:
        OutputPath.of(tmp_path / "file" / "q.csv")
    assert raised.value.errno == errno.ENOTDIR and raised.value.filename == str(tmp_path / "file" / "q.csv")


def test_a_link_is_followed_to_its_target_and_stays(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    target = tmp_path / "data" / "q.csv"
    target.write_bytes(b"old")
    (tmp_path / "hop").symlink_to("data/q.csv")
    (tmp_path / "link").symlink_to(tmp_path / "hop")  # a link to a link
    found = OutputPath.of(tmp_path / "link")
    assert (found.path, found.kind, found.target) == (str(tmp_path / "link"), OutputKind.ATOMIC, str(target))
    _write(tmp_path / "link", b"new")
    assert target.read_bytes() == b"new"
    assert (tmp_path / "link").is_symlink() and (tmp_path / "hop").is_symlink()
    assert sorted(os.listdir(tmp_path / "data")) == ["q.csv"]


def test_a_dangling_link_creates_its_target(tmp_path: Path) -> None:
    (tmp_path / "link").symlink_to("made.csv")
    found = OutputPath.of(tmp_path / "link")
    assert (found.kind, found.target, found.mode) == (OutputKind.ATOMIC, str(tmp_path / "made.csv"), None)
    _write(tmp_path / "link", b"x")
    assert (tmp_path / "made.csv").read_bytes() == b"x" and (tmp_path / "link").is_symlink()


def test_a_link_relative_to_a_linked_directory(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "dir").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "link").symlink_to("../out.csv")  # relative to real/, where the link is
    found = OutputPath.of(tmp_path / "dir" / "link")
    assert found.target == str(tmp_path / "out.csv")


def test_a_loop_of_links_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(LocalFileError) as raised:
        OutputPath.of(tmp_path / "a")
    assert (raised.value.errno, raised.value.strerror) == (errno.ELOOP, "Too many levels of symbolic links")
    assert raised.value.filename == str(tmp_path / "a")


def test_forty_links_are_followed(tmp_path: Path) -> None:
    (tmp_path / "link0").symlink_to("end.csv")
    for n in range(1, 39):
        (tmp_path / f"link{n}").symlink_to(f"link{n - 1}")
    assert OutputPath.of(tmp_path / "link38").target == str(tmp_path / "end.csv")  # 39 links, then the file
    (tmp_path / "link39").symlink_to("link38")
    with pytest.raises(LocalFileError):
        OutputPath.of(tmp_path / "link39")  # 40 links: the kernel's limit too


def test_a_fifo_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    found = _write(fifo, b"streamed")
    reader.join(10)
    assert found.kind is OutputKind.IN_PLACE and found.target == str(fifo)
    assert got == [b"streamed"] and stat.S_ISFIFO(fifo.lstat().st_mode)


def test_dev_null_is_written_in_place(tmp_path: Path) -> None:
    null = device_stand_in(tmp_path, "null", 3)  # as root, never the machine's own /dev/null
    found = _write(null, b"gone")
    assert (found.kind, found.target) == (OutputKind.IN_PLACE, str(null))
    assert is_device(null, 3)


def test_a_unix_socket_is_connected_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A socket's path is limited to ~107 bytes, and nox's temporary directories are deep: the
    # socket is named relative to its directory, as a user's `-o ./report.sock` would be.
    monkeypatch.chdir(tmp_path)
    path = Path("sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    got: list[bytes] = []

    def serve() -> None:
        connection, _ = server.accept()
        with connection:
            data = b""
            while chunk := connection.recv(65536):
                data += chunk
            got.append(data)

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        found = _write(path, b"over the socket")
        thread.join(10)
    finally:
        server.close()
    assert found.kind is OutputKind.SOCKET
    assert got == [b"over the socket"]
    with pytest.raises(LocalFileError) as refused:  # nobody listening any more
        _write(path, b"x")
    assert refused.value.filename == str(path)


def _listening(directory: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> socket.socket:
    with monkeypatch.context() as inside:
        inside.chdir(directory)  # relative: the bind fits however deep the directory is
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(name)
    server.listen(1)
    return server


def test_a_socket_deeper_than_an_address_holds_is_connected_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    server = _listening(deep, "sock", monkeypatch)
    try:
        found = _write(deep / "sock", b"from far")
        connection, _ = server.accept()
        with connection:
            assert connection.recv(100) == b"from far"
    finally:
        server.close()
    assert found.kind is OutputKind.SOCKET


def test_a_socket_name_too_long_for_any_address_is_a_local_file_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "s" * 100
    server = _listening(tmp_path, name, monkeypatch)
    try:
        with pytest.raises(LocalFileError) as refused:
            _write(tmp_path / name, b"x")
    finally:
        server.close()
    assert refused.value.filename == str(tmp_path / name)
    assert "too long" in str(refused.value)
    assert "\n" not in str(refused.value)


def test_own_descriptors_are_written_where_they_lead(tmp_path: Path) -> None:
    target = tmp_path / "opened.txt"
    fd = os.open(target, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for name in (f"/dev/fd/{fd}", f"/proc/self/fd/{fd}", f"/proc/{os.getpid()}/fd/{fd}"):
            found = OutputPath.of(name)
            assert (found.path, found.kind, found.target) == (name, OutputKind.DESCRIPTOR, str(fd))
        _write(f"/dev/fd/{fd}", b"through the descriptor")
        os.fstat(fd)  # still open: the write used a duplicate
    finally:
        os.close(fd)
    assert target.read_bytes() == b"through the descriptor"
    closed = OutputPath.of(f"/proc/self/fd/{fd}")  # no longer open: the link is what is left
    assert closed.kind is not OutputKind.DESCRIPTOR


def test_what_is_not_a_descriptor_name(tmp_path: Path) -> None:
    (tmp_path / "fd").mkdir()
    assert OutputPath.of(tmp_path / "fd" / "1").kind is OutputKind.ATOMIC  # a directory named fd is not procfs
    assert OutputPath.of(tmp_path / "fd" / "\u0661").kind is OutputKind.ATOMIC  # not ASCII digits


def test_text_is_utf8_and_its_line_ends_as_given(tmp_path: Path) -> None:
    target = tmp_path / "q.csv"
    with OutputPath.of(target).open_text() as out:
        out.write("Müller\r\nnext\n")
    assert target.read_bytes() == "Müller\r\nnext\n".encode()
    with OutputPath.of(target).open_text("latin-1") as out:
        out.write("Müller")
    assert target.read_bytes() == "Müller".encode("latin-1")


def test_local_error_names_the_path_as_given() -> None:
    error = local_error(OSError(errno.EACCES, "Permission denied"), Path("out/q.csv"))
    assert (error.errno, error.strerror, error.filename) == (errno.EACCES, "Permission denied", "out/q.csv")
    bare = local_error(OSError("no errno"), "q.csv")
    assert (bare.errno, bare.strerror, bare.filename) == (errno.EIO, "no errno", "q.csv")  # its own words
    assert str(error) == "[Errno 13] Permission denied: 'out/q.csv'"


def test_a_bare_name_is_in_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    found = OutputPath.of("q.csv")
    assert (found.path, found.kind, found.target) == ("q.csv", OutputKind.ATOMIC, str(tmp_path / "q.csv"))
    (tmp_path / "link").symlink_to("q.csv")
    assert OutputPath.of("link").target == str(tmp_path / "q.csv")


def test_a_descriptor_name_must_be_ascii_digits() -> None:
    # int("\u0661") is 1 (standard output, open): a name only a non-ASCII digit makes a number is no descriptor
    found = OutputPath.of("/dev/fd/\u0661")
    assert found.kind is OutputKind.ATOMIC
