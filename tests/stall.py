"""Scrapy crawls whose event loop stalls once, after Scrapy has let a request go and before it is written: what a
long parse elsewhere does to a crawl under load. Run by tests/integration/test_pace.py in a process of its own (Scrapy's
reactor runs once per process):

    python -m tests.stall DELAY STALL_SECONDS own=URL pacer=URL ...

crawls the URLs at once (each stall blocks them all, as it would), ``own`` with Scrapy's own per-host delay (a first crawl), ``pacer`` with the shared
pace (``MONITOR_PACE_DELAY``, ``LightPath.pacer``) and Scrapy's delay off (a re-crawl or a worker pool: ``PaceMiddleware``), each with the project's
settings, the http(s) handler they configure wrapped in ``StallingHandler``, one request at a time per host;
``turn`` with a shared pacer that stalls the loop right after it grants a send its turn (two requests at a time
per host, so the next one is waiting for its turn meanwhile), through the configured handler itself."""

from __future__ import annotations

import sys
import time

import scrapy

INNER = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"
STALL_AT = 2  # the n-th request handed to the handler is followed by a stall of
STALL_SECONDS = 0.8


class StallingHandler:
    """Wraps the configured http handler; blocks the loop right after the STALL_AT-th request starts its way."""

    lazy = False

    def __init__(self, crawler):
        from scrapy.utils.misc import build_from_crawler, load_object

        self.inner = build_from_crawler(load_object(INNER), crawler)
        self.count = 0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def download_request(self, request):
        from twisted.internet import reactor

        self.count += 1
        if self.count == STALL_AT:
            reactor.callLater(0, time.sleep, STALL_SECONDS)
        return await self.inner.download_request(request)

    async def close(self) -> None:
        await self.inner.close()


def _stalling_pacer(concurrency: int, delay: float):
    """A ``Pacer`` whose STALL_AT-th granted send is followed by a stall, queued for the loop's next turn: a
    request whose bytes waited for that turn would leave with the next one."""
    import asyncio

    from spiders.revalidate import HostPace, Pacer

    class StallAfterTurn(HostPace):
        grants = 0

        def try_send(self) -> float:
            wait = super().try_send()
            if wait <= 0:
                StallAfterTurn.grants += 1
                if StallAfterTurn.grants == STALL_AT:
                    asyncio.get_running_loop().call_soon(time.sleep, STALL_SECONDS)
            return wait

    class StallingPacer(Pacer):
        def host(self, url: str) -> HostPace:
            return self.hosts.setdefault("one", StallAfterTurn(self.concurrency, self.delay))

    return StallingPacer(concurrency, delay)


def _stalling_light_path():
    """The project's ``LightPath`` extension with the stalling pacer in place of the one it builds."""
    from spiders.revalidate import LightPath

    class StallingLightPath(LightPath):
        @classmethod
        def from_crawler(cls, crawler):
            ext = super().from_crawler(crawler)
            ext.pacer = _stalling_pacer(ext.pacer.concurrency, ext.pacer.delay)
            return ext

    return StallingLightPath


StallingLightPath = _stalling_light_path()


class FollowSpider(scrapy.Spider):
    """The home page and the pages it links to."""

    name = "follow"

    def __init__(self, home: str, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [home]

    def parse(self, response):
        if response.url.endswith("/"):
            for href in response.css("a::attr(href)").getall():
                yield response.follow(href, callback=self.parse)


def main(delay: float, seconds: float, crawls: list[tuple[str, str]]) -> None:
    import tests.stall as this  # the module Scrapy loads the handler from (this file runs as __main__)
    from scrapy.crawler import CrawlerRunner
    from scrapy.settings import Settings
    from scrapy.utils.reactor import install_reactor
    from twisted.internet import defer

    from spiders import settings as defaults

    install_reactor(defaults.TWISTED_REACTOR)
    this.STALL_SECONDS = seconds
    this.INNER = defaults.DOWNLOAD_HANDLERS.get("http") or INNER

    def settings(
        download_delay: float,
        per_host: int = 1,
        stall_handler: bool = True,
        pace_delay: float | None = None,
        stalling_pacer: bool = False,
    ) -> Settings:
        s = Settings()
        s.setmodule(defaults, priority="project")
        if pace_delay is not None:  # the shared pace a re-crawl or a worker pool uses (LightPath.pacer)
            s.set("MONITOR_PACE_DELAY", pace_delay)
            s.set("MONITOR_PACE_CONCURRENCY", per_host)
        if stalling_pacer:
            s.set(
                "EXTENSIONS",
                {
                    **{k: v for k, v in defaults.EXTENSIONS.items() if not k.endswith(".LightPath")},
                    "tests.stall.StallingLightPath": 0,
                },
            )
        if stall_handler:
            stalling = "tests.stall.StallingHandler"
            s.set("DOWNLOAD_HANDLERS", {**defaults.DOWNLOAD_HANDLERS, "http": stalling, "https": stalling})
        s.set("ITEM_PIPELINES", {})
        s.set("CONCURRENT_REQUESTS_PER_DOMAIN", per_host)
        s.set("DOWNLOAD_DELAY", download_delay)
        s.set("LOG_LEVEL", "ERROR")
        return s

    from twisted.internet import reactor

    def crawl(mode: str, url: str):
        if mode == "own":
            return CrawlerRunner(settings(delay)).crawl(FollowSpider, home=url)
        if mode == "pacer":
            return CrawlerRunner(settings(0, pace_delay=delay)).crawl(FollowSpider, home=url)
        return CrawlerRunner(settings(0, per_host=2, stall_handler=False, pace_delay=delay, stalling_pacer=True)).crawl(
            FollowSpider, home=url
        )

    done = defer.DeferredList([crawl(mode, url) for mode, url in crawls], consumeErrors=True)
    done.addBoth(lambda _: reactor.stop())
    reactor.run()


if __name__ == "__main__":
    main(float(sys.argv[1]), float(sys.argv[2]), [tuple(arg.split("=", 1)) for arg in sys.argv[3:]])
