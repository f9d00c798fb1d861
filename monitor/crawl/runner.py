"""Running crawls: Scrapy settings per site, the storage pipeline, and the runner.

One CrawlerProcess runs every site's spider side by side, each with its own
politeness settings; a site that fails records its failure as facts and
never stops the others.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, Callable

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings

from monitor.config import Config, Site
from monitor.crawl.heap import long_lived_heap
from monitor.model import (
    ListItem,
    MessageFacts,
    MessageItem,
    NetworkItem,
    PageItem,
    ReportDocumentItem,
    ReuseItem,
    SearchItem,
    error_label,
    has_xml_illegal,
    xml_safe,
)
from sqlalchemy import delete, func, insert, select, update

from monitor.store import (
    BatchWriter,
    Column,
    ColumnItem,
    CrawlRun,
    ListPage,
    Page,
    Store,
    brief,
    encode_links,
    insert_rows,
    utcnow,
)

log = logging.getLogger(__name__)


def _clean(value: Any) -> Any:
    # PostgreSQL refuses NUL in text, Word and Excel refuse other control characters; hostile pages send them.
    return xml_safe(value)


class _Writer(BatchWriter):
    """The BatchWriter plus list pages and SQL copies of unchanged pages, all in one transaction per batch."""

    TABLES = {**BatchWriter.TABLES, "list_page": ListPage}

    def __init__(self, store: Store, run_id: int, prev_run: int | None):
        super().__init__(store, run_id, batch_size=1 << 62)  # the pipeline decides when to flush
        self._defaults["list_page"].update(role="column", name="", empty=False)
        self.prev_run = prev_run
        self.reused: list[dict[str, Any]] = []

    def reuse(self, row: dict[str, Any]) -> None:
        self.reused.append(row)
        self.pending += 1

    def flush(self) -> None:
        from monitor.crawl.reuse import copy_unchanged

        if not self.pending:
            return
        now = utcnow()

        def work(s) -> None:
            # Parents first, so a killed crawl never leaves an item without its column.
            first = ("page", "list_page", "column", "column_item")
            for kind in first + tuple(k for k in self.TABLES if k not in first):
                if self.buffers[kind]:
                    insert_rows(s, self.TABLES[kind], self.buffers[kind])
            if self.reused:
                copy_unchanged(s, prev_run=self.prev_run, run_id=self.run_id, rows=self.reused, now=now)

        # all or nothing: the buffers are emptied only once the whole batch is committed, so a batch lost
        # with its connection is written again whole (never pages lost while their links go in later)
        self.store.write(work, what=f"batch of run {self.run_id}")
        self.buffers = {k: [] for k in self.buffers}
        self.reused = []
        self.pending = 0


_MESSAGE_FIELDS = tuple(f.name for f in fields(MessageFacts))


def _item_json(it) -> dict[str, Any]:
    return {
        "url": it.url,
        "title": _clean(it.title)[:1000],
        "date": it.date.isoformat() if it.date else None,
        "date_text": _clean(it.date_text)[:100],
        "date_source": getattr(it, "date_source", "") or "",
    }


@dataclass(frozen=True)
class RunTarget:
    """The run a crawl's facts go to: which store, which run, and the previous finished run unchanged pages are
    copied from. The runner hands it to its ``SiteCrawler``; the store pipeline reads it from there."""

    store: Store
    run_id: int
    site_key: str
    previous_run: int | None = None


class SiteCrawler(Crawler):
    """A Scrapy ``Crawler`` for one site's run: its components (``StorePipeline``) find the run in ``target``."""

    def __init__(self, spidercls, settings, *, target: RunTarget, init_reactor: bool = False):
        super().__init__(spidercls, settings, init_reactor=init_reactor)
        self.target = target
        self.item_sink: Any = None  # set by StorePipeline while open: stores an item yielded outside a callback


