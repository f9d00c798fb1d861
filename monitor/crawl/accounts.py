"""New-media accounts: the runner that fetches them into the store, and the loader of their facts.

Wiring only, like monitor/crawl/runner.py and monitor/check/facts.py: spiders/feeds.py fetches, this stores what it saw
(every fetch is a fact, a failed one with its reason), and reads it back as ``AccountFacts`` for the rules.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy import select

from monitor.config import Account, Config
from monitor.model import AccountFacts, FetchFacts, LinkCheckFacts, PostFacts
from monitor.store import AccountFetch, Post, PostLink, Store, utcnow
from rules import merge_overrides
from monitor.timeutil import CHINA

log = logging.getLogger(__name__)


def _clean(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


@dataclass
class FetchSummary:
    account: str
    fetch_id: int
    outcome: str
    detail: str
    posts: int
    new_posts: int
    newest: datetime | None  # aware, Asia/Shanghai
    broken_links: int = 0


def _utc_naive(dt: datetime | None) -> datetime | None:
    return dt.astimezone(timezone.utc).replace(tzinfo=None) if dt is not None else None


def store_fetch(store: Store, account: Account, result) -> FetchSummary:
    """One fetch, its posts (upserted by post id) and its link checks, in one transaction."""
    with store.session() as s:
        f = AccountFetch(
            account=account.key,
            platform=account.platform,
            source=account.source,
            source_kind=account.kind,
            started_at=result.started_at or utcnow(),
            finished_at=result.finished_at or utcnow(),
            outcome=result.outcome,
            detail=_clean(result.detail)[:2000],
            http_status=result.http_status,
            posts=len(result.posts),
            new_posts=0,
        )
        s.add(f)
        s.flush()
        ids = [p.post_id for p in result.posts]
        existing = (
            {p.post_id: p for p in s.scalars(select(Post).where(Post.account == account.key, Post.post_id.in_(ids)))}
            if ids
            else {}
        )
        new = 0
        done: set[str] = set()
        for p in result.posts:
            if p.post_id in done:
                continue
            done.add(p.post_id)
            values = dict(
                title=_clean(p.title)[:2000],
                text=_clean(p.text),
                url=_clean(p.url)[:2000],
                published_at=_utc_naive(p.published),
                published_date=p.published.astimezone(CHINA).date() if p.published else None,
                published_text=_clean(p.published_text)[:100],
                pinned=p.pinned,
                links=list(p.links),
                last_fetch_id=f.id,
            )
            row = existing.get(p.post_id)
            if row is None:
                s.add(Post(account=account.key, post_id=p.post_id, first_fetch_id=f.id, **values))
                new += 1
            else:
                for k, v in values.items():
                    setattr(row, k, v)
        f.new_posts = new
        broken = 0
        for c in result.link_checks:
            s.add(
                PostLink(
                    fetch_id=f.id,
                    account=account.key,
                    post_url=_clean(c.post_url),
                    url=_clean(c.url),
                    status=c.status,
                    error_kind=c.error_kind,
                    error_detail=_clean(c.error_detail),
                    checked_at=result.finished_at or utcnow(),
                )
            )
            broken += bool(c.error_kind or (c.status or 0) >= 400)
        dated = [p.published for p in result.posts if p.published]
        return FetchSummary(
            account.key,
            f.id,
            result.outcome,
            result.detail,
            len(result.posts),
            new,
            max(dated) if dated else None,
            broken,
        )


def fetch_accounts(
    config: Config,
    store: Store,
    *,
    accounts: list[Account] | None = None,
    base_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[FetchSummary]:
    """Fetch each account and store the outcome; one failing account never stops the others."""
    from spiders.feeds import FeedSpider

    out = []
    with FeedSpider(own_hosts=frozenset().union(*(s.scope for s in config.sites))) as spider:
        for account in accounts if accounts is not None else list(config.accounts):
            result = spider.fetch(account, base_dir=base_dir)
            try:
                out.append(store_fetch(store, account, result))
            except Exception:  # a store hiccup for one account is logged, the rest go on
                log.exception("feeds: storing the fetch of %s failed", account.key)
                continue
            if progress:
                progress(f"  {account.name}：{result.detail}")
    return out


# ---------------------------------------------------------------- facts


def _post(p: Post) -> PostFacts:
    published = p.published_at.replace(tzinfo=timezone.utc).astimezone(CHINA) if p.published_at else None
    return PostFacts(
        post_id=p.post_id,
        title=p.title,
        text=p.text,
        published=published,
        url=p.url,
        pinned=p.pinned,
        links=tuple(p.links or ()),
        published_text=p.published_text,
    )


def load_account_facts(store: Store, config: Config, account: Account, *, max_fetches: int = 10) -> AccountFacts:
    """What the rules read about one account: its recent fetches, every post seen, its peers on the platform."""
    with store.session() as s:
        fetches = s.scalars(
            select(AccountFetch)
            .where(AccountFetch.account == account.key)
            .order_by(AccountFetch.id.desc())
            .limit(max_fetches)
        ).all()
        posts = s.scalars(select(Post).where(Post.account == account.key)).all()
        last_ok = s.scalars(
            select(AccountFetch.id)
            .where(AccountFetch.account == account.key, AccountFetch.outcome == "ok")
            .order_by(AccountFetch.id.desc())
            .limit(1)
        ).first()
        links = (
            s.scalars(select(PostLink).where(PostLink.fetch_id == last_ok).order_by(PostLink.id)).all()
            if last_ok
            else []
        )
    far = datetime.min.replace(tzinfo=timezone.utc)
    all_posts = sorted((_post(p) for p in posts), key=lambda p: p.published or far, reverse=True)
    current_ids = {p.post_id for p in posts if last_ok is not None and p.last_fetch_id == last_ok}
    thresholds = merge_overrides(config.thresholds, account.thresholds)  # shared periods under "periods"
    peers = tuple(
        (a.key, a.name)
        for a in config.accounts
        if a.key != account.key and a.unit == account.unit and a.platform == account.platform
    )
    return AccountFacts(
        account=account.key,
        platform=account.platform,
        name=account.name,
        unit=account.unit,
        url=account.url,
        fetches=tuple(
            FetchFacts(
                at=f.started_at,
                outcome=f.outcome,
                detail=f.detail,
                http_status=f.http_status,
                posts=f.posts,
                new_posts=f.new_posts,
            )
            for f in fetches
        ),
        posts=tuple(all_posts),
        current_posts=tuple(p for p in all_posts if p.post_id in current_ids),
        link_checks=tuple(
            LinkCheckFacts(
                url=c.url, post_url=c.post_url, status=c.status, error_kind=c.error_kind, error_detail=c.error_detail
            )
            for c in links
        ),
        peers=peers,
        verified=account.verified,
        registered=account.registered,
        thresholds=thresholds,
    )
