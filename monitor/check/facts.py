"""Reads one crawl's stored facts back as the plain dataclasses the rules take.

Column overrides from sites.yaml are applied here: they are facts the staff
know better than the page does (a column's real type or level).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from monitor.config import Config, Site
from monitor.model import (
    ColumnFacts,
    ColumnKind,
    ItemFacts,
    LinkFacts,
    MessageFacts,
    PageFacts,
    ProbeFacts,
    SearchFacts,
    SiteFacts,
)
from monitor.store import (
    FOLLOW_TAGS,
    Column,
    ColumnItem,
    CrawlRun,
    Message,
    Page,
    Probe,
    SearchCheck,
    Store,
    run_page_links,
)
from rules import merge_overrides


def _kind(stored: str) -> ColumnKind:
    """The type the spider classified (spiders.columns); unknown values from older runs read as 其他."""
    try:
        return ColumnKind(stored)
    except ValueError:
        return ColumnKind.OTHER


def column_level(url: str) -> int:
    """First-level columns sit one directory below the site root (/tzgg/), second-level two (/xwzx/zwyw/)."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if parts and "." in parts[-1]:
        parts = parts[:-1]
    return max(1, len(parts))


def load_probes(store: Store, site_key: str, *, since: datetime, until: datetime) -> tuple[ProbeFacts, ...]:
    with store.session() as s:
        rows = s.scalars(
            select(Probe).where(Probe.site == site_key, Probe.at >= since, Probe.at < until).order_by(Probe.at)
        ).all()
    return tuple(
        ProbeFacts(
            at=p.at,
            url=p.url,
            ok=p.ok,
            status=p.status,
            error_kind=p.error_kind,
            elapsed_ms=p.elapsed_ms,
            ipv6=p.ipv6,
            https=p.https,
        )
        for p in rows
    )


PROBE_WINDOW_DAYS = 7  # W-V1 monitors one week (S4)


# what _items_by_column reads of a column item, as Core rows
_ITEMS = select(
    ColumnItem.column_url,
    ColumnItem.url,
    ColumnItem.title,
    ColumnItem.date,
    ColumnItem.date_text,
    ColumnItem.date_source,
)


def _items_by_column(items, published: dict[str, date]) -> dict[str, list[ItemFacts]]:
    """Column items as facts. An entry the list shows without a date (or with a month-day whose year the page
    did not give) is dated by the linked article's own publication date when the crawl read it; the article's
    date also wins over a URL date (a CMS's creation date)."""
    by_column: dict[str, list[ItemFacts]] = defaultdict(list)
    for it in items:
        when, source = it.date, it.date_source or ("list" if it.date else "")
        if (when is None or source == "url") and published.get(it.url) is not None:
            when, source = published[it.url], "article"
        by_column[it.column_url].append(
            ItemFacts(url=it.url, title=it.title, date=when, date_text=it.date_text, date_source=source)
        )
    return by_column


def _column(c: Column, by_column: dict[str, list[ItemFacts]], o=None) -> ColumnFacts:
    kind = o.kind if o is not None and o.kind else _kind(c.kind)
    evidence = c.evidence or {}
    return ColumnFacts(
        url=c.url,
        name=(o.name if o is not None and o.name else c.name),
        kind=kind,
        # the breadcrumb's depth when the page had one (stored by the spider), else the URL's
        level=(o.level if o is not None and o.level else (c.level if c.level and c.level > 0 else column_level(c.url))),
        parent_url=c.parent_url,
        items=tuple(by_column.get(c.url, ())),
        list_pages=tuple(c.list_pages or ()),
        failure=c.failure,
        how=c.how,
        weak=bool(evidence.get("weak")),
        empty_evidence=evidence.get("empty"),
        script_unrendered=bool(evidence.get("script")),
    )


def column_facts(store: Store, run_id: int) -> list[ColumnFacts]:
    """One crawl's columns (not the home page) as the rules see them, without sites.yaml overrides."""
    with store.session() as s:
        columns = s.scalars(
            select(Column).where(Column.run_id == run_id, Column.role == "column").order_by(Column.id)
        ).all()
        items = s.connection().execute(_ITEMS.where(ColumnItem.run_id == run_id).order_by(ColumnItem.id)).all()
        wanted = {it.url for it in items if it.date is None or it.date_source == "url"}
        published = {}
        if wanted:
            for url, pub in s.execute(
                select(Page.url, Page.pub_date).where(
                    Page.run_id == run_id, Page.pub_date.is_not(None), Page.error_kind.is_(None)
                )
            ):
                if url in wanted:
                    published[url] = pub
    by_column = _items_by_column(items, published)
    return [_column(c, by_column) for c in columns]


def _shared(value: str | None) -> str | None:
    # a crawl repeats the same URLs and anchor texts (navigation, footer) on every page: keep one copy each
    return sys.intern(value) if value else value


def _page(p, with_text: bool) -> PageFacts:
    meta = {_shared(k): _shared(v) if isinstance(v, str) else v for k, v in (p[12] or {}).items()}
    return PageFacts(
        url=_shared(p[0]),
        final_url=_shared(p[1]),
        status=p[2],
        error_kind=p[3],
        error_detail=p[4],
        content_type=_shared(p[5]),
        title=p[6],
        is_home=p[7],
        is_external=p[8],
        depth=p[9],
        pub_date=p[10],
        text=p[11] if with_text else None,
        meta=meta,
        footer=_shared(p[13]),
        not_found_text=p[14],
        anchors=frozenset(p[15]) if p[15] is not None else None,
        attempts=p[16],
        attachment=bool(p[17]),
        text_error=p[18],
    )


