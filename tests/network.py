"""A company network on loopback, for the facade's and the command line's tests: a CONNECT proxy and a TLS front,
both written on the standard library's sockets, and a private CA (trustme).

- :class:`Proxy` is an HTTP proxy as companies run them: ``CONNECT host:port`` for HTTPS (the proxy resolves the
  name), absolute-form requests for plain HTTP, optionally Basic credentials (407 without them) or a refusal of
  every request (403).  It resolves only the names it is given (``invoices.internal.test`` -> ``127.0.0.1``) and
  loopback addresses: nothing leaves this machine, and a name it maps cannot be resolved by the client itself.
  Every request it gets is logged (:attr:`Proxy.log`).
- :class:`TLSFront` terminates TLS with a certificate of the test's CA and relays the bytes to a plain server (the
  sandbox), counting the handshakes it saw: how many attempts a client made.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import hashlib
import selectors
import socket
import ssl
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import trustme

__all__ = ["INTERNAL_HOST", "Authority", "Proxy", "ProxyRequest", "TLSFront"]

INTERNAL_HOST = "invoices.internal.test"
"""A name only the proxy resolves (``.test`` is reserved: no resolver on this machine knows it)."""
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@dataclass(frozen=True)
class ProxyRequest:
    """One request the proxy received: ``CONNECT host:port`` or ``GET http://...``, and its credentials header."""

    method: str
    target: str
    authorization: str | None
    answered: int


