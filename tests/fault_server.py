"""A small hostile web site on 127.0.0.1 for the fault suite: every page is one fault a real site shows.

Routes are plain functions of the path; an answer may also be an action the server carries out on the
socket itself (reset the connection, send a gzip bomb), which the simpler `tests.local_http` cannot do.
"""
from __future__ import annotations

import gzip
import socket
import struct
import threading
from collections import Counter
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator
from urllib.parse import urlsplit

RESET = "reset"  # close the connection with a TCP RST, no answer


def html(title: str, body: str, *, head: str = "", charset: str = "utf-8") -> str:
    return (f"<!doctype html><html><head><meta charset='{charset}'><title>{title}</title>{head}</head>"
            f"<body>{body}</body></html>")


_BOMB: bytes | None = None


def gzip_bomb() -> bytes:
    """16 MB of zeros in about 16 KB: a page that explodes when decoded (limits stay far below it)."""
    global _BOMB
    if _BOMB is None:
        _BOMB = gzip.compress(b"\0" * (16 << 20), compresslevel=6)
    return _BOMB


class FaultServer:
    def __init__(self, route: Callable[[str, "FaultServer"], object]):
        self.route = route
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self):  # http.server's name
                path = urlsplit(self.path).path
                with server.lock:
                    server.hits[path] += 1
                answer = server.route(self.path, server)
                if answer == RESET:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                    return
                status, headers, body = answer
                data = body.encode(headers.pop("X-Encode-As", "utf-8")) if isinstance(body, str) else body
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
            daemon_threads = True
            request_queue_size = 64

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path


@contextmanager
def serve_faults(route) -> Iterator[FaultServer]:
    srv = FaultServer(route)
    t = threading.Thread(target=srv.httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()
