"""Rendering JavaScript-filled pages in the system Chromium, only where a page needs it.

``BrowserHandler`` is scrapy-playwright's download handler with two changes:
- nothing starts with the crawl: Playwright and Chromium are launched by the
  first request that asks for a browser (``meta['playwright']``), so a plain
  crawl never starts one;
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

log = logging.getLogger(__name__)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


def browser_path(settings: Settings | None = None) -> str:
    # MONITOR_CHROMIUM lets a machine point at its own build (and tests watch for launches)
    return os.environ.get("MONITOR_CHROMIUM") or (settings.get("MONITOR_BROWSER_PATH") if settings else None) \
        or CHROMIUM


def browser_available(settings: Settings | None = None) -> bool:
    path = browser_path(settings)
    return os.path.isfile(path) and os.access(path, os.X_OK)


def apply_browser_settings(s: Settings, *, timeout_seconds: float) -> None:
    """Install the lazy browser handler and its Playwright options into one crawler's settings."""
    handler = "monitor.browser.BrowserHandler"
    s.set("DOWNLOAD_HANDLERS", {"http": handler, "https": handler}, priority="cmdline")
    s.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", priority="cmdline")
    s.set("PLAYWRIGHT_LAUNCH_OPTIONS", {"executable_path": browser_path(s), "headless": True,
                                        "args": CHROMIUM_ARGS}, priority="cmdline")
    s.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", timeout_seconds * 1000, priority="cmdline")
    s.set("PLAYWRIGHT_MAX_CONTEXTS", 2, priority="cmdline")  # the current one and one being retired
    s.set("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT", s.getint("MONITOR_BROWSER_CONCURRENCY", 2), priority="cmdline")


try:
    from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
except ImportError:  # pragma: no cover - scrapy-playwright is a declared dependency
    ScrapyPlaywrightDownloadHandler = None  # type: ignore[assignment,misc]


if ScrapyPlaywrightDownloadHandler is not None:

    class BrowserHandler(ScrapyPlaywrightDownloadHandler):
        """Launches Playwright on first use; recycles the browser context every N pages."""

        def __init__(self, crawler):
            super().__init__(crawler)
            self.pages_per_context = max(1, crawler.settings.getint("MONITOR_BROWSER_PAGES_PER_CONTEXT", 100))
            self._started = False
            self._start_lock = asyncio.Lock()
            self._generation = 0
            self._served = 0
            self._busy: dict[str, int] = {}

        # scrapy-playwright starts Playwright when the engine starts: not here, not for a plain crawl
        async def _maybe_launch_in_thread(self) -> None:
            return None

        def _engine_started(self):  # older Scrapy API
            return None

        async def _download_request(self, request, spider=None):
            async with self._start_lock:
                if not self._started:
                    self._started = True
                    await self._launch()
                    self.stats.set_value("monitor/browser_started", True)
            name = f"monitor-{self._generation}"
            self._served += 1
            if self._served >= self.pages_per_context:  # the next page opens a fresh context
                self._generation += 1
                self._served = 0
            request.meta["playwright_context"] = name
            self._busy[name] = self._busy.get(name, 0) + 1
            try:
                return await super()._download_request(request, spider)
            finally:
                self._busy[name] -= 1
                if name != f"monitor-{self._generation}" and self._busy[name] == 0:
                    del self._busy[name]
                    await self._retire(name)

        async def _retire(self, name: str) -> None:
            wrapper = self.context_wrappers.get(name)
            if wrapper is None:
                return
            try:
                await wrapper.context.close()
                self.stats.inc_value("monitor/browser_contexts_recycled")
            except Exception as exc:  # noqa: BLE001 - a context that is gone is retired all the same
                log.debug("closing browser context %s: %s", name, exc)
            self.context_wrappers.pop(name, None)
