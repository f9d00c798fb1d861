"""Tiny HTTP servers on loopback for crawl tests: a routing function, a thread, a hit counter."""
from __future__ import annotations

import socket
import struct
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator
from urllib.parse import urlsplit

# route(path_with_query, server) -> (status, headers, body) ; body bytes or str; ("sleep", secs) delays
Route = Callable[[str, "LocalServer"], tuple[int, dict, bytes | str]]


class LocalServer:
    def __init__(self, route: Route, host: str = "127.0.0.1", *, tls: bool = False):
        self.route = route
        self.hits: Counter[str] = Counter()
        self.request = threading.local()  # .headers: the headers of the request a route is answering
        self.starts: list[float] = []  # when each request arrived (time.monotonic)
        # when each request's first bytes reached this host: the kernel's receive time (time.time's clock), so a
        # handler thread scheduled late under load does not move it (in the order the handlers ran: sort it).
        # Over TLS, when its handler has read it (time.time()).
        self.arrivals: list[float] = []
        self.in_flight = 0
        self.max_in_flight = 0
        lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def handle(self):
                # HTTP/1.0: one request per connection
                self.arrived = None if tls else _arrival_time(self.connection)
                super().handle()

            def do_GET(self):  # http.server's name
                with lock:
                    server.starts.append(time.monotonic())
                    server.arrivals.append(self.arrived or time.time())
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    self._answer()
                finally:
                    with lock:
                        server.in_flight -= 1

            # every method is answered and counted: a canary must see a POST (an off-site form) too
            do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = do_GET

            def _answer(self):
                path = self.path
                server.hits[urlsplit(path).path] += 1
                server.request.headers = self.headers
                status, headers, body = server.route(path, server)
                delay = headers.pop("X-Test-Sleep", None)
                if delay:
                    time.sleep(float(delay))
                data = body.encode("utf-8") if isinstance(body, str) else body
                try:
                    self.send_response(status)
                    headers.setdefault("Content-Type", "text/html; charset=utf-8")
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # the crawler opens many connections at once

            def server_bind(self):
                super().server_bind()
                if _SO_TIMESTAMPNS is not None:  # accepted connections inherit it
                    self.socket.setsockopt(socket.SOL_SOCKET, _SO_TIMESTAMPNS, 1)

            def get_request(self):
                conn, addr = super().get_request()
                if context is not None:  # a failed handshake is an OSError: the server drops that connection
                    conn = context.wrap_socket(conn, server_side=True)
                return conn, addr

        context = _self_signed(host) if tls else None
        self.httpd = Server((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.host, self.port = host, self.httpd.server_address[1]
        self.base = f"{'https' if tls else 'http'}://{host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path


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
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]), critical=False)
            .sign(key, hashes.SHA256()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as tmp:
        cert_path, key_path = f"{tmp}/cert.pem", f"{tmp}/key.pem"
        with open(cert_path, "wb") as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
        with open(key_path, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
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
def serve(route: Route, host: str = "127.0.0.1", *, tls: bool = False) -> Iterator[LocalServer]:
    srv = LocalServer(route, host, tls=tls)
    t = threading.Thread(target=srv.httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()


def refused_port() -> int:
    """A loopback port nobody listens on."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def page(title: str, body: str) -> str:
    return f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"


def sites_yaml(path, sites: list[dict], **limits) -> str:
    """A sites.yaml with the given sites (key, home) and shared limits; returns its path."""
    from monitor.config import dump_yaml

    data = {"organisation": {"name": "测试县人民政府办公室"}, "units": [{"name": "测试单位"}],
            "sites": [{"key": s["key"], "name": s.get("name", s["key"]), "home": s["home"], "unit": "测试单位",
                       # every test server runs on 127.0.0.1: loopback must be allowed explicitly
                       "limits": {"delay_seconds": 0, "concurrency_per_host": 8, "allow_private_network": True,
                                  **limits, **s.get("limits", {})}}
                      for s in sites]}
    path.write_text(dump_yaml(data), encoding="utf-8")
    return str(path)
