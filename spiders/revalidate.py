"""A light fetch path for re-checks: unchanged pages are confirmed without going through Scrapy's engine.

On a re-crawl most pages have not changed. Scrapy spends about 2 ms of CPU on
each request whatever the answer (scheduler, middleware chains, deferreds,
signals), which made an unchanged re-crawl only about 3x cheaper than the first
crawl. Here the spider hands each request for which the previous run stored
validators to a ``Revalidator``: a plain asyncio client (aiohttp, about 0.25 ms
a request) on the same event loop sends the conditional GET. A 304 or an
identical body is an unchanged page: the spider's own ``_reused`` records it
and follows the previous run's links (the same code as a 304 that came through
Scrapy). A changed page goes to Scrapy with the response already in
hand (``PrefetchedMiddleware``), so it is parsed as on a first crawl without a
second GET; anything else (redirected, failed, too large) goes back to Scrapy
untouched, which fetches, retries and records it as on a first crawl. So the decisions (scope, depth, caps, verdicts) stay in the spider and in
Scrapy; this module only carries bytes.

Both paths share one ``Pacer`` per host, so a site's politeness (concurrent
requests, delay between requests) holds for the two together; the delay is kept
at the send (see ``HostPace``). The ``LightPath`` extension builds both from
the crawl's settings; the middlewares here, the download handler and the spider
find them through it.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import logging
import time
from typing import Any, Callable

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

log = logging.getLogger(__name__)


class HostPace:
    """At most ``concurrency`` requests in flight to one host and ``delay`` seconds between their sends.

    The pace is kept at the send, not where a request is let go: between the two come a connection (a new TCP
    connect, a TLS handshake) and whatever else the event loop runs meanwhile, and a loop stalled there once sent a
    late request and, counted from that one's release, the next right behind it (6 ms apart where 0.2 s was
    configured). So ``acquire`` takes a slot and waits until a send would be due but records nothing; the HTTP
    client calls ``at_send`` right before it writes the request (the aiohttp trace below; for Scrapy,
    ``spiders.pace_http``), and its check and record run in one step with the write: the later of two sends sees
    the earlier one's time and waits.
    """

    def __init__(self, concurrency: int, delay: float):
        self.slots = asyncio.Semaphore(max(1, concurrency))
        self.delay = max(0.0, delay)
        self.last_send: float | None = None  # time.monotonic() of the last send to this host

    def due_in(self) -> float:
        """Seconds until a send to this host is allowed (0 or less: now)."""
        if not self.delay or self.last_send is None:
            return 0.0
        return self.last_send + self.delay - time.monotonic()

    async def acquire(self) -> None:
        await self.slots.acquire()
        try:  # most requests then find their turn free at the send
            while (wait := self.due_in()) > 0:
                await asyncio.sleep(wait)
        except BaseException:  # cancelled while waiting: the slot is not taken
            self.slots.release()
            raise

    def try_send(self) -> float:
        """0 when the request may be sent now, recorded as sent (the caller writes it at once, without
        yielding to the loop); else the seconds to wait before asking again."""
        wait = self.due_in()
        if wait > 0:
            return wait
        if self.delay:
            self.last_send = time.monotonic()
        return 0.0

    async def at_send(self) -> None:
        """Return when the request may be written, with its send recorded; the caller writes it before it
        awaits anything."""
        while (wait := self.try_send()) > 0:
            await asyncio.sleep(wait)

    def release(self) -> None:
        self.slots.release()


async def _headers_sent(_session, context, _params) -> None:
    # aiohttp awaits this right before it writes the request's headers (ClientRequest.send: write_headers,
    # then, for a request without a body, set_eof writes them with no await between): the send's turn
    pace = context.trace_request_ctx
    if pace is not None and hasattr(pace, "at_send"):
        await pace.at_send()


def pace_trace():
    """The aiohttp trace that keeps a request's pace (``trace_request_ctx``) at its send."""
    import aiohttp

    trace = aiohttp.TraceConfig()
    trace.on_request_headers_sent.append(_headers_sent)
    return trace


