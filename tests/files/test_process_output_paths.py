"""Output files: whatever ``-o`` (or ``download_pdf(to=)``) names is written, never replaced by something else.

Each kind of destination, through the command line (``export`` and ``pdf``, in a subprocess) and the library: a
regular file (atomic, mode kept), a new path, a symbolic link (its target written, the link kept), character
devices (``/dev/null``; ``/dev/full``: "No space left on device", exit 8), a FIFO and a Unix socket (their
reader gets every byte), ``/dev/stdout`` and ``-``.  Then the failures: a file size limit half-way (EFBIG), a full
device as standard output, a closed pipe (``| head``: quiet).

Devices are stand-ins made with ``mknod`` (same device numbers), and ``/dev/stdout`` a link to
``/proc/self/fd/1`` in the test's directory (what ``/dev/stdout`` is), when the test runs as root, so that no
version of the code under test can ever replace the machine's own (the code before this guarantee did, as
root); otherwise the real ones, which an unprivileged process cannot replace.  Destinations that are paths run
the command in this process (``main(argv)``: importing the command line costs a second of CPU per subprocess);
standard output, a file size limit and a closed pipe need a process of their own.
"""

from __future__ import annotations

import io
import os
import resource
import socket
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from invoice_clients import LocalFileError
from invoice_clients.cli import ExitCode, main
from invoice_clients.testing import Sandbox
from tests.shared import device_stand_in, is_device

pytestmark = pytest.mark.adversarial

COMMANDS = {"export": ["invoices", "export", "--vendor", "gcore"], "pdf": ["invoices", "pdf", "1"]}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


def _run(
    sandbox: Sandbox, *args: str, stdout: int | None = subprocess.PIPE, cwd: Path | None = None,
    limit_file_size: int | None = None,
) -> subprocess.CompletedProcess[bytes]:  # fmt: skip
    env = {**os.environ, "GCORE_API_KEY": sandbox.gcore.api_key, "GCORE_BASE_URL": sandbox.gcore_base_url}

    def limited() -> None:  # in the child, before exec: writes past the limit fail with EFBIG (SIGXFSZ is ignored)
        if limit_file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.run(
        [sys.executable, "-m", "invoice_clients", *args], env=env, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE,
        timeout=60, check=False, preexec_fn=limited if limit_file_size is not None else None,
    )  # fmt: skip