class Authority:
    """A private CA (trustme) and its certificates: the good one names every address the tests use."""

    def __init__(self, directory: Path) -> None:
        self.ca = trustme.CA(organization_name="Example Corp internal CA")
        self.ca_file = directory / "company-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))

    def server_context(self, *names: str, expired: bool = False) -> ssl.SSLContext:
        """A server context whose certificate names ``names`` (default: the internal host and loopback)."""
        identities = names or (INTERNAL_HOST, "localhost", "127.0.0.1", "::1")
        if expired:
            now = datetime.datetime.now(datetime.UTC)
            leaf = self.ca.issue_cert(
                *identities, not_before=now - datetime.timedelta(days=30), not_after=now - datetime.timedelta(days=1)
            )
        else:
            leaf = self.ca.issue_cert(*identities)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        leaf.configure_cert(context)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this CA and nothing else."""
        return ssl.create_default_context(cadata=self.ca.cert_pem.bytes().decode())

    def hashed_directory(self, directory: Path) -> Path:
        """``directory`` holding the CA as ``SSL_CERT_DIR`` wants it: named ``<subject hash>.0``, the name
        ``openssl rehash`` gives it (computed here: CI has no ``openssl`` command)."""
        directory.mkdir(exist_ok=True)
        (directory / f"{_subject_hash(self.ca.cert_pem.bytes())}.0").write_bytes(self.ca.cert_pem.bytes())
        return directory


def _subject_hash(pem: bytes) -> str:
    """OpenSSL's subject name hash of a certificate (``X509_NAME_hash``): the first four bytes, little-endian, of
    the SHA-1 of the name's canonical encoding (every value a UTF8String, trimmed, inner whitespace collapsed,
    ASCII lower-cased; the RDN sets concatenated, without the outer SEQUENCE)."""
    from cryptography import x509

    subject = x509.load_pem_x509_certificate(pem).subject
    canonical = x509.Name(
        [
            x509.RelativeDistinguishedName(
                [x509.NameAttribute(attribute.oid, " ".join(str(attribute.value).split()).lower()) for attribute in rdn]
            )
            for rdn in subject.rdns
        ]
    ).public_bytes()
    length = canonical[1]
    header = 2 if length < 0x80 else 2 + (length & 0x7F)  # the outer SEQUENCE's tag and length
    digest = hashlib.sha1(canonical[header:]).digest()
    return f"{int.from_bytes(digest[:4], 'little'):08x}"


def _relay(first: socket.socket, second: socket.socket, stop: threading.Event) -> None:
    """Copy bytes both ways until either side closes (or the rig stops)."""
    with selectors.DefaultSelector() as selector:
        selector.register(first, selectors.EVENT_READ, second)
        selector.register(second, selectors.EVENT_READ, first)
        while not stop.is_set():
            for key, _ in selector.select(0.05):
                source: socket.socket = key.fileobj  # type: ignore[assignment]
                try:
                    data = source.recv(65536)
                except ssl.SSLWantReadError:
                    continue
                except OSError:
                    return
                if not data:
                    return
                try:
                    key.data.sendall(data)
                except OSError:
                    return
            pending = getattr(first, "pending", None)  # TLS bytes already decrypted, invisible to select
            while pending is not None and pending():
                try:
                    second.sendall(first.recv(65536))
                except OSError:
                    return


class _Server:
    """Accepts connections on loopback in a thread, one thread per connection."""

    def __init__(self, family: socket.AddressFamily = socket.AF_INET) -> None:
        host = "::1" if family == socket.AF_INET6 else "127.0.0.1"
        self._socket = socket.create_server((host, 0), family=family, backlog=64)
        self._socket.settimeout(0.05)
        self.host = host
        self.port: int = self._socket.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> _Server:
        self._spawn(self._accept)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in list(self._threads):
            thread.join(2)
        self._socket.close()

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._spawn(self._serve, connection)

    def _serve(self, connection: socket.socket) -> None:
        raise NotImplementedError


class TLSFront(_Server):
    """TLS on loopback (``context``'s certificate), relayed in clear to ``127.0.0.1:backend_port``."""

    def __init__(
        self,
        context: ssl.SSLContext,
        backend_port: int,
        family: socket.AddressFamily = socket.AF_INET,
        *,
        reset_first: int = 0,
    ) -> None:
        super().__init__(family)
        self._context = context
        self._backend_port = backend_port
        self.reset_first = reset_first
        """How many connections to reset (RST) before their handshake: a failure a retry can get past."""
        self.handshakes = 0
        """Connections accepted: each is a handshake a client started."""
        self.failed_handshakes = 0

    def _serve(self, connection: socket.socket) -> None:
        self.handshakes += 1
        if self.handshakes <= self.reset_first:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            connection.close()  # with linger 0: a reset, not an orderly close
            return
        with contextlib.ExitStack() as stack:
            stack.callback(connection.close)
            connection.settimeout(5)
            try:
                tls = self._context.wrap_socket(connection, server_side=True)
            except (OSError, ssl.SSLError):
                self.failed_handshakes += 1
                return
            stack.callback(tls.close)
            backend = socket.create_connection(("127.0.0.1", self._backend_port), timeout=5)
            stack.callback(backend.close)
            _relay(tls, backend, self._stop)


class Proxy(_Server):
    """An HTTP proxy on loopback (see the module docstring).

    ``hosts`` maps names to loopback addresses; ``credentials`` (user, password) makes it answer 407 to a request
    without them; ``refuse`` answers every request with that status (403: the company's policy says no).
    ``tls`` makes it an ``https://`` proxy (TLS between the client and the proxy); ``echo`` makes it a hostile
    one that quotes the ``Proxy-Authorization`` it got in its refusal's status line and body.
    """

    def __init__(
        self,
        *,
        hosts: Mapping[str, str] | None = None,
        credentials: tuple[str, str] | None = None,
        refuse: int | None = None,
        tls: ssl.SSLContext | None = None,
        echo: bool = False,
    ) -> None:
        super().__init__()
        self.hosts = {INTERNAL_HOST: "127.0.0.1"} if hosts is None else dict(hosts)
        self.credentials = credentials
        self.refuse = refuse
        self.tls = tls
        self.echo = echo
        self.log: list[ProxyRequest] = []

    def __enter__(self) -> Proxy:
        super().__enter__()
        return self

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (``https://localhost:PORT`` with ``tls``), without credentials."""
        return f"https://localhost:{self.port}" if self.tls else f"http://127.0.0.1:{self.port}"

    def url_with(self, user: str, password: str) -> str:
        """:attr:`url` with ``user:password@`` (both percent-encoded as a URL needs)."""
        from urllib.parse import quote

        scheme, rest = self.url.split("://", 1)
        return f"{scheme}://{quote(user, safe='')}:{quote(password, safe='')}@{rest}"

    @property
    def targets(self) -> list[str]:
        """The target of every request the proxy served (``host:port`` for CONNECT, the URL otherwise)."""
        return [request.target for request in self.log if request.answered == 200]

    def _expected_authorization(self) -> str | None:
        if self.credentials is None:
            return None
        token = base64.b64encode(":".join(self.credentials).encode()).decode()
        return f"Basic {token}"

    def _serve(self, connection: socket.socket) -> None:
        with contextlib.ExitStack() as stack:
            stack.callback(connection.close)
            connection.settimeout(5)
            client: socket.socket = connection
            if self.tls is not None:
                try:
                    client = self.tls.wrap_socket(connection, server_side=True)
                except (OSError, ssl.SSLError):
                    return
                stack.callback(client.close)
            head, rest = self._read_head(client)
            if head is None:
                return
            lines = head.decode("latin-1").split("\r\n")
            method, target, *_ = [*lines[0].split(" ", 2), "", ""]
            headers = {
                name.strip().lower(): value.strip()
                for name, _, value in (line.partition(":") for line in lines[1:])
                if name
            }
            authorization = headers.get("proxy-authorization")
            status = self._decide(authorization)
            address = None
            if status == 200:
                address = self._address(method, target)
                if address is None:
                    status = 502
            self.log.append(ProxyRequest(method, target, authorization, status))
            if status != 200:
                self._refuse(client, status, authorization if self.echo else None)
                return
            assert address is not None
            try:
                upstream = socket.create_connection(address, timeout=5)
            except OSError:
                self._refuse(client, 502)
                return
            stack.callback(upstream.close)
            if method == "CONNECT":
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            else:
                upstream.sendall(head + b"\r\n\r\n" + rest)
            _relay(client, upstream, self._stop)

    @staticmethod
    def _read_head(client: socket.socket) -> tuple[bytes | None, bytes]:
        pending = b""
        while b"\r\n\r\n" not in pending:
            try:
                data = client.recv(65536)
            except OSError:
                return None, b""
            if not data:
                return None, b""
            pending += data
        head, rest = pending.split(b"\r\n\r\n", 1)
        return head, rest

    def _decide(self, authorization: str | None) -> int:
        if self.refuse is not None:
            return self.refuse
        expected = self._expected_authorization()
        if expected is not None and authorization != expected:
            return 407
        return 200

    def _address(self, method: str, target: str) -> tuple[str, int] | None:
        """Where the request goes, resolved by the proxy's own map: a loopback address, or ``None``."""
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
        else:
            from urllib.parse import urlsplit

            split = urlsplit(target)
            host, port = split.hostname or "", str(split.port or 80)
        host = host.strip("[]")
        resolved = self.hosts.get(host.lower(), host)
        if resolved not in _LOOPBACK or not port.isdigit():
            return None
        return (resolved, int(port))

    @staticmethod
    def _refuse(client: socket.socket, status: int, echoed: str | None = None) -> None:
        reason = {403: "Forbidden", 407: "Proxy Authentication Required", 502: "Bad Gateway"}.get(status, "Refused")
        if echoed is not None:
            reason += f" (you sent {echoed})"
        body = f"the proxy says {status} {reason}".encode()
        extra = 'Proxy-Authenticate: Basic realm="Example Corp"\r\n' if status == 407 else ""
        head = f"HTTP/1.1 {status} {reason}\r\n{extra}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        with contextlib.suppress(OSError):
            client.sendall(head.encode() + body)


@contextlib.contextmanager
def serving(*servers: _Server) -> Iterator[None]:
    """Every server in ``servers`` running for the block."""
    with contextlib.ExitStack() as stack:
        for server in servers:
            stack.enter_context(server)
        yield