class StorePipeline:
    """Writes the spider's facts to the store; assembles the columns and closes the run when the spider closes.

    A page is written in one transaction with its links and list facts, batches are flushed at least every
    ``MONITOR_FLUSH_SECONDS`` (a kill loses no more than that), and a reused page is copied in SQL. Each crawl
    item type (``monitor.model.items``) has its handler in ``HANDLERS``; the run written to is the crawler's
    ``RunTarget`` (no run, no pipeline).
    """

    def __init__(self, crawler, target: RunTarget, batch_size: int, flush_seconds: float):
        self.crawler = crawler
        self.target = target
        self.store: Store = target.store
        self.run_id: int = target.run_id
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds

    @classmethod
    def from_crawler(cls, crawler):
        target = getattr(crawler, "target", None)
        if not crawler.settings.getbool("MONITOR_STORE_ENABLED") or not isinstance(target, RunTarget):
            raise NotConfigured
        pipe = cls(
            crawler,
            target,
            crawler.settings.getint("MONITOR_BATCH_SIZE"),
            crawler.settings.getfloat("MONITOR_FLUSH_SECONDS"),
        )
        # spider_closed fires after the pipelines closed, so the last batch is in before the run is marked
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    failed: str | None = None  # why the run's facts are incomplete (a batch that could not be written)

    def open_spider(self):
        from spiders.revalidate import LightPath

        self.writer = _Writer(self.store, self.run_id, self.target.previous_run)
        self.last_flush = time.monotonic()
        self.reference: list[tuple[str, str | None]] = []  # the reference sites' answers (monitor.crawl.network)
        self.light = self.crawler.get_extension(LightPath)
        if self.light is not None:
            self.light.item_sink = self.process_item  # the light re-check path stores through here too
        self.crawler.item_sink = self.process_item  # leaves the spider carries over without a light path

    def process_item(self, item):
        if self.failed:
            return item  # the run is stopping and will be resumed; nothing more goes in out of order
        handler = self.HANDLERS.get(type(item))
        if handler is None:
            raise TypeError(f"no store handler for crawl item {type(item).__name__}")
        handler(self, item)
        # flush between items only: a page and its links and lists are committed together or not at all
        now = time.monotonic()
        if self.writer.pending >= self.batch_size or now - self.last_flush >= self.flush_seconds:
            self._flush()
            self.last_flush = now
        return item

    # ------------------------------------------------------------ one handler per crawl item type

    def _page(self, item: PageItem) -> None:
        page, links = item.page, item.links
        # a page and its links are nearly always clean: one test of all their strings, then the row as it is
        # (add copies it); only a page with a dirty string has each of its values cleaned
        strings = [v for v in page.values() if isinstance(v, str)]
        strings += [v for link in links for v in link.values() if isinstance(v, str)]
        if has_xml_illegal("".join(strings)):
            page = {k: _clean(v) for k, v in page.items()}
            links = [{k: _clean(v) for k, v in link.items()} for link in links]
        now = utcnow()
        self.writer.add("page", {**page, "fetched_at": now, "verified_at": now, "links": encode_links(links)})
        for lst in item.lists:
            self._list(lst)

    def _list(self, item: ListItem) -> None:  # a list page's facts sent on their own (older spiders)
        self.writer.add(
            "list_page",
            {
                "page_url": item.page_url,
                "column_url": item.column_url,
                "role": item.role,
                "name": _clean(item.name or ""),
                "column_type": _clean(item.column_type),
                "empty": bool(item.empty),
                "items": [_item_json(it) for it in item.items],
                "level": item.level,
                "parent_url": item.parent_url,
                "how": item.how,
                "evidence": item.evidence,
            },
        )

    def _reuse(self, item: ReuseItem) -> None:
        self.writer.reuse(
            {
                "url": item.url,
                "how": item.how,
                "elapsed_ms": item.elapsed_ms,
                "etag": item.etag,
                "last_modified": item.last_modified,
            }
        )  # the rows monitor.crawl.reuse.copy_unchanged takes

    def _message(self, item: MessageItem) -> None:
        self.writer.add("message", {k: _clean(getattr(item.message, k)) for k in _MESSAGE_FIELDS})

    def _search(self, item: SearchItem) -> None:
        self.writer.add("search_check", {k: _clean(v) for k, v in item.search.items()})

    def _network(self, item: NetworkItem) -> None:
        self.reference.append((item.url, item.error_kind))

    def _report_document(self, item: ReportDocumentItem) -> None:
        self.writer.add(
            "report_document",
            {
                "url": _clean(item.url),
                "title": _clean(item.title),
                "published": item.published,
                "body": _clean(item.body),
            },
        )

    HANDLERS: dict[type, Callable[[StorePipeline, Any], None]] = {
        PageItem: _page,
        ListItem: _list,
        ReuseItem: _reuse,
        MessageItem: _message,
        SearchItem: _search,
        NetworkItem: _network,
        ReportDocumentItem: _report_document,
    }

    def _flush(self) -> bool:
        try:
            self.writer.flush()
            return True
        except Exception as exc:  # recorded on the run, which then stops and is resumed later
            self._fail("写入数据库失败", exc)
            return False

    def _fail(self, what: str, exc: BaseException) -> None:
        log.error(
            "site=%s run=%s: %s, the run stops unfinished (the next crawl resumes it): %s",
            self.target.site_key,
            self.run_id,
            what,
            brief(exc),
        )
        if self.failed:
            return
        self.failed = f"{what}：{brief(exc)}"
        engine = self.crawler.engine
        if engine is not None and getattr(engine, "running", False):
            import asyncio

            try:  # stop fetching: what comes now could not be stored in order
                asyncio.ensure_future(engine.close_spider_async(reason="store_error"))
            except RuntimeError:
                pass

    def close_spider(self):
        self.crawler.item_sink = None
        if self.light is not None:
            self.light.item_sink = None
        if not self._flush() or self.failed:
            return
        try:
            assemble_columns(self.store, self.run_id)
            record_network(self.store, self.run_id, self.reference, self.crawler.settings)
        except Exception as exc:  # without its columns the run is not finished
            self._fail("汇总栏目失败", exc)

    def spider_closed(self, spider, reason):
        status = "finished" if reason in ("finished", "closespider_pagecount") and not self.failed else "interrupted"
        try:
            finish_run(
                self.store, self.run_id, status=status, error=None if status == "finished" else (self.failed or reason)
            )
        except Exception as exc:  # the run stays 'running'; the next crawl resumes it
            log.error(
                "site=%s run=%s: could not close the run (the next crawl resumes it): %s",
                self.target.site_key,
                self.run_id,
                brief(exc),
            )


