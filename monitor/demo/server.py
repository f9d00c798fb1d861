"""Serves the demo portal, a small 'other site' for external links, and a dead address, on 127.0.0.1."""

from __future__ import annotations

import email.utils
import hashlib
import socket
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator

from monitor.demo.dept import DeptSite
from monitor.demo.feeds import DemoFeeds
from monitor.demo.site import DemoSite

_BOOT = email.utils.formatdate(usegmt=True)


def _handler(
    lookup: Callable[[str, str], tuple[str, bytes] | tuple[str, bytes, int] | None],
) -> type[BaseHTTPRequestHandler]:
    # path -> (body, ETag, Last-Modified): a page keeps its validators until its body changes
    validators: dict[str, tuple[bytes, str, str]] = {}
    lock = threading.Lock()

    def validators_for(path: str, body: bytes) -> tuple[str, str]:
        with lock:
            known = validators.get(path)
            if known is None or known[0] is not body and known[0] != body:
                etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
                modified = _BOOT if known is None else email.utils.formatdate(usegmt=True)
                known = validators[path] = (body, etag, modified)
            return known[1], known[2]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "DemoGov/1.0"

        def do_GET(self) -> None:  # http.server API
            self._serve(send_body=True)

        def do_HEAD(self) -> None:
            self._serve(send_body=False)

        def _serve(self, send_body: bool) -> None:
            path, _, query = self.path.split("#", 1)[0].partition("?")
            found = lookup(path, query)
            if found is None:
                body = "<html><head><title>404 页面不存在</title></head><body>404 您访问的页面不存在</body></html>".encode()
                self.send_response(404)
                ctype = "text/html; charset=utf-8"
            else:
                ctype, body, *status = found  # (content type, body[, status]): the feeds answer 503 too
                code = status[0] if status else 200
                etag, modified = validators_for(path, body)
                if code == 200 and _not_modified(self.headers, etag, modified):
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Last-Modified", modified)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(code)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", modified)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def log_message(self, *args) -> None:  # keep test and demo output clean
            pass

    return Handler


def _not_modified(headers, etag: str, modified: str) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present; else If-Modified-Since."""
    inm = headers.get("If-None-Match")
    if inm is not None:
        return inm.strip() == "*" or etag in [t.strip() for t in inm.split(",")]
    ims = headers.get("If-Modified-Since")
    if ims is None:
        return False
    try:
        return email.utils.parsedate_to_datetime(ims) >= email.utils.parsedate_to_datetime(modified)
    except (TypeError, ValueError):
        return False


class DemoServer(ThreadingHTTPServer):
    """The demo's loopback HTTP server. A client that hangs up mid-connection (a crawler closing a kept-alive
    connection, a feed reader done early) is a normal end for a site, not an error: socketserver would print its
    traceback, in English, into the demo's output."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
            return
        super().handle_error(request, client_address)


def _serve(lookup) -> ThreadingHTTPServer:
    server = DemoServer(("127.0.0.1", 0), _handler(lookup))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="demo-http", daemon=True).start()
    return server


def dead_address() -> str:
    """A loopback address where nothing listens (connection refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


@dataclass
class RunningDemo:
    site: DemoSite
    base: str  # http://127.0.0.1:PORT
    external_base: str
    dead_base: str
    feeds: DemoFeeds | None = None  # the new-media accounts' sources (monitor/demo/feeds.py)
    dept: DeptSite | None = None  # the department site without column metas (monitor/demo/dept.py)
    dept_base: str = ""

    @property
    def home(self) -> str:
        return self.base + "/"

    @property
    def dept_home(self) -> str:
        return self.dept_base + "/"

    def url(self, subject_path: str) -> str:
        """The absolute URL of a planted problem's subject (see ``demo.site.PLANTED``)."""
        if subject_path.startswith("ext:"):
            return self.external_base + subject_path[4:]
        if subject_path.startswith("dead:"):
            return self.dead_base + subject_path[5:]
        if subject_path.startswith("dept:"):
            return self.dept_base + subject_path[5:]
        return self.base + subject_path

    def rebuild(
        self, today: date, *, fixed: frozenset[str] | set[str] = frozenset(), scale: float | None = None
    ) -> None:
        """Serve another day's or another state's site at the same addresses (for re-check tests)."""
        self.site = DemoSite(
            today,
            scale=self.site.scale if scale is None else scale,
            external_base=self.external_base,
            dead_base=self.dead_base,
            fixed=frozenset(fixed),
        )
        self.feeds = DemoFeeds(today, self.base)
        self.dept = DeptSite(today, portal_base=self.base, fixed=frozenset(fixed))


@contextmanager
def serve_demo(
    today: date, *, scale: float = 1.0, fixed: frozenset[str] | set[str] = frozenset()
) -> Iterator[RunningDemo]:
    external = _serve(
        lambda p, q="": (
            ("text/html; charset=utf-8", "<html><title>外部网站</title><body>ok</body></html>".encode())
            if p == "/ok.html"
            else None
        )
    )
    ext_base = f"http://127.0.0.1:{external.server_address[1]}"
    dead = dead_address()
    holder: list[RunningDemo] = []
    server = _serve(lambda path, query="": holder[0].site.lookup(path, query) or holder[0].feeds.pages.get(path))
    dept_server = _serve(lambda path, query="": holder[0].dept.lookup(path, query))
    site = DemoSite(today, scale=scale, external_base=ext_base, dead_base=dead, fixed=frozenset(fixed))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    holder.append(
        RunningDemo(
            site,
            base,
            ext_base,
            dead,
            DemoFeeds(today, base),
            DeptSite(today, portal_base=base, fixed=frozenset(fixed)),
            f"http://127.0.0.1:{dept_server.server_address[1]}",
        )
    )
    try:
        yield holder[0]
    finally:
        for s in (server, external, dept_server):
            s.shutdown()
            s.server_close()
