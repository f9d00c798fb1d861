"""Scrapy defaults for every monitor crawl; per-site limits from sites.yaml override them.

Politeness follows spec/field-notes.md: government hosts get at most 2 concurrent
requests and about 0.5 s between requests, unless a site's limits say otherwise.

Our own settings (``MONITOR_*``) are declared once, with their defaults, in ``monitor_defaults`` below;
code reads them from the crawler's settings without restating a default (tests/unit/test_crawl_items.py checks).
"""

from __future__ import annotations

import sys
from typing import Any

from scrapy.settings import Settings, default_settings

BOT_NAME = "monitor"
SPIDER_MODULES = ["spiders"]
USER_AGENT = "Mozilla/5.0 (compatible; GovSiteMonitor/0.1; +政府网站监测)"

# The site owner commissions the check; inspectors do not skip pages robots.txt hides.
ROBOTSTXT_OBEY = False

CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 2  # field-notes: <= 2 per host
DOWNLOAD_DELAY = 0.5  # field-notes: 250-500 ms between requests per host
DOWNLOAD_DELAY_JITTER = 0
DOWNLOAD_TIMEOUT = 15  # W-V1 probe timeout, S4
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0

# A failure counts only once confirmed by a retry (issue: trustworthy verdicts).
RETRY_ENABLED = True
RETRY_TIMES = 1
# 404/410 are answers, never retried; connection failures and timeouts (RETRY_EXCEPTIONS) and 5xx are.
# The page row records how many attempts were made (pages.attempts).
RETRY_HTTP_CODES = [500, 501, 502, 503, 504, 505, 507, 508, 520, 521, 522, 523, 524, 408]

REDIRECT_MAX_TIMES = 10
# Only http(s): Scrapy's file/ftp/s3/data handlers would read local files or other services for a page.
# HTTP(S) is Scrapy's HTTP/1.1 handler keeping each host's delay at the send (spiders/pace_http.py).
DOWNLOAD_HANDLERS = {
    "file": None,
    "ftp": None,
    "s3": None,
    "data": None,
    "http": "spiders.pace_http.PacedHTTP11DownloadHandler",
    "https": "spiders.pace_http.PacedHTTP11DownloadHandler",
}
METAREFRESH_ENABLED = True

# Every status reaches the spider: a 404 is a fact to record, not an error to drop.
HTTPERROR_ALLOW_ALL = True

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"
LOGSTATS_INTERVAL = 0
# Scrapy looks for `return value` in generator callbacks by reading their source (inspect + ast) on each
# response: its cache is weakly keyed by the bound method, which is a new object every time, so the source
# was parsed again for every page (1.6% of a crawl's CPU). tests/unit/test_spider_settings.py makes the same
# check once, over every generator method of our spiders.
WARN_ON_GENERATOR_RETURN_VALUE = False

# The spider schedules each URL once itself (it needs every referrer, which the dupefilter drops).
DUPEFILTER_CLASS = "scrapy.dupefilters.BaseDupeFilter"

ITEM_PIPELINES = {"monitor.crawl.runner.StorePipeline": 300}
# the shared pace per host and the light re-check path, when MONITOR_PACE_DELAY is set (spiders.revalidate)
EXTENSIONS = {"spiders.revalidate.LightPath": 500}
# Components a crawl never enables are left out of Scrapy's base lists, not set to None: Scrapy imports every
# listed component, None or not, to compare their paths, and these two import what no crawl needs (aiohttp's web
# server; tldextract and requests for cookies, which are off): a sixth of a second of every crawl's start.
_NEVER_LOADED = {
    "scrapy.extensions.remote_control.RemoteControl",
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
}
EXTENSIONS_BASE = {k: v for k, v in default_settings.EXTENSIONS_BASE.items() if k not in _NEVER_LOADED}
DOWNLOADER_MIDDLEWARES_BASE = {
    k: v for k, v in default_settings.DOWNLOADER_MIDDLEWARES_BASE.items() if k not in _NEVER_LOADED
}

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"