class Pacer:
    """One ``HostPace`` per host:port, shared by the revalidator and (through ``PaceMiddleware``) Scrapy."""

    def __init__(self, concurrency: int, delay: float):
        self.concurrency = concurrency
        self.delay = delay
        self.hosts: dict[str, HostPace] = {}

    def host(self, url: str) -> HostPace:
        from spiders.site import host_port

        key = host_port(url)
        pace = self.hosts.get(key)
        if pace is None:
            pace = self.hosts[key] = HostPace(self.concurrency, self.delay)
        return pace


class LightPath:
    """Extension: the pace per host shared by Scrapy and the light path, and on a re-crawl the light path itself.

    Built from the crawl's settings when ``MONITOR_PACE_DELAY`` is set (the runner sets it when both paths fetch,
    or on a worker pool, and then turns Scrapy's own per-slot delay off, see ``monitor.crawl.runner.crawl_sites``):
    ``pacer`` is a ``Pacer``, or on a pool (``MONITOR_PACE_REDIS``) a ``spiders.pace_redis.RedisPacer``. When the
    spider opens with a previous run to reuse and reuse is on, ``revalidator`` is its ``Revalidator``; what that
    produces is stored through ``item_sink``, which the store pipeline sets while it is open.
    """

    def __init__(self, crawler, pacer: Any):
        self.crawler = crawler
        self.pacer = pacer
        self.revalidator: Revalidator | None = None
        self.item_sink: Callable[[Any], Any] | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if settings.get("MONITOR_PACE_DELAY") is None:
            raise NotConfigured  # Scrapy's own per-slot politeness applies
        delay = settings.getfloat("MONITOR_PACE_DELAY")
        per_host = settings.getint("MONITOR_PACE_CONCURRENCY") or settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        if settings.get("MONITOR_PACE_REDIS"):  # a worker pool: the pace holds across all its processes
            from spiders.pace_redis import RedisPacer

            pacer: Any = RedisPacer(
                settings.get("MONITOR_PACE_REDIS"),
                settings.get("MONITOR_PACE_NAMESPACE"),
                per_host,
                delay,
                lease_seconds=settings.getfloat("DOWNLOAD_TIMEOUT") + 30,
            )
        else:
            pacer = Pacer(per_host, delay)
        ext = cls(crawler, pacer)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider) -> None:
        # after the pipelines opened (the item sink is set), before the spider's first request
        settings = self.crawler.settings
        if (
            getattr(spider, "previous", None) is None
            or self.item_sink is None
            or not settings.getbool("MONITOR_REUSE_ENABLED")
            or not settings.getbool("MONITOR_REVALIDATE_ENABLED")
        ):
            return
        per_host = settings.getint("MONITOR_PACE_CONCURRENCY") or settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        self.revalidator = Revalidator(
            spider,
            self.pacer,
            workers=min(settings.getint("CONCURRENT_REQUESTS"), 4 * per_host),
            timeout=settings.getfloat("DOWNLOAD_TIMEOUT"),
            maxsize=settings.getint("DOWNLOAD_MAXSIZE"),
            user_agent=settings.get("USER_AGENT"),
            stats=self.crawler.stats,
        )

    def emit(self, item: Any) -> None:
        """Store an item produced outside Scrapy's callbacks, as if a callback had yielded it."""
        if self.item_sink is None:  # the pipeline has closed (the crawl was stopped): a resume redoes it
            return
        self.item_sink(item)
        self.crawler.signals.send_catch_log(signals.item_scraped, item=item, response=None, spider=self.crawler.spider)

    def spider_idle(self, spider) -> None:
        if self.revalidator is not None and self.revalidator.busy():
            self.revalidator.scrapy_idle()
            raise DontCloseSpider

    async def spider_closed(self, spider, reason) -> None:
        if self.revalidator is not None:
            await self.revalidator.close()


class PaceMiddleware:
    """Downloader middleware: Scrapy's requests wait for the shared ``Pacer`` (``LightPath.pacer``); not in the
    chain when there is none (Scrapy's own per-slot delay then applies)."""

    _HELD = "monitor_pace_held"

    def __init__(self, crawler, pacer: Any):
        self.crawler = crawler
        self.pacer = pacer

    @classmethod
    def from_crawler(cls, crawler):
        light = crawler.get_extension(LightPath)
        if light is None:
            raise NotConfigured
        return cls(crawler, light.pacer)

    async def process_request(self, request):
        if request.meta.get(self._HELD):
            return None
        pace = self.pacer.host(request.url)
        await pace.acquire()
        request.meta[self._HELD] = pace
        return None

    def _release(self, request) -> None:
        pace = request.meta.pop(self._HELD, None)
        if pace is not None:
            pace.release()

    def process_response(self, request, response):
        self._release(request)
        return response

    def process_exception(self, request, exception):
        self._release(request)
        return None


