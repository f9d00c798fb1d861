"""Politeness per host (limits.delay_seconds, concurrency_per_host) is kept where a request is sent, not where it
is let go: a stalled event loop delays requests but never sends two to one host closer than the delay."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

from tests.conftest import ROOT, need_service
from tests.local_http import page, serve

REDIS = os.environ.get("MONITOR_TEST_REDIS", "redis://127.0.0.1:6379/0")
DELAY = 0.2
# the time from the pace's check to the bytes on the wire: a process preempted there under heavy load
SLACK = 0.03


def _gaps(arrivals: list[float]) -> list[float]:
    ordered = sorted(arrivals)
    return [round(b - a, 4) for a, b in zip(ordered, ordered[1:])]


def _site(path, server):
    if path == "/":
        return 200, {}, page("首页", "".join(f"<a href='/p{i}.html'>第{i}篇</a>" for i in range(4)))
    return 200, {}, page(path, "正文")


def test_a_stalled_reactor_sends_no_burst_of_scrapy_requests(tmp_path):
    """The loop stalls right after Scrapy let a request go, on a first crawl (Scrapy's own delay) and with the
    spider's pacer (a re-crawl, a worker pool): that request is sent late, and the next one still waits the
    delay after it (before, it followed the late one within milliseconds). Over HTTPS the turn is taken after
    the TLS handshake, when the request itself can leave. And a request whose turn was just granted is on the
    wire before the loop runs anything else: a stall right then does not send the next one with it."""
    with serve(_site) as own, serve(_site) as paced, serve(_site, tls=True) as tls, serve(_site) as turn:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.stall",
                str(DELAY),
                "0.5",
                f"own={own.url('/')}",
                f"pacer={paced.url('/')}",
                f"own={tls.url('/')}",
                f"turn={turn.url('/')}",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"},
        )
        assert out.returncode == 0, out.stderr
    for name, srv in (("own", own), ("pacer", paced), ("tls", tls), ("turn", turn)):
        gaps = _gaps(srv.arrivals)
        assert len(srv.arrivals) == 5, (name, srv.arrivals, out.stderr)
        assert max(gaps) >= 0.45, (name, gaps)  # a stall happened between two sends
        # over TLS the server only knows when its thread read the request: a looser bound, still no burst
        assert min(gaps) >= (DELAY - SLACK if srv is not tls else DELAY / 2), (name, gaps)
        assert srv.max_in_flight <= (2 if srv is turn else 1)


def test_light_path_keeps_the_pace_at_the_send_through_a_stall():
    """The light path (aiohttp, spiders.revalidate): the loop stalls right after the first request is let go,
    while the second waits for its turn; after the stall they still reach the host the delay apart."""
    import aiohttp

    from spiders import revalidate

    async def main(url):
        pace = revalidate.HostPace(2, DELAY)
        loop = asyncio.get_running_loop()
        async with aiohttp.ClientSession(trace_configs=[revalidate.pace_trace()]) as session:

            async def one(i):
                await pace.acquire()
                try:
                    if i == 0:
                        loop.call_soon(time.sleep, 0.8)
                    async with session.get(f"{url}/p{i}.html", trace_request_ctx=pace) as resp:
                        await resp.read()
                finally:
                    pace.release()

            await asyncio.gather(*(one(i) for i in range(5)))

    with serve(_site) as srv:
        began = time.time()
        asyncio.run(main(srv.base))
        arrivals = list(srv.arrivals)
    gaps = _gaps(arrivals)
    assert len(arrivals) == 5 and min(arrivals) - began >= 0.7, (began, arrivals)  # all sent after the stall
    assert min(gaps) >= DELAY - SLACK, gaps


def test_the_pool_keeps_the_pace_at_the_send_through_a_stall():
    """Two processes of a worker pool (two RedisPacers) share a host; one stalls right after letting a request
    go. Every send still books its turn in Redis when it leaves: the host sees them the delay apart (less the
    documented slack of a turn answered late, spiders/pace_redis.py)."""
    import uuid

    import aiohttp

    from spiders import revalidate
    import redis

    from spiders.pace_redis import SEND_SLACK, RedisPacer

    try:
        redis.Redis.from_url(REDIS, socket_timeout=2).ping()
    except Exception as exc:  # any failure means no server here
        need_service(f"Redis not reachable at {REDIS}: {exc}")
    ns = f"s{uuid.uuid4().hex[:10]}"

    async def worker(url, pacer, n, stall):
        loop = asyncio.get_running_loop()
        async with aiohttp.ClientSession(trace_configs=[revalidate.pace_trace()]) as session:

            async def one(i):
                pace = pacer.host(url)
                await pace.acquire()
                try:
                    if stall and i == 0:
                        loop.call_soon(time.sleep, 0.8)
                    async with session.get(f"{url}/p{i}.html", trace_request_ctx=pace) as resp:
                        await resp.read()
                finally:
                    pace.release()

            await asyncio.gather(*(one(i) for i in range(n)))

    async def main(url):
        await asyncio.gather(
            worker(url, RedisPacer(REDIS, ns, 2, DELAY), 3, True),
            worker(url, RedisPacer(REDIS, ns, 2, DELAY), 3, False),
        )

    with serve(_site) as srv:
        asyncio.run(main(srv.base))
        arrivals = list(srv.arrivals)
    gaps = _gaps(arrivals)
    assert len(arrivals) == 6, arrivals
    assert min(gaps) >= DELAY * (1 - SEND_SLACK) - SLACK, gaps