def record_network(store: Store, run_id: int, reference: list[tuple[str, str | None]], settings) -> None:
    """The run's verdict on our own network (monitor.crawl.network), from its external link checks."""
    from monitor.crawl.network import assess

    def work(s) -> None:
        external = s.execute(
            select(Page.url, Page.error_kind, Page.status).where(Page.run_id == run_id, Page.is_external.is_(True))
        ).all()
        note = assess(
            [tuple(r) for r in external],
            reference,
            share=settings.getfloat("MONITOR_OUTAGE_SHARE"),
            min_hosts=settings.getint("MONITOR_OUTAGE_MIN_HOSTS"),
        )
        s.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(network=note))

    store.write(work, what=f"network note of run {run_id}")


def assemble_columns(store: Store, run_id: int) -> None:
    """Columns and their items from the run's list pages (first sighting of an item wins).

    Read and written in one transaction, retried whole: a run never ends with half its columns (a lost
    column reads as a missing one to the rules)."""
    store.write(lambda s: _assemble(s, run_id), what=f"columns of run {run_id}")


def _assemble(s, run_id: int) -> None:
    from datetime import date as _date

    cols: dict[str, dict[str, Any]] = {}
    rows = s.execute(
        select(
            ListPage.page_url,
            ListPage.column_url,
            ListPage.role,
            ListPage.name,
            ListPage.column_type,
            ListPage.empty,
            ListPage.items,
            ListPage.level,
            ListPage.parent_url,
            ListPage.how,
            ListPage.evidence,
        )
        .where(ListPage.run_id == run_id)
        .order_by(ListPage.id)
    )
    for page_url, col_url, role, name, ctype, empty, items, level, parent, how, evidence in rows:
        col = cols.setdefault(
            col_url,
            {
                "role": role,
                "name": name,
                "type": ctype,
                "pages": set(),
                "items": {},
                "empty": False,
                "level": level,
                "parent": parent,
                "how": how,
                "evidence": None,
                "first": page_url,
            },
        )
        col["level"] = col["level"] or level
        col["parent"] = col["parent"] or parent
        col["pages"].add(page_url)
        col["empty"] = col["empty"] or empty
        if how and _HOW_RANK.get(how, 0) > _HOW_RANK.get(col["how"] or "", 0):
            col["how"] = how  # the column as its strongest page shows it
        if evidence is not None:
            col["evidence"] = _merge_evidence(
                col["evidence"], evidence, first=page_url == col_url or _first_page(page_url, col["first"])
            )
            if _first_page(page_url, col["first"]):
                col["first"] = page_url
        for it in items or ():
            col["items"].setdefault(it["url"], it)
    columns, column_items = [], []
    for url, col in cols.items():
        evidence = col["evidence"]
        if evidence is not None:
            evidence = {**evidence, "pages": len(col["pages"]), "how": col["how"] or evidence.get("how")}
        columns.append(
            {
                "role": col["role"],
                "url": url,
                "name": col["name"],
                "kind": col["type"] or "",
                "level": col["level"] or 0,
                "parent_url": _parent(url, col, cols),
                "list_pages": sorted(col["pages"]),
                "failure": None,
                "item_count": len(col["items"]),
                "how": col["how"],
                "evidence": evidence,
                "run_id": run_id,
            }
        )
        for it in col["items"].values():
            column_items.append(
                {
                    "column_url": url,
                    "url": it["url"],
                    "title": it["title"],
                    "date": _date.fromisoformat(it["date"]) if it["date"] else None,
                    "date_text": it["date_text"],
                    "date_source": it.get("date_source") or None,
                    "run_id": run_id,
                }
            )
    s.execute(delete(ColumnItem).where(ColumnItem.run_id == run_id))  # a resumed run assembles afresh
    s.execute(delete(Column).where(Column.run_id == run_id))
    for table, batch in ((Column, columns), (ColumnItem, column_items)):
        for i in range(0, len(batch), 2000):
            s.execute(insert(table), batch[i : i + 2000])