LIGHT_MAX_BYTES = 2 * 1024 * 1024  # per body read here: workers x this bounds the light path's memory
PREFETCHED = "monitor_prefetched"  # request.meta: (url, status, headers, body) the light path already has
# aiohttp has decoded the body: these headers no longer describe it
_DECODED = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class PrefetchedMiddleware:
    """Downloader middleware: a changed page the light path already downloaded is answered from that
    download, so it reaches the spider (and every middleware's ``process_response``) without a second GET.
    Not in the chain when there is no light path."""

    def __init__(self, crawler, light: LightPath):
        self.crawler = crawler
        self.light = light

    @classmethod
    def from_crawler(cls, crawler):
        light = crawler.get_extension(LightPath)
        if light is None:
            raise NotConfigured
        return cls(crawler, light)

    def process_request(self, request):
        got = request.meta.pop(PREFETCHED, None)
        if got is None:
            return None
        revalidator = self.light.revalidator
        if revalidator is not None:
            revalidator.prefetch_consumed()
        from scrapy.http import Headers
        from scrapy.responsetypes import responsetypes

        url, status, pairs, body = got
        headers = Headers()
        for key, value in pairs:
            headers.appendlist(key, value)
        cls = responsetypes.from_args(headers=headers, url=url, body=body)
        return cls(url=url, status=status, headers=headers, body=body, request=request)


