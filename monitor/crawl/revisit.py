"""The revisit policy of re-crawls: what must be fetched every crawl, and the rest on a rotation.

As search engines do, a re-crawl does not fetch every URL again. Every crawl fetches the home page, every list
page (a page with list facts, a pagination or jpage target), every HTML page that no column of the previous
run listed as an item and that links somewhere the home page does not (a further page of a list, a list our
column reading did not recognise: new articles may appear there), every URL with an open finding (as the page,
the link target or the page holding the link), every URL that failed or looked broken last time, and every URL
the previous run did not have. The other URLs of the previous run ("leaves": the articles its columns listed,
pages whose links are all navigation, attachments, images and other resources, external links) are verified on
a rotation: each at least once per ``revisit_days`` (``sites.yaml`` limits), oldest-verified first, about
``ceil(N / crawls per window)`` a crawl so the load is spread evenly. A leaf not fetched is carried over: its
page row and other facts are copied from the previous run (``monitor.crawl.reuse.copy_unchanged``) with its old
``verified_at``, its links are read where they are stored (``Page.links_page``), and the spider follows its stored links. A leaf that a page parsed this crawl no
longer links to, or links to anew, is fetched after all (an article taken off its list is often gone; one a
new page cites may have been edited to cite it back). The first crawl of a site, ``revisit_days: 0`` and
``crawl --full`` fetch everything.

What a rotation cannot see until the leaf's turn comes: an unchanged-looking article edited in place (a
new broken link inside it, a typo fixed), or a leaf deleted while every page still links to it.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Iterable

from sqlalchemy import func, select

from monitor.model import FindingStatus
from monitor.store import FOLLOW_TAGS, ColumnItem, CrawlRun, Finding, ListPage, Page, Store, run_page_links

RECENT_RUNS = 5  # the cadence of crawls is the median gap between the last few runs' starts


@dataclass(frozen=True)
class RevisitPlan:
    carry: frozenset[str]  # URLs of the previous run that may be carried over unfetched this crawl
    leaves: int  # URLs in the rotation
    verify: int  # of which due this crawl (verified now)
    window: timedelta  # revisit_days
    interval: timedelta  # the expected time to the next crawl


def _spread(url: str) -> bytes:
    """A stable order among leaves verified at the same time (the first crawl verified them all at once)."""
    return hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=8).digest()


def choose(
    leaves: Iterable[tuple[str, datetime]], *, now: datetime, interval: timedelta, window: timedelta
) -> set[str]:
    """The leaves to verify this crawl: those that would be older than ``window`` at the next crawl (expected
    ``interval`` from now), topped up oldest-first to ``ceil(N * interval / window)`` so each crawl does its
    share instead of all falling due together."""
    leaves = list(leaves)
    if window <= timedelta(0) or interval >= window:
        return {u for u, _ in leaves}
    due = {u for u, verified in leaves if verified + window < now + interval}
    quota = math.ceil(len(leaves) * (interval / window))
    if len(due) < quota:
        rest = sorted((verified, _spread(u), u) for u, verified in leaves if u not in due)
        due.update(u for _, _, u in rest[: quota - len(due)])
    return due


def crawl_interval(starts: list[datetime], now: datetime, window: timedelta) -> timedelta:
    """The expected time to the next crawl: the median gap between the recent runs' starts and now."""
    points = sorted(starts)[-RECENT_RUNS:] + [now]
    gaps = [b - a for a, b in zip(points, points[1:])]
    if not gaps:
        return window
    return max(timedelta(0), min(median(gaps), window))


def open_finding_urls(store: Store, site: str) -> set[str]:
    """URLs an open finding names, as its subject or as the page holding it: fetched every crawl, so a fix
    (or a relapse) shows at once."""
    open_states = [s.value for s in FindingStatus if s.is_open]
    with store.session() as s:
        rows = s.execute(
            select(Finding.url, Finding.source_url).where(Finding.site == site, Finding.status.in_(open_states))
        ).all()
    return {u for row in rows for u in row if u}


def plan_revisits(store: Store, site: str, prev_run: int, *, now: datetime, revisit_days: int) -> RevisitPlan:
    """Which URLs of ``prev_run`` this crawl may carry over unfetched (see the module docstring)."""
    window = timedelta(days=revisit_days)
    with store.session() as s:
        starts = list(
            s.scalars(
                select(CrawlRun.started_at)
                .where(CrawlRun.site == site, CrawlRun.kind == "site", CrawlRun.status == "finished")
                .order_by(CrawlRun.id.desc())
                .limit(RECENT_RUNS)
            )
        )
        structural = set(s.scalars(select(ListPage.page_url).where(ListPage.run_id == prev_run)))
        articles = set(s.scalars(select(ColumnItem.url).where(ColumnItem.run_id == prev_run)))
        # pages that lead somewhere the home page does not (a hub, a further list page): new articles may
        # appear there; a page whose links are all the site's own navigation is a dead end, a leaf
        homes = set(s.scalars(select(Page.url).where(Page.run_id == prev_run, Page.is_home.is_(True))))
        home_links: set[str] = set()
        inner: list[tuple[str, set[str]]] = []  # (source, its internal page links)
        urls: dict[str, str] = {}
        one = urls.setdefault  # one copy of each URL: the same navigation links are on every page
        for source, links in run_page_links(s, prev_run):
            structural.update(link[0] for link in links if link[2] in FOLLOW_TAGS)
            if source in homes:
                home_links.update(link[0] for link in links)
            inner.append(
                (
                    source,
                    {one(t, t) for t, _, tag, _, _, external, *_ in links if tag in ("a", "iframe") and not external},
                )
            )
        hubs = {source for source, targets in inner if any(t != source and t not in home_links for t in targets)}
        rows = s.execute(
            select(
                Page.url,
                Page.status,
                Page.error_kind,
                Page.redirect_chain,
                Page.rendered,
                Page.is_home,
                Page.is_external,
                Page.not_found_text,
                Page.text.is_(None) | Page.attachment.is_(True),
                func.coalesce(Page.verified_at, Page.fetched_at),
            )
            .where(Page.run_id == prev_run)
            .order_by(Page.id)
        ).all()
    interval = crawl_interval(starts, now, window)
    findings = open_finding_urls(store, site)
    leaves: dict[str, datetime] = {}
    seen: set[str] = set()
    for url, status, error, chain, rendered, home, external, not_found, resource, verified in rows:
        if url in seen:  # the first row of a URL is the one a re-crawl copies
            continue
        seen.add(url)
        if (
            not (resource or external or url in articles or url not in hubs)
            or home
            or rendered
            or error
            or not_found
            or status is None
            or not 200 <= status < 400
            or (chain and not external)  # a redirected page's links are stored under its final URL
            or url in structural
            or url in findings
            or verified is None
        ):
            continue
        leaves[url] = verified
    verify = choose(leaves.items(), now=now, interval=interval, window=window)
    return RevisitPlan(
        carry=frozenset(u for u in leaves if u not in verify),
        leaves=len(leaves),
        verify=len(verify),
        window=window,
        interval=interval,
    )
