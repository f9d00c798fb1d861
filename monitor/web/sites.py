"""Sites and accounts: last crawl, availability over the last 7 days (probes), open findings and scores."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import case, func, select
from starlette.requests import Request

from monitor.model import FETCH_OUTCOMES, Severity
from monitor.store import AccountFetch, CrawlRun, Finding, Probe, utcnow
from monitor.web.auth import require, store_of
from monitor.web.overview import OPEN
from monitor.web.render import query, render

AVAILABILITY_DAYS = 7


def _scores(store, config, sites) -> dict[str, dict]:
    """Scores from rules.scoring when that module is present; {} otherwise (the page shows counts)."""
    try:
        from rules.scoring import ScoringConfig, score_sites
    except ImportError:
        return {}
    keys = [s.key for s in sites]
    cols = (
        Finding.site,
        Finding.rule,
        Finding.severity,
        Finding.verdict,
        Finding.status,
        Finding.facts,
        Finding.subject,
    )
    with store.session() as s:
        rows = [
            dict(r._mapping) for r in s.execute(select(*cols).where(Finding.site.in_(keys), Finding.status.in_(OPEN)))
        ]
    try:
        scored = score_sites(rows, sites, ScoringConfig.from_config(config))
    except ValueError:
        return {}
    return {sc.site: {"score": sc.score, "result": sc.result, "rank": sc.rank} for sc in scored}


def site_rows(store, config, entries, *, kind: str) -> list[dict]:
    keys = [e.key for e in entries]
    if not keys:
        return []
    since = utcnow() - timedelta(days=AVAILABILITY_DAYS)
    with store.session() as s:
        last_ids = select(func.max(CrawlRun.id)).where(CrawlRun.site.in_(keys)).group_by(CrawlRun.site)
        finished: dict = {}
        if kind == "account":  # accounts are fetched by `feeds`, not crawled
            last_fetch = (
                select(func.max(AccountFetch.id)).where(AccountFetch.account.in_(keys)).group_by(AccountFetch.account)
            )
            runs = {
                r.account: {
                    "started_at": r.started_at,
                    "status": FETCH_OUTCOMES.get(r.outcome, r.outcome),
                    "pages": r.posts,
                }
                for r in s.scalars(select(AccountFetch).where(AccountFetch.id.in_(last_fetch)))
            }
        else:
            runs = {r.site: r for r in s.scalars(select(CrawlRun).where(CrawlRun.id.in_(last_ids)))}
            done_ids = (
                select(func.max(CrawlRun.id))
                .where(CrawlRun.site.in_(keys), CrawlRun.status == "finished")
                .group_by(CrawlRun.site)
            )
            finished = {r.site: r for r in s.scalars(select(CrawlRun).where(CrawlRun.id.in_(done_ids)))}
        probes = {
            r[0]: r[1:]
            for r in s.execute(
                select(
                    Probe.site,
                    func.count(),
                    func.coalesce(func.sum(case((Probe.ok, 1), else_=0)), 0),
                    func.max(Probe.at),
                )
                .where(Probe.site.in_(keys), Probe.at >= since)
                .group_by(Probe.site)
            )
        }
        counts = {
            r[0]: r[1:]
            for r in s.execute(
                select(
                    Finding.site,
                    func.count(),
                    func.coalesce(func.sum(case((Finding.severity == Severity.VETO.value, 1), else_=0)), 0),
                )
                .where(Finding.site.in_(keys), Finding.status.in_(OPEN), Finding.verdict == "finding")
                .group_by(Finding.site)
            )
        }
    scores = _scores(store, config, entries) if kind == "site" else {}
    rows = []
    for e in entries:
        run = runs.get(e.key)
        n, ok, last_probe = probes.get(e.key, (0, 0, None))
        open_, veto = counts.get(e.key, (0, 0))
        rows.append(
            {
                "key": e.key,
                "name": e.name,
                "unit": e.unit,
                "address": getattr(e, "home", None) or getattr(e, "source", ""),
                "platform": getattr(e, "platform_name", ""),
                "run": run,
                "finished": finished.get(e.key),
                "crawling": _crawling(run, config) if kind == "site" else None,
                "probes": n,
                "availability": round(100 * ok / n, 1) if n else None,
                "last_probe": last_probe,
                "open": open_,
                "veto": veto,
                "score": scores.get(e.key),
                "link": query("/findings", site=e.key, status="open"),
            }
        )
    return rows


def _crawling(run, config):
    """The run under way, if the newest run is one (a run left 'running' past the crawl timeout is not)."""
    if run is None or run.status != "running":
        return None
    if run.started_at < utcnow() - timedelta(seconds=config.schedule.crawl_timeout_seconds):
        return None
    return run


async def sites(request: Request):
    user = require(request)
    config = request.app.state.config
    mine = (lambda e: e.unit == user.unit) if user.role == "unit" else (lambda e: True)
    store = store_of(request)
    site_list = [s for s in config.sites if mine(s)]
    account_list = [a for a in config.accounts if mine(a)]
    rows = site_rows(store, config, site_list, kind="site")
    return render(
        request,
        "sites.html",
        {
            "page_title": "网站与账号",
            "sites": rows,
            "accounts": site_rows(store, config, account_list, kind="account"),
            "days": AVAILABILITY_DAYS,
            "has_scores": any(r["score"] for r in rows),
        },
    )