_HOW_RANK = {"navigation": 1, "structure": 2, "meta": 3}


def _first_page(page_url: str, first: str) -> bool:
    """Whether ``page_url`` is an earlier page of its series than ``first`` (index.html before index_1.html)."""
    return len(page_url) < len(first) or (len(page_url) == len(first) and page_url < first)


def _merge_evidence(old: dict[str, Any] | None, new: dict[str, Any], *, first: bool) -> dict[str, Any]:
    """One column's evidence over its list pages: counts add up, the column is weak only when every page is,
    and the first page's empty-list evidence stands (a later page of a paginated list may well be short)."""
    if old is None:
        return dict(new)
    out = dict(old)
    for key in ("entries", "dated", "pinned"):
        out[key] = (old.get(key) or 0) + (new.get(key) or 0)
    out["weak"] = bool(old.get("weak")) and bool(new.get("weak"))
    out["script"] = bool(old.get("script")) or bool(new.get("script"))
    out["rendered"] = bool(old.get("rendered")) or bool(new.get("rendered"))
    if first:
        out["empty"] = new.get("empty")
        out["name_from"] = new.get("name_from", old.get("name_from"))
    return out


def _parent(url: str, col: dict[str, Any], cols: dict[str, dict[str, Any]]) -> str | None:
    """The column one level up: what the breadcrumb links say, else the nearest enclosing directory that is
    itself a column of this crawl (/xwzx/ for /xwzx/zwyw/)."""
    if col["role"] != "column":
        return None
    if col["parent"] and col["parent"] != url:
        return col["parent"]
    path = url
    while True:
        cut = path.rstrip("/").rfind("/")
        if cut <= path.find("//") + 1:
            return None
        path = path[: cut + 1]
        if path in cols and cols[path]["role"] == "column" and path != url:
            return path


