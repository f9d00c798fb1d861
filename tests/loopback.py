"""The one loopback HTTP server of the tests: 127.0.0.1, a port the OS picks, a thread per request.

A test gives a route, ``route(path_with_query, server)``, that returns ``(status, headers, body)``:

- ``body`` is bytes, str (sent as UTF-8, or in the charset named by an ``X-Encode-As`` header) or an iterable
  of bytes, streamed without a Content-Length for as long as the client reads;
- an ``X-Test-Sleep: <seconds>`` header delays the answer;
- the answer ``RESET`` closes the connection with a TCP RST instead.

Every method is answered (a canary must see an off-site POST too). The server counts what it was asked:
``hits`` (path without query → count), ``paths`` (path with query, in arrival order), ``starts`` (arrival
times, time.monotonic), ``arrivals`` (when each request's first bytes reached this host, by the kernel's receive
timestamp, so a handler thread scheduled late under load does not move it; over TLS when its handler read it),
``max_in_flight``; while a route runs, ``server.request`` holds the request's ``method``, ``headers``
and ``body``. The special servers (the fault suite's hostile site, the feeds server, the notification
receiver) are routes on top of this one.
"""

from __future__ import annotations

import socket
import struct
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterable, Iterator, Union
from urllib.parse import urlsplit

RESET = "reset"  # close the connection with a TCP RST, no answer

Body = Union[bytes, str, Iterable[bytes]]
Answer = Union[tuple[int, dict[str, str], Body], str]
Route = Callable[[str, "LoopbackServer"], Answer]


class LoopbackServer:
    """Started on creation; ``close()`` (or the ``with`` block, or ``serve``) stops it."""

    def __init__(self, route: Route, host: str = "127.0.0.1", *, protocol: str = "HTTP/1.0", tls: bool = False):
        self.route = route
        self.hits: Counter[str] = Counter()
        self.paths: list[str] = []
        self.request = threading.local()  # .method, .headers, .body of the request a route is answering
        self.starts: list[float] = []  # when each request arrived (time.monotonic)
        self.arrivals: list[float] = []  # kernel receive times (time.time's clock), in the order handlers ran
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = protocol
            arrived: float | None = None

            def handle(self) -> None:
                self.arrived = None if tls else _arrival_time(self.connection)
                super().handle()

            def do_GET(self) -> None:  # http.server's name
                with server.lock:
                    server.starts.append(time.monotonic())
                    server.arrivals.append(self.arrived or time.time())
                    self.arrived = None  # a kept-alive connection's next request: its handler's time
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                    server.hits[urlsplit(self.path).path] += 1
                    server.paths.append(self.path)
                try:
                    server._answer(self)
                finally:
                    with server.lock:
                        server.in_flight -= 1

            do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = do_GET

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128  # the crawler opens many connections at once

            def server_bind(self) -> None:
                super().server_bind()
                if _SO_TIMESTAMPNS is not None:  # accepted connections inherit it
                    self.socket.setsockopt(socket.SOL_SOCKET, _SO_TIMESTAMPNS, 1)

            def get_request(self):  # type: ignore[no-untyped-def]
                conn, addr = super().get_request()
                if context is not None:  # a failed handshake is an OSError: the server drops that connection
                    conn = context.wrap_socket(conn, server_side=True)
                return conn, addr

        context = _self_signed(host) if tls else None
        self.httpd = Server((host, 0), Handler)
        self.host, self.port = host, self.httpd.server_address[1]
        self.base = f"{'https' if tls else 'http'}://{host}:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> LoopbackServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _answer(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        self.request.method, self.request.headers = h.command, h.headers
        self.request.body = h.rfile.read(length) if length else b""
        answer = self.route(h.path, self)
        if answer == RESET:
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()
            h.close_connection = True
            return
        assert not isinstance(answer, str), answer
        status, headers, body = answer
        headers = dict(headers)
        delay = headers.pop("X-Test-Sleep", None)
        if delay:
            time.sleep(float(delay))
        encoding = headers.pop("X-Encode-As", "utf-8")
        try:
            h.send_response(status)
            headers.setdefault("Content-Type", "text/html; charset=utf-8")
            for k, v in headers.items():
                h.send_header(k, v)
            if isinstance(body, (bytes, str)):
                data = body.encode(encoding) if isinstance(body, str) else body
                h.send_header("Content-Length", str(len(data)))
                h.end_headers()
                h.wfile.write(data)
            else:  # streamed until the body ends or the client hangs up
                h.close_connection = True
                h.end_headers()
                for chunk in body:
                    h.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _self_signed(host: str):
    """A server-side TLS context with a fresh self-signed certificate for ``host`` (the crawler does not verify)."""
    import datetime
    import ipaddress
    import ssl
    import tempfile

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as tmp:
        cert_path, key_path = f"{tmp}/cert.pem", f"{tmp}/key.pem"
        with open(cert_path, "wb") as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
        with open(key_path, "wb") as f:
            f.write(
                key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            )
        context.load_cert_chain(cert_path, key_path)
    return context


# Linux's receive timestamps (asm-generic/socket.h; Python's socket module does not name it)
_SO_TIMESTAMPNS = 35 if sys.platform == "linux" else None


def _arrival_time(conn: socket.socket) -> float:
    """When the first bytes waiting on ``conn`` were received, by the kernel's timestamp (Linux; else now)."""
    if _SO_TIMESTAMPNS is not None:
        try:
            _data, ancillary, _flags, _addr = conn.recvmsg(1, socket.CMSG_SPACE(16), socket.MSG_PEEK)
        except OSError:
            ancillary = []
        for level, kind, raw in ancillary:
            if level == socket.SOL_SOCKET and kind == _SO_TIMESTAMPNS and len(raw) >= 16:
                sec, nsec = struct.unpack("qq", raw[:16])
                return sec + nsec / 1e9
    return time.time()


@contextmanager
def serve(
    route: Route, host: str = "127.0.0.1", *, protocol: str = "HTTP/1.0", tls: bool = False
) -> Iterator[LoopbackServer]:
    with LoopbackServer(route, host, protocol=protocol, tls=tls) as srv:
        yield srv


def refused_port() -> int:
    """A loopback port nobody listens on."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
