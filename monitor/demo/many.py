"""Many demo portals at once, for the worker-pool tests and the province-scale benchmark.

``shared_host=True`` serves every portal from one host:port under its own directory (/s0/, /s1/ …), the way
department sites live under the portal's host; each page's root-relative links are moved into that
directory. ``shared_host=False`` gives each portal its own port (its own host for politeness). Every request
is logged with its start and end times (monotonic) per host:port, so a test can check politeness from the
server's side. ``accounts`` RSS feeds are served too (``/feeds/<n>.xml`` on the first server).
"""

from __future__ import annotations

import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http.server import ThreadingHTTPServer
from typing import Iterator

from monitor.demo.server import DemoServer, _handler, _serve, dead_address
from monitor.demo.site import DemoSite

_ROOT_LINK = re.compile(rb'((?:href|src|action)=["\'])/')


@dataclass
class Hit:
    host: str
    path: str
    start: float
    end: float


@dataclass
class ManySites:
    homes: list[str]
    feeds: list[str]
    log: list[Hit] = field(default_factory=list)
    servers: list[ThreadingHTTPServer] = field(default_factory=list)

    def hits(self, host: str | None = None) -> list[Hit]:
        return sorted((h for h in list(self.log) if host is None or h.host == host), key=lambda h: h.start)


def _rss(n: int, today: date) -> bytes:
    items = "".join(
        f"<item><title>账号{n}第{i}条发布</title><link>http://127.0.0.1:9/a/{n}/{i}.html</link>"
        f"<guid>a{n}-{i}</guid><pubDate>{(datetime(today.year, today.month, today.day, 9) - timedelta(days=3 * i)):%a, %d %b %Y %H:%M:%S} +0800</pubDate>"
        f"<description>第{i}条发布的内容。</description></item>"
        for i in range(5)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>账号{n}</title>'
        f"{items}</channel></rss>"
    ).encode()


@contextmanager
def serve_many(
    today: date,
    n_sites: int,
    *,
    scale: float = 0.1,
    shared_host: bool = True,
    accounts: int = 0,
    latency: float = 0.0,
    log_path: str | None = None,
) -> Iterator[ManySites]:
    """Serve ``n_sites`` demo portals (and ``accounts`` feeds); ``latency`` seconds added to every answer."""
    external = _serve(
        lambda p, q="": (
            ("text/html; charset=utf-8", b"<html><title>ext</title><body>ok</body></html>") if p == "/ok.html" else None
        )
    )
    ext_base = f"http://127.0.0.1:{external.server_address[1]}"
    site = DemoSite(today, scale=scale, external_base=ext_base, dead_base=dead_address())
    running = ManySites([], [])
    feeds = {f"/feeds/{i}.xml": _rss(i, today) for i in range(accounts)}

    def prefixed(prefix: bytes):
        cache: dict[str, tuple] = {}

        def lookup(path: str, query: str = ""):
            if path == log_path:
                import json

                rows = [[h.host, h.path, h.start, h.end] for h in list(running.log)]
                return "application/json", json.dumps(rows).encode()
            if path in feeds:
                return "application/rss+xml; charset=utf-8", feeds[path]
            if prefix:
                if not path.startswith(prefix.decode()):
                    return None
                path = path[len(prefix) - 1 :]
            key = f"{path}?{query}"
            if key not in cache:
                found = site.lookup(path, query)
                if found is not None and prefix and found[0].startswith("text/html"):
                    found = (found[0], _ROOT_LINK.sub(rb"\1" + prefix, found[1]), *found[2:])
                cache[key] = found
            return cache[key]

        return lookup

    def logged(lookup, host: str):
        base = _handler(lookup)

        class Logged(base):
            def _serve(self, send_body: bool) -> None:
                start = time.monotonic()
                if latency:
                    time.sleep(latency)
                try:
                    super()._serve(send_body)
                finally:
                    if self.path != log_path:
                        running.log.append(Hit(host, self.path, start, time.monotonic()))

        return Logged

    def start(lookup) -> str:
        server = DemoServer(("127.0.0.1", 0), _handler(lookup))
        server.daemon_threads = True
        host = f"127.0.0.1:{server.server_address[1]}"
        server.RequestHandlerClass = logged(lookup, host)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        running.servers.append(server)
        return f"http://{host}"

    try:
        if shared_host:
            holder: list = []
            lookups = {f"/s{i}/": prefixed(f"/s{i}/".encode()) for i in range(n_sites)}

            top = prefixed(b"")

            def route(path: str, query: str = ""):
                if path in feeds or path == log_path:
                    return top(path, query)
                m = re.match(r"/s\d+/", path)
                return lookups[m.group(0)](path, query) if m and m.group(0) in lookups else None

            base = start(route)
            holder.append(base)
            running.homes = [f"{base}/s{i}/" for i in range(n_sites)]
        else:
            plain = prefixed(b"")
            running.homes = [start(plain) + "/" for _ in range(n_sites)]
            base = running.homes[0].rstrip("/")
        running.feeds = [f"{base}/feeds/{i}.xml" for i in range(accounts)]
        yield running
    finally:
        for s in [*running.servers, external]:
            s.shutdown()
            s.server_close()


LOG_PATH = "/__requests__.json"  # the shared-host server's request log, for the process that started it


def main() -> None:
    """`python -m monitor.demo.many N [--scale S] [--latency L] [--own-hosts] [--accounts A]`: serve in this
    process (away from the crawlers' and the test's interpreter, so the logged times are the arrival times);
    prints one JSON line {homes, feeds}; stops when stdin closes."""
    import argparse
    import json
    import sys

    from monitor.timeutil import today_cn

    ap = argparse.ArgumentParser()
    ap.add_argument("sites", type=int)
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--own-hosts", action="store_true")
    ap.add_argument("--accounts", type=int, default=0)
    args = ap.parse_args()
    with serve_many(
        today_cn(),
        args.sites,
        scale=args.scale,
        shared_host=not args.own_hosts,
        accounts=args.accounts,
        latency=args.latency,
        log_path=LOG_PATH,
    ) as many:
        print(json.dumps({"homes": many.homes, "feeds": many.feeds}), flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