def finish_run(store: Store, run_id: int, *, status: str, error: str | None) -> None:
    """Close the run with its counts taken from the store (right after a resume, too)."""

    def work(s) -> None:
        total, reused, rendered, carried = s.execute(
            select(
                func.count(Page.id),
                func.count(Page.id).filter(Page.reused.is_(True)),
                func.count(Page.id).filter(Page.rendered.is_(True)),
                func.count(Page.id).filter(Page.verified_at < Page.fetched_at),
            ).where(Page.run_id == run_id)
        ).one()
        s.execute(
            update(CrawlRun)
            .where(CrawlRun.id == run_id)
            .values(
                status=status,
                finished_at=utcnow(),
                pages=total,
                error=error,
                pages_parsed=total - reused,
                pages_reused=reused,
                pages_rendered=rendered,
                pages_carried=carried,
            )
        )

    store.write(work, what=f"closing run {run_id}")


def scrapy_settings(site: Site, *, log_level: str = "WARNING", network=None) -> Settings:
    from spiders.settings import crawl_settings

    s = crawl_settings()
    lim = site.limits
    s.set("CONCURRENT_REQUESTS_PER_DOMAIN", lim.concurrency_per_host, priority="cmdline")
    s.set("DOWNLOAD_DELAY", lim.delay_seconds, priority="cmdline")
    s.set("DOWNLOAD_TIMEOUT", lim.timeout_seconds, priority="cmdline")
    s.set("DOWNLOAD_MAXSIZE", lim.max_page_bytes, priority="cmdline")
    s.set("MONITOR_ATTACHMENT_MAXSIZE", lim.max_attachment_bytes, priority="cmdline")
    s.set("MONITOR_MAX_URLS_PER_PATTERN", lim.max_urls_per_pattern, priority="cmdline")
    s.set("LOG_LEVEL", log_level, priority="cmdline")
    if network is not None:
        s.set("MONITOR_OUTAGE_SHARE", network.outage_share, priority="cmdline")
        s.set("MONITOR_OUTAGE_MIN_HOSTS", network.outage_min_hosts, priority="cmdline")
    if needs_browser(site, s):
        from monitor.crawl.browser import apply_browser_settings

        apply_browser_settings(s, timeout_seconds=lim.timeout_seconds)
    return s


def needs_browser(site: Site, settings: Settings) -> bool:
    """Whether this site's crawl may render pages: a column set `render: browser`, or script-filled lists
    are looked for (MONITOR_BROWSER_DETECT). The browser itself starts only for the first such page."""
    from monitor.crawl.browser import browser_available

    if not settings.getbool("MONITOR_BROWSER_ENABLED") or not browser_available(settings):
        return False
    return settings.getbool("MONITOR_BROWSER_DETECT") or any(c.render == "browser" for c in site.columns)


def browser_columns(site: Site) -> list[str]:
    from urllib.parse import urljoin

    return [urljoin(site.home, c.url) for c in site.columns if c.render == "browser"]


@dataclass
class CrawlResult:
    site: str
    run_id: int
    status: str
    pages: int
    home_error: str | None = None  # why the home page could not be fetched
    network: str | None = None  # "本机网络异常…": the local network failed during the run (monitor.crawl.network)
    reused: int = 0  # pages unchanged since the previous run, their facts carried over
    error: str | None = None  # why the run did not finish
    extra: dict[str, Any] = field(default_factory=dict)