def load_site_facts(
    store: Store, config: Config, site: Site, run_id: int, *, as_of: date | None = None, with_text: bool = True
) -> SiteFacts:
    """One crawl's facts, plus the probes of the week before ``as_of`` (Asia/Shanghai day)."""
    with store.session() as s:
        run = s.get(CrawlRun, run_id)
        # streamed a batch at a time and turned into facts at once, so a 20,000-page crawl's raw rows are
        # never all in memory together (and repeated strings are shared, see _shared)
        # Core rows, not the ORM's loading (a tenth of a check's time on 20,000 pages)
        conn = s.connection()
        pages = [
            _page(p, with_text)
            for p in conn.execute(
                select(
                    Page.url,
                    Page.final_url,
                    Page.status,
                    Page.error_kind,
                    Page.error_detail,
                    Page.content_type,
                    Page.title,
                    Page.is_home,
                    Page.is_external,
                    Page.depth,
                    Page.pub_date,
                    Page.text if with_text else Page.id,
                    Page.meta,
                    Page.footer,
                    Page.not_found_text,
                    Page.anchors,
                    Page.attempts,
                    Page.attachment,
                    Page.text_error,
                )
                .where(Page.run_id == run_id)
                .order_by(Page.id)
                .execution_options(yield_per=2000)
            )
        ]
        # each page's stored links turned into facts in one comprehension: a crawl has hundreds of thousands of
        # links, most of them the same navigation and footer links on every page
        intern = sys.intern
        new = tuple.__new__  # LinkFacts._make without its Python frame and length check, per link
        # tags and attributes take a handful of values: one shared copy each, from a dict cheaper than sys.intern
        shared: dict[str, str] = {}
        short = shared.setdefault
        follow = frozenset(FOLLOW_TAGS)
        not_hidden = (False, None)
        links: list[LinkFacts] = []
        for source, entries in run_page_links(conn, run_id):
            source = intern(source)
            links += [
                new(
                    LinkFacts,
                    (
                        source,
                        intern(e[0]),
                        intern(e[1]) if e[1] else "",
                        short(e[2], e[2]),
                        short(e[3], e[3]),
                        e[4],
                        e[5],
                        e[6],
                        *(e[7:] or not_hidden),  # hidden, hiding: stored on a hidden link alone
                    ),
                )
                for e in entries
                if e[2] not in follow
            ]
        columns = s.scalars(select(Column).where(Column.run_id == run_id).order_by(Column.id)).all()
        items = conn.execute(_ITEMS.where(ColumnItem.run_id == run_id).order_by(ColumnItem.id)).all()
        messages = s.scalars(select(Message).where(Message.run_id == run_id).order_by(Message.id)).all()
        searches = tuple(
            SearchFacts(
                kind=c.kind,
                page_url=c.page_url,
                action=c.action,
                query=c.query,
                expected_url=c.expected_url,
                result_url=c.result_url,
                status=c.status,
                error_kind=c.error_kind,
                found=c.found,
            )
            for c in s.scalars(select(SearchCheck).where(SearchCheck.run_id == run_id).order_by(SearchCheck.id))
        )

    published = {p.url: p.pub_date for p in pages if p.pub_date is not None and not p.error_kind}
    by_column = _items_by_column(items, published)
    overrides = {o.url: o for o in site.columns}
    col_facts: list[ColumnFacts] = []
    home_items: tuple[ItemFacts, ...] = ()
    for c in columns:
        if c.role == "home":
            home_items = tuple(by_column.get(c.url, ()))
            continue
        o = overrides.get(c.url)
        if o is not None and o.ignore:
            continue
        col_facts.append(_column(c, by_column, o))

    probes: tuple[ProbeFacts, ...] = ()
    if as_of is not None:
        # the monitoring point is the end of the as-of day in China (UTC+8), stored times are UTC
        until = datetime.combine(as_of + timedelta(days=1), time()) - timedelta(hours=8)
        probes = load_probes(store, site.key, since=until - timedelta(days=PROBE_WINDOW_DAYS), until=until)

    thresholds = merge_overrides(config.thresholds, site.thresholds)  # shared periods under "periods"

    return SiteFacts(
        site=site.key,
        site_name=site.name,
        unit=site.unit,
        home_url=site.home,
        run_id=run_id,
        crawled_at=run.started_at,
        network=run.network,
        pages=tuple(pages),
        probes=probes,
        links=tuple(links),
        columns=tuple(col_facts),
        home_items=home_items,
        thresholds=thresholds,
        messages=tuple(
            MessageFacts(
                column_url=m.column_url,
                column_name=m.column_name,
                page_url=m.page_url,
                url=m.url,
                title=m.title,
                asked=m.asked,
                answered=m.answered,
                status=m.status,
                asked_text=m.asked_text,
                answered_text=m.answered_text,
            )
            for m in messages
        ),
        searches=searches,
    )
