"""Tiny HTTP servers on loopback for crawl tests: a routing function, a thread, a hit counter."""
from __future__ import annotations

import socket
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
    def __init__(self, route: Route, host: str = "127.0.0.1"):
        self.route = route
        self.hits: Counter[str] = Counter()
        self.request = threading.local()  # .headers: the headers of the request a route is answering
        self.starts: list[float] = []  # when each request arrived (time.monotonic)
        self.in_flight = 0
        self.max_in_flight = 0
        lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self):  # http.server's name
                with lock:
                    server.starts.append(time.monotonic())
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

        self.httpd = Server((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.host, self.port = host, self.httpd.server_address[1]
        self.base = f"http://{host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path


@contextmanager
def serve(route: Route, host: str = "127.0.0.1") -> Iterator[LocalServer]:
    srv = LocalServer(route, host)
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