def crawl_sites(
    config: Config,
    store: Store,
    *,
    sites: list[Site] | None = None,
    today: date | None = None,
    log_level: str = "WARNING",
    progress: Callable[[str], None] | None = None,
    full: bool = False,
) -> list[CrawlResult]:
    """Crawl the given sites (default: all in the config) in one Scrapy process.

    ``full``: fetch every URL again, whatever the revisit policy (monitor.crawl.revisit) would carry over."""
    from monitor.crawl.reuse import PreviousRun
    from monitor.crawl.resume import open_run
    from monitor.crawl.revisit import plan_revisits
    from spiders.site import SiteSpider

    targets = list(sites if sites is not None else config.sites)
    from spiders.settings import crawl_settings

    base = crawl_settings()
    base.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    # the spider class is passed in: Scrapy's spider loader would import every module of spiders/ to find it by name
    base.set("SPIDER_MODULES", [], priority="cmdline")
    process = CrawlerProcess(base)
    logging.getLogger("scrapy").setLevel(getattr(logging, log_level, logging.WARNING))
    runs: list[tuple[Site, int, Crawler]] = []
    plans: dict[str, Any] = {}
    for n, site in enumerate(targets):
        # a run killed half-way is resumed; the last finished run's unchanged pages are reused
        run_id, frontier = open_run(store, site.key)
        previous = PreviousRun.latest(store, site.key, before=run_id)
        plan = None
        if previous is not None and not full and site.limits.revisit_days > 0:
            plan = plan_revisits(store, site.key, previous.run_id, now=utcnow(), revisit_days=site.limits.revisit_days)
            previous.carry = plan.carry
        plans[site.key] = plan
        if frontier is not None:
            log.warning(
                "site=%s resuming run %s: %d URLs stored, %d to fetch",
                site.key,
                run_id,
                len(frontier.stored),
                len(frontier.pending),
            )
            if progress:
                progress(f"{site.name}：继续上次中断的抓取（已有 {len(frontier.stored)} 个地址）")
        settings = scrapy_settings(site, log_level=log_level, network=config.network)
        if config.workers.broker:  # politeness per host across the whole pool (spiders/pace_redis.py)
            settings.set("MONITOR_PACE_REDIS", config.workers.broker, priority="cmdline")
            settings.set("MONITOR_PACE_NAMESPACE", config.workers.namespace, priority="cmdline")
            # the pacer is the per-host gate; Scrapy's slots are per host name (ports share one), and a request
            # let through by the pacer but queued in a slot would start later, bunched with the next one
            settings.set("MONITOR_PACE_CONCURRENCY", site.limits.concurrency_per_host, priority="cmdline")
            settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", settings.getint("CONCURRENT_REQUESTS"), priority="cmdline")
        if (
            previous is not None
            and settings.getbool("MONITOR_REVALIDATE_ENABLED")
            and settings.getbool("MONITOR_REUSE_ENABLED")
        ) or config.workers.broker:
            # unchanged pages are confirmed on a light path beside Scrapy (spiders.revalidate); both keep
            # to one pace per host, so Scrapy's own per-slot delay would count the delay twice
            settings.set("MONITOR_PACE_DELAY", settings.getfloat("DOWNLOAD_DELAY"), priority="cmdline")
            settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        # The first crawler installs the (asyncio) reactor; the others share it.
        crawler = SiteCrawler(
            SiteSpider,
            settings,
            init_reactor=n == 0,
            target=RunTarget(store, run_id, site.key, previous.run_id if previous is not None else None),
        )
        runs.append((site, run_id, crawler))
        if progress:
            crawler.signals.connect(_progress(site, progress, crawler), signal=signals.item_scraped)
        process.crawl(
            crawler,
            site_key=site.key,
            home=site.home,
            scope=site.scope,
            max_pages=site.limits.max_pages,
            max_depth=site.limits.max_depth,
            max_list_pages=site.limits.max_list_pages,
            check_external=site.limits.check_external,
            today=today,
            mailbox=site.mailbox.enabled,
            mailbox_words=site.mailbox.words,
            mailbox_urls=site.mailbox.urls,
            previous=previous,
            frontier=frontier,
            browser_urls=browser_columns(site),
            browser=needs_browser(site, settings),
            reference_urls=config.network.reference_urls,
            max_requests=site.limits.max_requests,
            max_external_checks=site.limits.max_external_checks,
            max_external_per_page=site.limits.max_external_per_page,
            allow_private=site.limits.allow_private_network,
        )
    with long_lived_heap():  # the start-up's objects set aside from garbage collection (monitor.crawl.heap)
        process.start()
    results = []
    for site, run_id, crawler in runs:
        result = _result(store, site, run_id)
        stats = crawler.stats.get_stats() if crawler.stats is not None else {}
        result.extra["revalidated"] = stats.get("reuse/revalidated", 0)  # confirmed on the light path
        result.extra.update(_revisit_summary(store, run_id, site, plans.get(site.key), full=full))
        spider = crawler.spider
        result.extra.update(
            requests=stats.get("monitor/requests", 0),
            max_requests=site.limits.max_requests,
            external_checks=getattr(spider, "external_checks", 0),
            max_external_checks=site.limits.max_external_checks,
            max_external_per_page=site.limits.max_external_per_page,
            not_checked=getattr(spider, "not_checked", 0) + stats.get("monitor/blocked/budget", 0),
            blocked=stats.get("monitor/blocked/private", 0) + stats.get("monitor/blocked/scheme", 0),
        )
        results.append(result)
    return results


