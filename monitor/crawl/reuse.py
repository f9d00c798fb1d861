"""Cheap re-checks between crawls: what the previous finished crawl saw, conditional GET, copying unchanged facts.

A page the server answers with 304 Not Modified (we send the ETag and
Last-Modified the previous run stored), or whose body hashes the same as
before, is not parsed again: its page row and list-page facts are copied
from the previous run in SQL, its links stay stored where they were (the
copied row's ``links_page``; ``monitor.store.run_page_links`` reads a run's
links), and the spider follows the links the previous run stored for it.
Pages rendered in a browser are always fetched afresh: their HTML shell says
nothing about the data a script loads.
"""

from __future__ import annotations

import hashlib
from array import array
from dataclasses import dataclass
from typing import Any, Iterable

from scrapy.exceptions import NotConfigured
from sqlalchemy import bindparam, func, insert, select, update

from monitor.store import (
    CrawlRun,
    ListPage,
    Message,
    Page,
    ReportDocument,
    SearchCheck,
    Store,
    run_page_links,
)


@dataclass(frozen=True, slots=True)
class Validators:
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    parsed: bool  # the previous run parsed it as a page (it has text), not just checked its status


class PreviousRun:
    """The latest finished run of a site made by a crawler that records list pages (so it can be copied)."""

    def __init__(self, store: Store, run_id: int):
        self.store = store
        self.run_id = run_id
        # URLs this crawl may carry over without fetching them (monitor.crawl.revisit); empty: fetch all
        self.carry: frozenset[str] = frozenset()
        self.validators: dict[str, Validators] = {}
        with store.session() as s:
            rows = s.execute(
                select(Page.url, Page.etag, Page.last_modified, Page.content_hash, Page.text.is_not(None)).where(
                    Page.run_id == run_id, Page.status == 200, Page.error_kind.is_(None), Page.rendered.is_not(True)
                )
            ).all()
        for url, etag, modified, digest, parsed in rows:
            if url not in self.validators and (etag or modified or digest):
                self.validators[url] = Validators(etag, modified, digest, bool(parsed))

    @classmethod
    def latest(cls, store: Store, site: str, *, before: int | None = None) -> "PreviousRun | None":
        q = select(CrawlRun.id).where(
            CrawlRun.site == site,
            CrawlRun.kind == "site",
            CrawlRun.status == "finished",
            CrawlRun.pages_parsed.is_not(None),
        )
        if before is not None:
            q = q.where(CrawlRun.id < before)
        with store.session() as s:
            run_id = s.scalars(q.order_by(CrawlRun.id.desc()).limit(1)).first()
        return cls(store, run_id) if run_id is not None else None

    def validators_for(self, request) -> Validators | None:
        """The validators to send with ``request``, or None when it must be fetched and parsed afresh."""
        if request.meta.get("playwright") or request.method != "GET" or request.meta.get("redirect_urls"):
            return None
        v = self.validators.get(request.meta.get("key_url") or request.url)
        if v is None or (request.meta.get("parse") and not request.meta.get("external") and not v.parsed):
            return None  # checked as a resource last time, now needed as a page: parse it
        return v

    def links(self, url: str) -> list[tuple[str, str, bool]]:
        """(target_url, tag, is_external) of the links the previous run stored on ``url``, in page order."""
        if self._graph is None:
            self._graph = self._load_graph()
        targets, by_source = self._graph
        ids = by_source.get(url)
        return [targets[i] for i in ids] if ids is not None else []

    _graph: tuple[list[tuple[str, str, bool]], dict[str, array]] | None = None

    def _load_graph(self):
        """The previous run's link graph, compactly: each distinct (target, tag, external) once, and per
        source page an array of indexes (about 4 bytes a link; one query instead of one per page)."""
        index: dict[tuple[str, str, bool], int] = {}
        targets: list[tuple[str, str, bool]] = []
        by_source: dict[str, array] = {}
        with self.store.engine.connect() as conn:
            for source, links in run_page_links(conn, self.run_id):
                ids = by_source.get(source)
                if ids is None:
                    ids = by_source[source] = array("I")
                for link in links:
                    key = (link[0], link[2], link[5])
                    i = index.get(key)
                    if i is None:
                        i = index[key] = len(targets)
                        targets.append(key)
                    ids.append(i)
        return targets, by_source


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class ConditionalGetMiddleware:
    """Sends the previous run's validators; marks a 304 or an identical body as ``meta['unchanged']``.

    Reads ``spider.previous`` (a ``PreviousRun`` or None). Off with ``MONITOR_REUSE_ENABLED = False``.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("MONITOR_REUSE_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    def _previous(self, request) -> Validators | None:
        prev = getattr(self.crawler.spider, "previous", None)
        return prev.validators_for(request) if prev is not None else None

    def process_request(self, request):
        v = self._previous(request)
        if v is None:
            return None
        if v.etag:
            request.headers[b"If-None-Match"] = v.etag.encode("latin-1", "replace")
        if v.last_modified:
            request.headers[b"If-Modified-Since"] = v.last_modified.encode("latin-1", "replace")
        return None

    def process_response(self, request, response):
        v = self._previous(request)
        if v is None:
            return response
        if response.status == 304:
            request.meta["unchanged"] = "304"
            self.stats.inc_value("reuse/not_modified")
        elif response.status == 200 and v.content_hash and body_hash(response.body) == v.content_hash:
            request.meta["unchanged"] = "hash"
            self.stats.inc_value("reuse/same_hash")
        return response


# ------------------------------------------------------------ copying unchanged facts in SQL

_NOT_COPIED = {"id", "run_id", "fetched_at", "reused", "verified_at", "links", "links_page"}
# facts stored per page, copied with an unchanged page: (ORM class, column holding the page URL). Not its
# links: the copied page row points at the row that holds them (Page.links_page), since a re-crawl carries
# most pages over and their links are most of what a crawl stores
COPIED_WITH_PAGE: list[tuple[type, str]] = [
    (ListPage, "page_url"),
    (Message, "page_url"),
    (ReportDocument, "url"),
    (SearchCheck, "page_url"),
]


def copy_unchanged(session, *, prev_run: int, run_id: int, rows: Iterable[dict[str, Any]], now) -> None:
    """Copy page rows and list pages of unchanged URLs from ``prev_run`` into ``run_id``; their links stay
    where they are stored (``Page.links_page``).

    ``rows``: {url, how, elapsed_ms, etag, last_modified} per URL; one statement per table for the whole
    batch. After a 304 the old validators stand; after a same-hash 200 the new response's are kept. A page
    confirmed by a request is verified ``now``; one carried over unfetched (how "carried", the revisit
    policy) keeps the time it was last verified.
    """
    rows = list(rows)
    if not rows:
        return
    urls = [r["url"] for r in rows]
    conn = session.connection()
    pages = Page.__table__
    pcols = [c for c in pages.columns if c.key not in _NOT_COPIED]
    carried = [r["url"] for r in rows if r.get("how") == "carried"]
    confirmed = [r["url"] for r in rows if r.get("how") != "carried"]
    for group, verified in (
        (confirmed, bindparam("now", now)),
        (carried, func.coalesce(pages.c.verified_at, pages.c.fetched_at)),
    ):
        if not group:
            continue
        first = (
            select(func.min(pages.c.id))
            .where(pages.c.run_id == prev_run, pages.c.url.in_(bindparam("urls", expanding=True)))
            .group_by(pages.c.url)
        )
        conn.execute(
            insert(pages).from_select(
                [c.key for c in pcols] + ["run_id", "fetched_at", "reused", "verified_at", "links_page"],
                select(
                    *pcols,
                    bindparam("run", run_id),
                    bindparam("now", now),
                    bindparam("yes", True),
                    verified,
                    func.coalesce(pages.c.links_page, pages.c.id),
                )
                .where(pages.c.id.in_(first))
                .order_by(pages.c.id),
            ),
            {"urls": group, "run": run_id, "now": now, "yes": True},
        )
    fresh = [
        {"u": r["url"], "ms": r.get("elapsed_ms"), "et": r.get("etag"), "lm": r.get("last_modified")}
        for r in rows
        if r.get("how") == "hash"
    ]
    if fresh:  # what this response said, not what the old one did
        conn.execute(
            update(pages)
            .where(pages.c.run_id == run_id, pages.c.url == bindparam("u"))
            .values(elapsed_ms=bindparam("ms"), etag=bindparam("et"), last_modified=bindparam("lm")),
            fresh,
        )
    for table, key_name in COPIED_WITH_PAGE:
        table = table.__table__
        key = table.c[key_name]
        cols = [c for c in table.columns if c.key not in ("id", "run_id")]
        conn.execute(
            insert(table).from_select(
                [c.key for c in cols] + ["run_id"],
                select(*cols, bindparam("run", run_id))
                # no ORDER BY: SQLite would then scan the run through ix_*_run_id instead of seeking by URL;
                # the (run_id, url) index returns each page's rows in id order all the same
                .where(table.c.run_id == prev_run, key.in_(bindparam("urls", expanding=True))),
            ),
            {"urls": urls, "run": run_id},
        )
