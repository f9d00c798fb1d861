"""Crawl statistics without Scrapy's per-call overhead.

Scrapy 2.19's stats collector looks up every attribute through a ``__getattribute__`` that wraps its methods in a
deprecation check for a ``spider`` argument, and its ``DownloaderStats`` middleware serialises every request
(``request_httprepr``) and sizes every response's headers to count bytes nobody here reads: together about 3%
of a crawl's CPU. The crawl reads two of those counters (``monitor.crawl.runner``: the errors shown while it
runs), which ``StatusCounts`` keeps, with the request and response counts, at the cost of a dict update.
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class PlainStats(MemoryStatsCollector):
    """Scrapy's in-memory stats, its methods looked up as on any object (no deprecation wrapper per call)."""

    __getattribute__ = object.__getattribute__


class StatusCounts:
    """The ``downloader/…`` counts the crawl reads, in place of ``DownloaderStats`` (same keys, no byte counts)."""

    def __init__(self, stats):
        self.inc = stats.inc_value

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_request(self, request):
        self.inc("downloader/request_count")

    def process_response(self, request, response):
        self.inc("downloader/response_count")
        self.inc(f"downloader/response_status_count/{response.status}")
        return response

    def process_exception(self, request, exception):
        self.inc("downloader/exception_count")
        self.inc(f"downloader/exception_type_count/{type(exception).__module__}.{type(exception).__qualname__}")