async def read_body(stream: Any, maxsize: int) -> bytes | None:
    """The whole body, or None when it is longer than ``maxsize`` (then Scrapy fetches it untouched).

    ``StreamReader.read(n)`` returns what is buffered, up to n bytes, not n bytes: reading once stored a
    430 KB page as its first 128 KB, so the body is read chunk by chunk to its end."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in stream.iter_chunked(256 * 1024):
        size += len(chunk)
        if size > maxsize:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class Revalidator:
    """Sends conditional GETs for the spider's requests that have validators; see the module docstring.

    ``spider`` provides ``previous`` (``monitor.crawl.reuse.PreviousRun``), ``_reused(...)`` and ``emit_item``;
    ``workers`` bounds the requests this path keeps open in all (the pacer bounds them per host).
    """

    def __init__(
        self,
        spider: Any,
        pacer: Pacer,
        *,
        workers: int,
        timeout: float,
        maxsize: int,
        user_agent: str,
        stats: Any = None,
    ):
        import aiohttp

        self.spider = spider
        self.pacer = pacer
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.maxsize = maxsize
        self.stats = stats
        self.queue: collections.deque[Request] = collections.deque()
        self.active = 0
        # changed pages handed to Scrapy with their body, not yet downloaded-from-memory: bounded, so a site
        # where everything changed does not pile bodies up in Scrapy's queue faster than Scrapy parses them
        self.prefetched = 0
        self.max_prefetched = max(8, 2 * workers)
        self.room = asyncio.Event()
        self.room.set()
        self.closed = False
        self.wake = asyncio.Event()
        self.headers = {
            "User-Agent": user_agent,
            "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
            "Accept-Language": "zh-CN,zh;q=0.9",
        }
        # Scrapy does not verify certificates either: a TLS problem is judged by the Scrapy path alone.
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=max(1, workers), ssl=False),
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=True,
            trace_configs=[pace_trace()],
        )
        self.tasks = [asyncio.ensure_future(self._work()) for _ in range(max(1, workers))]

    # ------------------------------------------------------------ the spider's side

    def takes(self, request: Request) -> bool:
        if self.closed or request.method != "GET" or request.meta.get("playwright"):
            return False
        return self.spider.previous.validators_for(request) is not None

    def submit(self, request: Request) -> None:
        self.queue.append(request)
        self.wake.set()

    def prefetch_consumed(self) -> None:
        self.prefetched = max(0, self.prefetched - 1)
        if self.prefetched < self.max_prefetched:
            self.room.set()

    def scrapy_idle(self) -> None:
        """Scrapy has nothing queued or in flight: no prefetched page is waiting there any more (one it
        dropped must not hold this path back for ever)."""
        self.prefetched = 0
        self.room.set()

    def busy(self) -> bool:
        return bool(self.queue) or self.active > 0

    async def close(self) -> None:
        self.closed = True
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.session.close()

    # ------------------------------------------------------------ the work

    async def _work(self) -> None:
        while True:
            if not self.queue:
                self.wake.clear()
                await self.wake.wait()
                continue
            if self.prefetched >= self.max_prefetched:
                self.room.clear()
                await self.room.wait()
                continue
            request = self.queue.popleft()
            self.active += 1
            try:
                await self._check(request)
            except Exception:  # never lose a request: the Scrapy path fetches it as on a first crawl
                log.exception("revalidation of %s failed; fetching it normally", request.url)
                self._to_scrapy(request)
            finally:
                self.active -= 1
                if not self.busy():
                    self._idle()

    async def _check(self, request: Request) -> None:
        import aiohttp
        from yarl import URL

        v = self.spider.previous.validators_for(request)
        if v is None:
            self._to_scrapy(request)
            return
        headers = dict(self.headers)
        referer = request.headers.get(b"Referer")
        if referer:
            headers["Referer"] = referer.decode("latin-1")
        if v.etag:
            headers["If-None-Match"] = v.etag
        if v.last_modified:
            headers["If-Modified-Since"] = v.last_modified
        # bodies above LIGHT_MAX_BYTES (big attachments) are compared and kept by the Scrapy path alone
        maxsize = min(int(request.meta.get("download_maxsize") or self.maxsize), LIGHT_MAX_BYTES)
        pace = self.pacer.host(request.url)
        await pace.acquire()
        started = time.monotonic()
        how = None
        try:
            async with self.session.get(
                URL(request.url, encoded=True),
                headers=headers,
                allow_redirects=False,
                timeout=self.timeout,
                trace_request_ctx=pace,
            ) as resp:
                if resp.status == 304:
                    how = "304"
                elif resp.status == 200 and (resp.content_length or 0) <= maxsize:
                    body = await read_body(resp.content, maxsize)
                    if body is not None:
                        if v.content_hash and hashlib.sha256(body).hexdigest() == v.content_hash:
                            how = "hash"
                        else:  # changed: Scrapy parses this very response instead of fetching it again
                            request.meta[PREFETCHED] = (
                                str(resp.url),
                                resp.status,
                                [(k, val) for k, val in resp.headers.items() if k.lower() not in _DECODED],
                                body,
                            )
                etag, modified = resp.headers.get("ETag"), resp.headers.get("Last-Modified")
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, UnicodeError):
            how = None  # a failure is for Scrapy to retry, confirm and record
            request.meta.pop(PREFETCHED, None)
        finally:
            pace.release()
        if how is None:
            if PREFETCHED in request.meta:
                self.prefetched += 1
            self._to_scrapy(request)
            return
        if self.stats is not None:
            self.stats.inc_value("reuse/not_modified" if how == "304" else "reuse/same_hash")
            self.stats.inc_value("reuse/revalidated")
        elapsed = int((time.monotonic() - started) * 1000)
        for out in self.spider._reused(
            request.meta,
            how=how,
            elapsed_ms=elapsed,
            etag=(etag or "")[:200] or None,
            last_modified=(modified or "")[:100] or None,
        ):
            if isinstance(out, Request):
                self.route(out)
            else:
                self.spider.emit_item(out)

    def route(self, request: Request) -> None:
        if self.takes(request):
            self.submit(request)
        else:
            self._to_scrapy(request)

    def _to_scrapy(self, request: Request) -> None:
        engine = self.spider.crawler.engine
        if engine is not None and not self.closed:
            engine.crawl(request)

    def _idle(self) -> None:
        """Nothing left here: let Scrapy see at once whether the spider is done (instead of at its next
        5-second heartbeat, which would add seconds to a re-crawl that takes a few)."""
        slot = getattr(self.spider.crawler.engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()
