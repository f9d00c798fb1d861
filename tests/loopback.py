"""The one loopback HTTP server of the tests: 127.0.0.1, a port the OS picks, a thread per request.

A test gives a route, ``route(path_with_query, server)``, that returns ``(status, headers, body)``:

- ``body`` is bytes, str (sent as UTF-8, or in the charset named by an ``X-Encode-As`` header) or an iterable
  of bytes, streamed without a Content-Length for as long as the client reads;
- an ``X-Test-Sleep: <seconds>`` header delays the answer;
- the answer ``RESET`` closes the connection with a TCP RST instead.

Every method is answered (a canary must see an off-site POST too). The server counts what it was asked:
``hits`` (path without query → count), ``paths`` (path with query, in arrival order), ``starts`` (arrival
times), ``max_in_flight``; while a route runs, ``server.request`` holds the request's ``method``, ``headers``
and ``body``. The special servers (the fault suite's hostile site, the feeds server, the notification
receiver) are routes on top of this one.
"""
from __future__ import annotations

import socket
import struct
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

    def __init__(self, route: Route, host: str = "127.0.0.1", *, protocol: str = "HTTP/1.0"):
        self.route = route
        self.hits: Counter[str] = Counter()
        self.paths: list[str] = []
        self.request = threading.local()  # .method, .headers, .body of the request a route is answering
        self.starts: list[float] = []  # when each request arrived (time.monotonic)
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = protocol

            def do_GET(self) -> None:  # http.server's name
                with server.lock:
                    server.starts.append(time.monotonic())
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

        self.httpd = Server((host, 0), Handler)
        self.host, self.port = host, self.httpd.server_address[1]
        self.base = f"http://{host}:{self.port}"
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


@contextmanager
def serve(route: Route, host: str = "127.0.0.1", *, protocol: str = "HTTP/1.0") -> Iterator[LoopbackServer]:
    with LoopbackServer(route, host, protocol=protocol) as srv:
        yield srv


def refused_port() -> int:
    """A loopback port nobody listens on."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
