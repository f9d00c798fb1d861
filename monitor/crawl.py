"""Running crawls: Scrapy settings per site, the storage pipeline, and the runner.

One CrawlerProcess runs every site's spider side by side, each with its own
politeness settings; a site that fails records its failure as facts and
never stops the others.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings

from monitor.config import Config, Site
from monitor.store import BatchWriter, Store, utcnow

log = logging.getLogger(__name__)


def _clean(value: Any) -> Any:
    # PostgreSQL refuses NUL in text; hostile pages do send them.
    if isinstance(value, str):
        return value.replace("\x00", "")
    return value


class StorePipeline:
    """Writes the spider's facts to the store in batches; closes the run when the spider closes."""

    def __init__(self, crawler, batch_size: int):
        self.crawler = crawler
        self.batch_size = batch_size

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("MONITOR_STORE_ENABLED", True):
            raise NotConfigured
        pipe = cls(crawler, crawler.settings.getint("MONITOR_BATCH_SIZE", 500))
        # spider_closed fires after the pipelines closed, so the last batch is in before the run is marked
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    def open_spider(self):
        spider = self.crawler.spider
        self.store: Store = spider.store
        self.run_id: int = spider.run_id
        self.writer = BatchWriter(self.store, self.run_id, self.batch_size)
        self.columns: dict[str, dict[str, Any]] = {}
        self.pages = 0

    def process_item(self, item):
        if item["kind"] == "page":
            page = {k: _clean(v) for k, v in item["page"].items()}
            page["fetched_at"] = utcnow()
            self.writer.add("page", page)
            self.pages += 1
            for link in item["links"]:
                self.writer.add("link", {k: _clean(v) for k, v in link.items()})
        elif item["kind"] == "message":
            self.writer.add("message", {k: _clean(v) for k, v in item["message"].items()})
        elif item["kind"] == "report_document":
            self.writer.add("report_document", {k: _clean(v) for k, v in item["document"].items()})
        elif item["kind"] == "list":
            col = self.columns.setdefault(item["column_url"], {
                "role": item["role"], "name": item["name"], "type": item["column_type"],
                "pages": [], "items": {}, "empty": False, "level": item.get("level")})
            col["pages"].append(item["page_url"])
            col["empty"] = col["empty"] or item["empty"]
            for it in item["items"]:
                col["items"].setdefault(it.url, it)
        return item

    def close_spider(self):
        for url, col in self.columns.items():
            self.writer.add("column", {
                "role": col["role"], "url": url, "name": _clean(col["name"]), "kind": col["type"] or "",
                "level": col.get("level") or 0, "parent_url": None, "list_pages": sorted(col["pages"]),
                "failure": None, "item_count": len(col["items"])})
            for it in col["items"].values():
                self.writer.add("column_item", {"column_url": url, "url": it.url, "title": _clean(it.title)[:1000],
                                                "date": it.date, "date_text": _clean(it.date_text)[:100]})
        self.writer.flush()

    def spider_closed(self, spider, reason):
        status = "finished" if reason in ("finished", "closespider_pagecount") else "interrupted"
        self.store.finish_run(self.run_id, status=status, pages=self.pages,
                              error=None if status == "finished" else reason)


def scrapy_settings(site: Site, *, log_level: str = "WARNING") -> Settings:
    from monitor import scrapy_settings as defaults

    s = Settings()
    s.setmodule(defaults, priority="project")
    lim = site.limits
    s.set("CONCURRENT_REQUESTS_PER_DOMAIN", lim.concurrency_per_host, priority="cmdline")
    s.set("DOWNLOAD_DELAY", lim.delay_seconds, priority="cmdline")
    s.set("DOWNLOAD_TIMEOUT", lim.timeout_seconds, priority="cmdline")
    s.set("DOWNLOAD_MAXSIZE", lim.max_page_bytes, priority="cmdline")
    s.set("MONITOR_ATTACHMENT_MAXSIZE", lim.max_attachment_bytes, priority="cmdline")
    s.set("MONITOR_MAX_URLS_PER_PATTERN", lim.max_urls_per_pattern, priority="cmdline")
    s.set("LOG_LEVEL", log_level, priority="cmdline")
    return s


@dataclass
class CrawlResult:
    site: str
    run_id: int
    status: str
    pages: int
    home_error: str | None = None  # why the home page could not be fetched
    extra: dict[str, Any] = field(default_factory=dict)


def crawl_sites(config: Config, store: Store, *, sites: list[Site] | None = None, today: date | None = None,
                log_level: str = "WARNING", progress: Callable[[str], None] | None = None) -> list[CrawlResult]:
    """Crawl the given sites (default: all in the config) in one Scrapy process."""
    from spiders.site import SiteSpider

    targets = list(sites if sites is not None else config.sites)
    from monitor import scrapy_settings as defaults

    base = Settings()
    base.setmodule(defaults, priority="project")
    base.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(base)
    logging.getLogger("scrapy").setLevel(getattr(logging, log_level, logging.WARNING))
    runs: list[tuple[Site, int]] = []
    for n, site in enumerate(targets):
        run_id = store.start_run(site.key)
        runs.append((site, run_id))
        # The first crawler installs the (asyncio) reactor; the others share it.
        crawler = Crawler(SiteSpider, scrapy_settings(site, log_level=log_level), init_reactor=n == 0)
        if progress:
            crawler.signals.connect(_progress(site, progress), signal=signals.item_scraped)
        process.crawl(crawler, site_key=site.key, home=site.home, scope=site.scope,
                      max_pages=site.limits.max_pages, max_depth=site.limits.max_depth,
                      max_list_pages=site.limits.max_list_pages,
                      check_external=site.limits.check_external, today=today, store=store, run_id=run_id,
                      mailbox=site.mailbox.enabled, mailbox_words=site.mailbox.words,
                      mailbox_urls=site.mailbox.urls)
    process.start()
    results = []
    for site, run_id in runs:
        results.append(_result(store, site, run_id))
    return results


def _progress(site: Site, say: Callable[[str], None]):
    state = {"n": 0}

    def on_item(item, response, spider):
        if item.get("kind") == "page" and not item["page"].get("is_external"):
            state["n"] += 1
            if state["n"] % 100 == 0:
                say(f"{site.name}：已抓取 {state['n']} 个页面")
    return on_item


def _result(store: Store, site: Site, run_id: int) -> CrawlResult:
    from sqlalchemy import select

    from monitor.store import CrawlRun, Page
    from spiders.site import canonical

    with store.session() as s:
        run = s.get(CrawlRun, run_id)
        home = s.scalars(select(Page).where(Page.run_id == run_id, Page.url == canonical(site.home))
                         .order_by(Page.id).limit(1)).first()
        home_error = None
        if home is None:
            home_error = "首页未被抓取"
        elif home.error_kind:
            home_error = describe_error(home.error_kind, home.error_detail)
        elif home.status and home.status >= 400:
            home_error = f"HTTP {home.status}"
        return CrawlResult(site.key, run_id, run.status if run else "unknown", run.pages if run else 0, home_error)


ERROR_KINDS = {
    "dns": "域名无法解析",
    "refused": "连接被拒绝",
    "timeout": "请求超时",
    "tls": "TLS/证书错误",
    "redirects": "重定向次数过多或循环",
    "reset": "连接被重置",
    "too_large": "内容超过大小上限",
    "other": "其他网络错误",
}


def describe_error(kind: str | None, detail: str | None = None) -> str:
    return ERROR_KINDS.get(kind or "other", kind or "未知错误")