# Cheap re-checks: conditional GET with the previous run's validators, content-hash fallback.
# Below HttpCompression (590) and Redirect (600), so it sees the decoded, final response.
DOWNLOADER_MIDDLEWARES = {
    # first: every request (redirects, meta refreshes and retries come back through here) is checked against
    # the site's network scope and counted against limits.max_requests
    "spiders.netguard.NetGuardMiddleware": 10,
    # a changed page the re-check's light path already downloaded is not fetched a second time
    "spiders.revalidate.PrefetchedMiddleware": 50,
    "monitor.crawl.reuse.ConditionalGetMiddleware": 560,
    # last before the download: waits for the host's shared pace while a re-check's light path runs
    "spiders.revalidate.PaceMiddleware": 950,
    # a meta refresh back to the page itself is a reload timer, not a redirect (loop)
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "spiders.refresh.SelfRefreshAwareMiddleware": 580,
    # per-request work we do not need: the spider keeps scope and depth and sets Referer itself,
    # no site uses proxies or HTTP auth (an unchanged re-crawl is mostly this overhead)
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": None,
    # the two counters the crawl reads, without serialising every request to count its bytes (spiders.stats)
    "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
    "spiders.stats.StatusCounts": 850,
}
STATS_CLASS = "spiders.stats.PlainStats"
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
# Scrapy runs CONCURRENT_ITEMS asyncio workers per response (100 by default: ~100 tasks a page);
# our pipeline is synchronous, so one worker does the same work in order, at a fraction of the cost.
CONCURRENT_ITEMS = 1

# ------------------------------------------------------------ our own settings
# Every MONITOR_* setting, with its default, declared here and nowhere else. Lower case, so not itself a setting;
# crawl_settings() and SiteSpider.update_settings put these under every crawl's settings (a module attribute of
# the same name, set before the crawl starts, overrides one, as any setting here does).
monitor_defaults: dict[str, Any] = {
    # the store pipeline (monitor.crawl.runner.StorePipeline); off: the crawl stores nothing
    "MONITOR_STORE_ENABLED": True,
    "MONITOR_BATCH_SIZE": 500,
    "MONITOR_FLUSH_SECONDS": 0.5,  # a killed crawl loses at most this much work (resume refetches it)
    "MONITOR_ATTACHMENT_MAXSIZE": 20 * 1024 * 1024,  # attachments whose text the content rules read
    "MONITOR_MAX_URLS_PER_PATTERN": 50,  # crawler traps: query variants of one path crawled at most
    # our own network is down when this share of at least this many external hosts failed alike (monitor.crawl.network)
    "MONITOR_OUTAGE_SHARE": 0.8,
    "MONITOR_OUTAGE_MIN_HOSTS": 5,
    # Cheap re-checks: conditional GET with the previous run's validators, content-hash fallback.
    "MONITOR_REUSE_ENABLED": True,
    # On a re-crawl, requests with stored validators are sent on a light asyncio path (spiders.revalidate):
    # an unchanged page then costs a fraction of a Scrapy request; a changed one goes through Scrapy as usual.
    "MONITOR_REVALIDATE_ENABLED": True,
    # One pace per host shared by Scrapy and the light path (spiders.revalidate.LightPath), set by the runner
    # when both fetch or on a worker pool: seconds between requests (None: Scrapy's own DOWNLOAD_DELAY applies),
    # requests in flight (0: CONCURRENT_REQUESTS_PER_DOMAIN), and on a pool the Redis holding the counts.
    "MONITOR_PACE_DELAY": None,
    "MONITOR_PACE_CONCURRENCY": 0,
    "MONITOR_PACE_REDIS": None,
    "MONITOR_PACE_NAMESPACE": "monitor",
    # Browser rendering (system Chromium through scrapy-playwright), only for pages that need it:
    # columns set `render: browser` in sites.yaml, and list pages a script fills (MONITOR_BROWSER_DETECT).
    "MONITOR_BROWSER_ENABLED": True,
    "MONITOR_BROWSER_DETECT": True,
    "MONITOR_BROWSER_PATH": "/usr/bin/chromium",
    "MONITOR_BROWSER_MAX_PAGES": 200,  # rendered pages per site and crawl
    "MONITOR_BROWSER_PAGES_PER_CONTEXT": 100,  # then the browser context is closed and a fresh one opened
    "MONITOR_BROWSER_CONCURRENCY": 2,  # pages open at once
}


def add_monitor_defaults(settings: Settings) -> None:
    """Our settings' defaults under whatever ``settings`` already holds."""
    settings.setdict(monitor_defaults, priority="default")


def crawl_settings() -> Settings:
    """The settings every crawl starts from: this module's, over ``monitor_defaults``."""
    settings = Settings()
    add_monitor_defaults(settings)
    settings.setmodule(sys.modules[__name__], priority="project")
    return settings