def _revisit_summary(store: Store, run_id: int, site: Site, plan, *, full: bool) -> dict[str, Any]:
    """What the revisit policy did in this run: URLs verified by a request, carried over, when the next is due."""
    from datetime import timedelta

    with store.session() as s:
        carried, oldest = s.execute(
            select(
                func.count(Page.id).filter(Page.verified_at < Page.fetched_at),
                func.min(func.coalesce(Page.verified_at, Page.fetched_at)),
            ).where(Page.run_id == run_id)
        ).one()
    days = site.limits.revisit_days
    return {
        "revisit_days": days,
        "carried": carried or 0,
        "full": full or plan is None,
        "rotation": plan.leaves if plan is not None else None,
        "next_due": oldest + timedelta(days=days) if oldest is not None and days else None,
    }


def _progress(site: Site, say: Callable[[str], None], crawler: Crawler | None = None):
    """Pages done, queued and failed per site: to ``say.site(…)`` when the caller draws a bar, else a line
    every PROGRESS_EVERY seconds with the rate."""
    import time

    state = {"n": 0, "last": 0.0, "start": time.monotonic()}

    def queued() -> int | None:
        try:
            return len(crawler.engine.slot.scheduler)  # type: ignore[union-attr]
        except (AttributeError, TypeError):
            return None

    def errors() -> int:
        stats = crawler.stats.get_stats() if crawler is not None and crawler.stats is not None else {}
        return sum(
            v
            for k, v in stats.items()
            if k == "downloader/exception_count"
            or (k.startswith("downloader/response_status_count/") and k[-3:-2] in "45")
        )

    def on_item(item, response, spider):
        if isinstance(item, ReuseItem) or (isinstance(item, PageItem) and not item.page.get("is_external")):
            state["n"] += 1
            now = time.monotonic()
            if hasattr(say, "site"):
                if now - state["last"] >= 0.2:
                    state["last"] = now
                    say.site(site.name, state["n"], queued(), errors())
            elif now - state["last"] >= PROGRESS_EVERY:
                state["last"] = now
                rate = state["n"] / max(now - state["start"], 1e-6) * 60
                q = queued()
                say(
                    f"{site.name}：已抓取 {state['n']} 个页面"
                    + (f"，待抓取 {q}" if q is not None else "")
                    + f"，出错 {errors()}，每分钟 {rate:.0f} 页"
                )

    return on_item


PROGRESS_EVERY = 10.0


def _result(store: Store, site: Site, run_id: int) -> CrawlResult:
    from sqlalchemy import select

    from monitor.store import CrawlRun, Page
    from spiders.site import canonical

    with store.session() as s:
        run = s.get(CrawlRun, run_id)
        home = s.scalars(
            select(Page).where(Page.run_id == run_id, Page.url == canonical(site.home)).order_by(Page.id).limit(1)
        ).first()
        home_error = None
        if home is None:
            home_error = "首页未被抓取"
        elif home.error_kind:
            home_error = error_label(home.error_kind, home.error_detail)
        elif home.status and home.status >= 400:
            home_error = f"HTTP {home.status}"
        return CrawlResult(
            site.key,
            run_id,
            run.status if run else "unknown",
            run.pages if run else 0,
            home_error,
            network=run.network if run else None,
            reused=(run.pages_reused or 0) if run else 0,
            error=run.error if run else None,
        )
