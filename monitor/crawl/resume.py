"""Resuming a crawl that was killed half-way.

A run left 'running' by a process that is gone (or marked 'interrupted') is
picked up by the next crawl of the same site, as long as no finished run came
after it and it is recent: URLs it already stored are not fetched again, and
its frontier is rebuilt from its stored links whose targets have no page row
yet (the spider stores every URL it follows as a link, a pagination script's
pages included); a page whose site search had not been answered is fetched
again. Each stored page was written in one transaction with its links and
list facts, so a stored page's links are all there.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, select, update

from monitor.store import CrawlRun, Page, SearchCheck, Store, run_page_links, utcnow

RESUME_MAX_AGE = timedelta(hours=24)  # an older unfinished run is stale: start afresh


def owner_id() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


def _alive(owner: str | None) -> bool:
    """Whether the process that owns a 'running' run is still at work on this host."""
    if not owner or ":" not in owner:
        return False
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname()[:80] or not pid.isdigit():
        return False  # written by another host or by hand: nothing to ask, take it over
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return int(pid) != os.getpid()


@dataclass
class Frontier:
    """What a resumed run already has and what it still has to fetch."""

    stored: set[str] = field(default_factory=set)
    internal_pages: int = 0  # stored in-scope pages that count against max_pages
    # (target_url, source_url, source_depth, tag, is_external)
    pending: list[tuple[str, str, int, str, bool]] = field(default_factory=list)


def open_run(store: Store, site: str, *, max_age: timedelta = RESUME_MAX_AGE) -> tuple[int, Frontier | None]:
    """The run to crawl into: the site's unfinished run when it can be resumed, else a new one."""
    with store.session() as s:
        last = s.scalars(
            select(CrawlRun).where(CrawlRun.site == site, CrawlRun.kind == "site").order_by(CrawlRun.id.desc()).limit(1)
        ).first()
        resumable = (
            last is not None
            and last.status in ("running", "interrupted")
            and last.pages_parsed is not None
            and last.started_at >= utcnow() - max_age
            and not (last.status == "running" and _alive(last.owner))
        )
        if resumable:
            s.execute(
                update(CrawlRun).where(CrawlRun.id == last.id).values(status="running", owner=owner_id(), error=None)
            )
            run_id = last.id
    if not resumable:
        run_id = store.start_run(site)
        with store.session() as s:
            s.execute(
                update(CrawlRun)
                .where(CrawlRun.id == run_id)
                .values(pages_parsed=0, pages_reused=0, pages_rendered=0, owner=owner_id())
            )
        return run_id, None
    return run_id, load_frontier(store, run_id)


def _redo_unanswered_searches(s, run_id: int) -> None:
    """A page whose site search was sent but not answered when the crawl died is dropped from the run, so the
    resumed crawl fetches it again and sends the search again: the search request is made from the page
    (its form's hidden fields), it is no link a frontier could hold."""
    from monitor.crawl.reuse import COPIED_WITH_PAGE

    asked = set(
        s.scalars(
            select(SearchCheck.page_url).where(
                SearchCheck.run_id == run_id, SearchCheck.kind == "form", SearchCheck.query.is_not(None)
            )
        )
    )
    if not asked:
        return
    answered = set(
        s.scalars(select(SearchCheck.page_url).where(SearchCheck.run_id == run_id, SearchCheck.kind == "result"))
    )
    for url in sorted(asked - answered):
        s.execute(delete(Page).where(Page.run_id == run_id, Page.url == url))  # with its links
        for table, key in COPIED_WITH_PAGE:
            s.execute(delete(table).where(table.run_id == run_id, getattr(table, key) == url))


def load_frontier(store: Store, run_id: int) -> Frontier:
    f = Frontier()
    depth: dict[str, int] = {}
    with store.session() as s:
        _redo_unanswered_searches(s, run_id)
        for url, d, external in s.execute(select(Page.url, Page.depth, Page.is_external).where(Page.run_id == run_id)):
            f.stored.add(url)
            depth.setdefault(url, d)
            if not external:
                f.internal_pages += 1
        seen: set[str] = set()
        for source, links in run_page_links(s, run_id):
            for target, _anchor, tag, _attr, _on_home, external, *_ in links:
                if target in f.stored or target in seen:
                    continue
                seen.add(target)
                f.pending.append((target, source, depth.get(source, 0), tag, external))
    return f