@pytest.fixture
def cli(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """The command line in this process: its exit status and what it said on stderr."""
    monkeypatch.setenv("GCORE_API_KEY", sandbox.gcore.api_key)
    monkeypatch.setenv("GCORE_BASE_URL", sandbox.gcore_base_url)

    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        with pytest.raises(SystemExit) as ended:
            main(list(args))
        code = ended.value.code
        return code if isinstance(code, int) else 0, capsys.readouterr().err

    return run


Cli = Callable[..., tuple[int, str]]


@pytest.fixture(scope="module")
def expected(sandbox: Sandbox) -> dict[str, bytes]:
    """What each command writes (the reference for every destination): what the library gives."""
    from invoice_clients.cli._output import OutputFormat, write_invoices

    with sandbox.gcore_client() as gcore:
        text = io.StringIO(newline="")
        write_invoices(gcore.invoices.list(), OutputFormat.CSV, text)
        return {"export": text.getvalue().encode(), "pdf": gcore.invoices.download_pdf(1)}


def _dev_stdout(tmp_path: Path) -> Path:
    """``/dev/stdout``, or as root a link of the same kind in ``tmp_path`` (see the module docstring)."""
    if os.geteuid() != 0:
        return Path("/dev/stdout")
    stand_in = tmp_path / "stdout"
    stand_in.symlink_to("/proc/self/fd/1")
    return stand_in


def _one_line(stderr: bytes | str) -> str:
    text = stderr.decode() if isinstance(stderr, bytes) else stderr
    assert text.count("\n") == 1 and "Traceback" not in text, text
    return text


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_regular_file_is_replaced_atomically_keeping_its_mode(
    command: str, cli: Cli, expected: dict[str, bytes], tmp_path: Path
) -> None:
    target = tmp_path / "out"
    target.write_bytes(b"the previous one\n")
    target.chmod(0o640)
    code, stderr = cli(*COMMANDS[command], "-o", str(target))
    assert code == 0, stderr
    assert target.read_bytes() == expected[command]
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [path.name for path in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_new_file_gets_the_umask_permissions(
    command: str, cli: Cli, expected: dict[str, bytes], tmp_path: Path
) -> None:
    target = tmp_path / "new"
    old = os.umask(0o027)
    try:
        code, stderr = cli(*COMMANDS[command], "-o", str(target))
    finally:
        os.umask(old)
    assert code == 0, stderr
    assert target.read_bytes() == expected[command]
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("dangling", [False, True], ids=["to a file", "dangling"])
def test_a_symlink_stays_and_its_target_is_written(
    command: str, dangling: bool, cli: Cli, expected: dict[str, bytes], tmp_path: Path
) -> None:
    (tmp_path / "elsewhere").mkdir()
    target = tmp_path / "elsewhere" / "real"
    if not dangling:
        target.write_bytes(b"the previous one\n")
    link = tmp_path / "link"
    link.symlink_to(Path("elsewhere") / "real")  # relative, as links often are
    code, stderr = cli(*COMMANDS[command], "-o", str(link))
    assert code == 0, stderr
    assert link.is_symlink() and os.readlink(link) == os.path.join("elsewhere", "real")
    assert target.read_bytes() == expected[command]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["elsewhere", "link"]
    assert [path.name for path in target.parent.iterdir()] == ["real"]


@pytest.mark.parametrize("command", list(COMMANDS))
def test_dev_null_is_written_and_stays_a_device(command: str, cli: Cli, tmp_path: Path) -> None:
    null = device_stand_in(tmp_path, "null", 3)
    code, stderr = cli(*COMMANDS[command], "-o", str(null))
    assert code == 0, stderr
    assert is_device(null, 3)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_full_device_is_one_line_and_exit_8_and_stays_a_device(command: str, cli: Cli, tmp_path: Path) -> None:
    full = device_stand_in(tmp_path, "full", 7)
    code, stderr = cli(*COMMANDS[command], "-o", str(full))
    assert code == ExitCode.OUTPUT_FILE
    assert f"cannot write {full}: No space left on device" in _one_line(stderr)
    assert is_device(full, 7)


def _reading(connect: Callable[[], socket.socket | int]) -> tuple[threading.Thread, list[bytes]]:
    """A thread that opens what ``connect`` gives (a descriptor or a socket) and reads it to the end."""
    got: list[bytes] = []

    def read() -> None:
        opened = connect()
        with os.fdopen(opened, "rb") if isinstance(opened, int) else opened.makefile("rb") as stream:
            got.append(stream.read())
        if isinstance(opened, socket.socket):
            opened.close()

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread, got


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_fifo_is_written_in_place_and_its_reader_gets_everything(
    command: str, cli: Cli, expected: dict[str, bytes], tmp_path: Path
) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader, got = _reading(lambda: os.open(fifo, os.O_RDONLY))
    code, stderr = cli(*COMMANDS[command], "-o", str(fifo))
    reader.join(10)  # the command closed its end: the reader sees the end of the data
    if reader.is_alive():  # nobody opened it for writing: release the reader (it still waits in its open)
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(10)
    assert code == 0, stderr
    assert got == [expected[command]]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_unix_socket_is_connected_to_and_stays_a_socket(command: str, cli: Cli, expected: dict[str, bytes]) -> None:
    # A socket's path has room for 107 bytes (sun_path): pytest's tmp_path under a nox session's TMPDIR has not.
    with tempfile.TemporaryDirectory(dir="/tmp") as short:
        _socket_round_trip(command, cli, expected, Path(short) / "socket")


def _socket_round_trip(command: str, cli: Cli, expected: dict[str, bytes], path: Path) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(path))
        listener.listen(1)
        listener.settimeout(30)
        reader, got = _reading(lambda: listener.accept()[0])
        code, stderr = cli(*COMMANDS[command], "-o", str(path))
        reader.join(10)
    assert code == 0, stderr
    assert got == [expected[command]]
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


@pytest.mark.parametrize(("command", "name"), [("export", "/dev/stdout"), ("pdf", "/dev/stdout"), ("export", "-")])
def test_dev_stdout_and_dash_are_standard_output(
    command: str, name: str, sandbox: Sandbox, expected: dict[str, bytes], tmp_path: Path
) -> None:
    where = tmp_path / "cwd"
    where.mkdir()
    path = str(_dev_stdout(tmp_path)) if name == "/dev/stdout" else name
    done = _run(sandbox, *COMMANDS[command], "-o", path, cwd=where)
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected[command]
    assert list(where.iterdir()) == []  # no file named "-"
    if name == "/dev/stdout":
        assert os.readlink(path) == "/proc/self/fd/1"


def test_the_library_follows_the_same_rules(sandbox: Sandbox, tmp_path: Path) -> None:
    with sandbox.gcore_client() as gcore:
        pdf = gcore.invoices.download_pdf(1)
        (tmp_path / "real").write_bytes(b"old")
        (tmp_path / "link").symlink_to("real")
        assert gcore.invoices.download_pdf(1, to=tmp_path / "link") == len(pdf)
        assert (tmp_path / "link").is_symlink() and (tmp_path / "real").read_bytes() == pdf
        null, full = device_stand_in(tmp_path, "null", 3), device_stand_in(tmp_path, "full", 7)
        assert gcore.invoices.download_pdf(1, to=null) == len(pdf)
        with pytest.raises(LocalFileError, match="No space left on device") as caught:
            gcore.invoices.download_pdf(1, to=full)
        assert caught.value.filename == str(full)
        assert is_device(null, 3) and is_device(full, 7)
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        reader, got = _reading(lambda: os.open(fifo, os.O_RDONLY))
        gcore.invoices.download_pdf(1, to=str(fifo))
        reader.join(10)
        assert got == [pdf] and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_file_size_limit_half_way_is_exit_8_and_leaves_the_file_as_it_was(sandbox: Sandbox, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"the previous one\n")
    done = _run(
        sandbox, *COMMANDS["export"], "-o", str(target), cwd=tmp_path, limit_file_size=1000
    )  # the export is ~4.5 KB
    assert done.returncode == ExitCode.OUTPUT_FILE
    assert f"cannot write {target}: File too large" in _one_line(done.stderr)
    assert target.read_bytes() == b"the previous one\n"
    assert [path.name for path in tmp_path.iterdir()] == ["out.csv"]


MONTHLY = ["invoices", "export", "--month", "2026-03", "--payment-state", "partial", "--payment-state", "not_paid"]
"""A monthly job whose listings are merged (one per payment state): the same rules for standard output."""


@pytest.mark.parametrize(
    "args", [COMMANDS["export"], ["invoices", "get", "1"], [*COMMANDS["pdf"], "-o", "-"], MONTHLY],
    ids=["export", "get", "pdf -o -", "export --month, two states"],
)  # fmt: skip
def test_standard_output_on_a_full_device_is_one_line_and_exit_8(
    args: list[str], sandbox: Sandbox, tmp_path: Path
) -> None:
    with open(device_stand_in(tmp_path, "full", 7), "wb") as full:
        done = _run(sandbox, *args, stdout=full.fileno(), cwd=tmp_path)
    assert done.returncode == ExitCode.OUTPUT_FILE
    assert "cannot write standard output: No space left on device" in _one_line(done.stderr)


@pytest.mark.parametrize(
    "args", [["invoices", "list", "--vendor", "gcore"], ["invoices", "get", "1"], [*COMMANDS["pdf"], "-o", "-"],
             [*COMMANDS["export"], "-o", "/dev/stdout"], MONTHLY, ["invoices", "list", "--last-month", "-q"]],
    ids=["list", "get", "pdf -o -", "export -o /dev/stdout", "export --month, two states", "list --last-month"],
)  # fmt: skip
def test_a_closed_pipe_ends_quietly(args: list[str], sandbox: Sandbox, tmp_path: Path) -> None:
    args = [str(_dev_stdout(tmp_path)) if arg == "/dev/stdout" else arg for arg in args]
    read, write = os.pipe()
    os.close(read)  # the reader has gone before the first byte (as `| head` after its lines)
    try:
        done = _run(sandbox, *args, stdout=write, cwd=tmp_path)
    finally:
        os.close(write)
    assert done.stderr == b""
    assert done.returncode == ExitCode.STDOUT_CLOSED
