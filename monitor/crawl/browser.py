"""Rendering JavaScript-filled pages in the system Chromium, only where a page needs it.

``BrowserHandler`` serves plain requests over HTTP/1.1 and hands those that ask
for a browser (``meta['playwright']``) to scrapy-playwright's handler, with two changes:
- nothing starts with the crawl: Playwright (even its import) and Chromium are
  launched by the first request that needs them, so a plain crawl never starts one;
- pages go to a browser context that is closed and replaced after
  ``MONITOR_BROWSER_PAGES_PER_CONTEXT`` pages, so a long crawl's memory stays bounded.
Each page is closed as soon as its HTML is read (scrapy-playwright does so
unless ``playwright_include_page`` is set, which we never do).
"""

from __future__ import annotations

import asyncio
import logging
import os

from scrapy.settings import Settings

from spiders.chromium import CHROMIUM, CONTEXT_OPTIONS, Gate, launch_options, route_async
from spiders.netguard import DISABLED_HANDLERS, NetPolicy, host_port

log = logging.getLogger(__name__)

# what a rendered list page may load from other hosts (libraries from a CDN); never data, frames or images
THIRD_PARTY_TYPES = ("script", "stylesheet")
SKIPPED_TYPES = ("image", "media", "font")  # not needed to read a list, and each one is a request


def browser_path(settings: Settings | None = None) -> str:
    # MONITOR_CHROMIUM lets a machine point at its own build (and tests watch for launches)
    return (
        os.environ.get("MONITOR_CHROMIUM") or (settings.get("MONITOR_BROWSER_PATH") if settings else None) or CHROMIUM
    )


def browser_available(settings: Settings | None = None) -> bool:
    path = browser_path(settings)
    return os.path.isfile(path) and os.access(path, os.X_OK)


def apply_browser_settings(s: Settings, *, timeout_seconds: float) -> None:
    """Install the lazy browser handler and its Playwright options into one crawler's settings."""
    handler = "monitor.crawl.browser.BrowserHandler"
    s.set("DOWNLOAD_HANDLERS", {**DISABLED_HANDLERS, "http": handler, "https": handler}, priority="cmdline")
    s.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", priority="cmdline")
    # sandboxed, and without a network of its own: every request goes through the gate (spiders.chromium)
    s.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch_options(browser_path(s)), priority="cmdline")
    s.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", timeout_seconds * 1000, priority="cmdline")
    s.set("PLAYWRIGHT_MAX_CONTEXTS", 2, priority="cmdline")  # the current one and one being retired
    s.set("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT", s.getint("MONITOR_BROWSER_CONCURRENCY"), priority="cmdline")


class BrowserHandler:
    """The http/https download handler: plain HTTP/1.1 (paced at the send), plus a browser for requests that ask
    for one.

    Playwright is not even imported until the first ``meta['playwright']`` request, so a plain crawl
    pays nothing for being able to render.
    """

    lazy = False

    def __init__(self, crawler):
        from spiders.pace_http import PacedHTTP11DownloadHandler

        self.crawler = crawler
        self.http = PacedHTTP11DownloadHandler(crawler)  # the host's delay kept at the send
        self.browser = None
        self._lock = asyncio.Lock()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def download_request(self, request):
        if not request.meta.get("playwright"):
            return await self.http.download_request(request)
        async with self._lock:
            if self.browser is None:
                self.browser = _recycling_handler()(self.crawler)
                await self.browser._launch()
                self.crawler.stats.set_value("monitor/browser_started", True)
        return await self.browser.download_request(request)

    async def close(self) -> None:
        await self.http.close()
        if self.browser is not None:
            await self.browser.close()


def _recycling_handler():
    from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

    class RecyclingPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
        """scrapy-playwright's handler, started by us, with its context replaced every N pages."""

        def __init__(self, crawler):
            super().__init__(crawler)
            self.pages_per_context = max(1, crawler.settings.getint("MONITOR_BROWSER_PAGES_PER_CONTEXT"))
            self._generation = 0
            self._served = 0
            self._busy: dict[str, int] = {}

        async def _maybe_launch_in_thread(self) -> None:  # the engine started long ago; we launch it
            return None

        def _engine_started(self):  # older Scrapy API
            return None

        async def _download_request(self, request, spider=None):
            name = f"monitor-{self._generation}"
            self._served += 1
            if self._served >= self.pages_per_context:  # the next page opens a fresh context
                self._generation += 1
                self._served = 0
            request.meta["playwright_context"] = name
            request.meta["playwright_context_kwargs"] = dict(CONTEXT_OPTIONS)
            # a page whose navigation away was refused may never fire "load" (see _apply_page_methods)
            request.meta["playwright_page_goto_kwargs"] = {"wait_until": "domcontentloaded"}
            self._busy[name] = self._busy.get(name, 0) + 1
            try:
                return await super()._download_request(request, spider)
            finally:
                self._busy[name] -= 1
                if name != f"monitor-{self._generation}" and self._busy[name] == 0:
                    del self._busy[name]
                    await self._retire(name)

        def _make_request_handler(
            self, context_name, method, url, headers, body, encoding, spider, initial_request_done
        ):
            """Every request of a rendered page goes through our gate instead of straight to Chromium's
            network (which has none): the page's own site, scripts and styles from public hosts, nothing
            else; no navigation away; redirects checked hop by hop."""
            spider = spider or self.crawler.spider
            policy = getattr(spider, "net_policy", None) or NetPolicy(scope=frozenset({host_port(url)}))
            scope = policy.scope or frozenset({host_port(url)})

            def allow(target: str, rtype: str) -> bool:
                if rtype in SKIPPED_TYPES:
                    return False
                return host_port(target) in scope or rtype in THIRD_PARTY_TYPES

            gate = Gate(url, policy, allow)

            async def handler(route, playwright_request):
                await route_async(gate, route, playwright_request)
                if gate.refused:
                    self.stats.set_value("monitor/browser_refused", len(gate.refused))

            return handler

        async def _apply_page_methods(self, page, request, spider=None):
            """Wait for the page's scripts to settle, boundedly: the load event and an idle network. A page
            that tried to navigate away (refused by the gate) stops loading and may never fire them; it is
            read as it stands after the wait instead of failing."""
            from playwright.async_api import TimeoutError as PlaywrightTimeout

            wait_ms = min(self.config.navigation_timeout_ms or 15000, 10000)
            for state in ("load", "networkidle"):
                try:
                    await page.wait_for_load_state(state, timeout=wait_ms)
                except PlaywrightTimeout:
                    self.stats.inc_value("monitor/browser_unsettled")

        async def _retire(self, name: str) -> None:
            wrapper = self.context_wrappers.get(name)
            if wrapper is None:
                return
            try:
                await wrapper.context.close()
                self.stats.inc_value("monitor/browser_contexts_recycled")
            except Exception as exc:  # a context that is gone is retired all the same
                log.debug("closing browser context %s: %s", name, exc)
            self.context_wrappers.pop(name, None)

    return RecyclingPlaywrightHandler
