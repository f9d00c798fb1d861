"""`monitor recheck`: re-fetch only the evidence of open findings and move them through the lifecycle.

A full crawl is the real check; a re-check is the cheap one between crawls,
for a unit that says it has fixed something or an auditor who wants to know
today. It records what it fetched as facts (a crawl run of kind ``recheck``)
and judges them with the same rules and the same finding identity.

What it can confirm:
- W-S1 broken link: the pages that linked to the target are fetched again; if
  none of them links to it any more, the problem is gone (the link was
  removed). Otherwise the target's own answer decides, by the rule's verdict
  (404/5xx/refused… still broken; 2xx fixed; 403/429/timeout unverified).
- W-V3 / W-V4 / W-V5 column findings: the column's first list page is fetched
  again and the column rule re-run on it alone.

What it cannot confirm (left as they are, reported as 无法复查):
- anything whose page could not be fetched (timeout, blocked): unknown is
  never fixed;
- a broken link that moved to a page the original crawl did not see, or a
  column whose newest item sits beyond its first list page;
- rules that need the whole site (W-V2 home not updated, content rules,
  counts across columns): a re-check never changes a finding's severity, and
  a column re-checked alone is not counted towards a veto.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin, urldefrag, urlsplit

import httpx
from parsel import Selector
from sqlalchemy import select

from monitor.check import lifecycle
from monitor.check.checking import fingerprint
from monitor.config import Config
from monitor.check.facts import column_level
from monitor.model import (
    ColumnFacts,
    ColumnKind,
    ErrorKind,
    FindingStatus,
    ItemFacts,
    PageFacts,
    SiteFacts,
    error_label,
)
from monitor.store import BatchWriter, Column, CrawlRun, Finding, Store, utcnow
from rules import merge_overrides, run, thresholds_for
from rules.base import Scope, Verdict
from rules.website._columns import unverified_reason
from spiders.columns import classify_column
from spiders.errors import httpx_error_kind
from spiders.listing import column_meta
from spiders.listpage import read_list
from spiders.netguard import NetPolicy, host_port

REDIRECT_MAX_TIMES = 10  # as the crawler (spiders.settings)

log = logging.getLogger(__name__)

COLUMN_RULES = ("W-V3", "W-V4", "W-V5")
SUPPORTED = ("W-S1", *COLUMN_RULES)
MAX_PARENTS = 10
ACTOR = "系统复查（recheck）"


@dataclass
class Fetched:
    url: str
    status: int | None = None
    error_kind: str | None = None
    error_detail: str | None = None
    text: str | None = None
    content_type: str | None = None
    final_url: str | None = None
    truncated: bool = False  # the body was larger than the site's max_page_bytes: not read


@dataclass
class RecheckResult:
    checked: int = 0
    present: list[int] = field(default_factory=list)
    absent: list[int] = field(default_factory=list)
    unknown: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    fixed: int = 0
    reopened: int = 0


@dataclass(frozen=True)
class Reach:
    """What a re-check may fetch for one site: the crawler's scope and limits (sites.yaml)."""

    policy: NetPolicy
    max_bytes: int = 10 * 1024 * 1024

    @classmethod
    def of(cls, site) -> "Reach":
        if site is None:
            return cls(NetPolicy())
        return cls(
            NetPolicy(scope=site.scope, allow_private=site.limits.allow_private_network), site.limits.max_page_bytes
        )


def _offsite(origin: str, url: str, reach: Reach) -> bool:
    """A hop to another host:port than the one asked for, outside the site's scope (http → https on the
    same host is the same site)."""
    a, b = host_port(origin), host_port(url)
    if a == b or b in reach.policy.scope:
        return False
    defaults = {"80", "443"}
    return not (a.rsplit(":", 1)[0] == b.rsplit(":", 1)[0] and {a.rsplit(":", 1)[1], b.rsplit(":", 1)[1]} <= defaults)


def fetch(client: httpx.Client, url: str, reach: Reach | None = None) -> Fetched:
    """GET ``url`` as the crawler would: only within the network scope, redirects followed hop by hop (a hop
    to another site is not followed), at most ``max_bytes`` of body read."""
    reach = reach or Reach(NetPolicy())
    current = url
    for _ in range(REDIRECT_MAX_TIMES + 1):
        reason = reach.policy.check(current)
        if reason is not None:
            return Fetched(
                url,
                error_kind=ErrorKind.BLOCKED,
                error_detail=f"blocked ({reason}): {current[:300]}",
                final_url=current,
            )
        if current != url and _offsite(url, current, reach):
            return Fetched(
                url,
                error_kind=ErrorKind.OFFSITE,
                final_url=current,
                error_detail=f"redirected to another site: {current[:300]}",
            )
        try:
            with client.stream("GET", current) as r:
                location = r.headers.get("location")
                if r.status_code in (301, 302, 303, 307, 308) and location:
                    current = urljoin(current, location.strip())
                    continue
                ctype = r.headers.get("content-type", "")
                if not ("html" in ctype or not ctype):
                    return Fetched(url, status=r.status_code, content_type=ctype, final_url=current)
                body = bytearray()
                for chunk in r.iter_bytes():
                    body += chunk
                    if len(body) > reach.max_bytes:  # the crawler's max_page_bytes: never the whole of it
                        return Fetched(
                            url,
                            status=r.status_code,
                            content_type=ctype,
                            final_url=current,
                            error_detail=f"body larger than {reach.max_bytes} bytes",
                            truncated=True,
                        )
                text = bytes(body).decode(r.encoding or "utf-8", errors="replace")
                return Fetched(url, status=r.status_code, text=text, content_type=ctype, final_url=current)
        except httpx.HTTPError as exc:
            return Fetched(url, error_kind=httpx_error_kind(exc), error_detail=str(exc)[:500], final_url=current)
    return Fetched(
        url, error_kind=ErrorKind.REDIRECTS, error_detail=f"more than {REDIRECT_MAX_TIMES} redirects", final_url=current
    )


def _links_to(page: Fetched, target: str) -> bool:
    sel = Selector(text=page.text or "")
    want = urldefrag(target)[0]
    for raw in sel.xpath("//*[@href]/@href | //*[@src]/@src").getall():
        url = urldefrag(urljoin(page.url, raw.strip()))[0]
        if url == want or (not urlsplit(url).path and url + "/" == want):
            return True
    return False


def _judge_link(
    client: httpx.Client, f: Finding, fetched: list[Fetched], reach: Reach | None = None
) -> tuple[bool | None, str]:
    parents = list(dict.fromkeys(p["source_url"] for p in (f.facts or {}).get("parents", [])))[:MAX_PARENTS]
    parents = parents or ([f.source_url] if f.source_url else [])
    still_linked, unreadable = 0, 0
    for url in parents:
        page = fetch(client, url, reach)
        fetched.append(page)
        if page.status is None or page.status >= 400 or page.text is None or page.truncated:
            unreadable += 1
        elif _links_to(page, f.url):
            still_linked += 1
    if parents and not still_linked and not unreadable:
        return False, "引用该链接的页面已不再链接它"
    target = fetch(client, f.url, reach)
    fetched.append(target)
    if target.error_kind == ErrorKind.BLOCKED:
        return None, "链接指向本机或内网地址，不在检查范围内，无法确认"
    if target.error_kind == ErrorKind.OFFSITE:
        return None, f"链接重定向到其他网站（{target.final_url}），无法确认已整改"
    from rules.website.broken_link import verdict

    t = thresholds_for("W-S1")
    v = verdict(PageFacts(url=f.url, status=target.status, error_kind=target.error_kind), t)
    if v is None:
        return False, f"链接已可访问（HTTP {target.status}）"
    kind, reason = v
    if kind == "broken":
        return True, f"链接仍无法访问（{reason}）"
    return None, f"链接状态无法确认（{reason}）"


def _judge_column(
    store: Store, config: Config, client: httpx.Client, f: Finding, as_of: date, fetched: list[Fetched]
) -> tuple[bool | None, str]:
    with store.session() as s:
        col = s.scalars(
            select(Column)
            .join(CrawlRun, CrawlRun.id == Column.run_id)
            .where(CrawlRun.site == f.site, Column.url == f.url, Column.role == "column")
            .order_by(Column.id.desc())
            .limit(1)
        ).first()
    list_url = (col.list_pages or [None])[0] if col is not None and col.list_pages else None
    site = next((x for x in config.sites if x.key == f.site), None)
    page = fetch(client, list_url or f.url, Reach.of(site))
    fetched.append(page)
    if page.status is None or page.status >= 400 or page.text is None or page.truncated:
        reason = (
            error_label(page.error_kind)
            if page.error_kind
            else "页面超过大小上限"
            if page.truncated
            else f"HTTP {page.status}"
        )
        return None, f"栏目页面无法读取（{reason}）"
    sel = Selector(text=page.text)
    name, ctype = column_meta(sel)
    reading = read_list(sel, page.url, html=page.text)
    items = tuple(
        ItemFacts(url=e.url, title=e.title, date=e.date, date_text=e.date_text, date_source=e.date_source)
        for e in reading.entries
        if e.date is None or e.date <= as_of
    )
    shown_empty = "marker" if reading.empty_marker else ("container" if reading.empty_container else None)
    site = next((x for x in config.sites if x.key == f.site), None)
    override = {o.url: o for o in (site.columns if site else ())}.get(f.url)
    if override is not None and override.kind:
        kind = override.kind
    elif col is not None and col.kind in ColumnKind._value2member_map_:
        kind = ColumnKind(col.kind)  # what the crawl classified
    else:
        kind = classify_column(name or f.subject, ctype, f.url)
    level = override.level if override is not None and override.level else column_level(f.url)
    cfacts = ColumnFacts(
        url=f.url,
        name=(col.name if col is not None else f.subject),
        kind=kind,
        level=level,
        items=items,
        list_pages=(page.url,),
        how=col.how if col is not None else None,
        empty_evidence=shown_empty,
    )
    unsure = unverified_reason(cfacts)
    if unsure is not None:
        return None, f"复查无法确认：{unsure}"
    facts = SiteFacts(
        site=f.site,
        site_name=site.name if site else f.site,
        unit=f.unit,
        home_url=site.home if site else f.url,
        run_id=0,
        crawled_at=utcnow(),
        columns=(cfacts,),
    )
    overrides = merge_overrides(config.thresholds, site.thresholds if site else None)
    for o in run(Scope.SITE, facts, today=as_of, overrides=overrides, select=(f.rule,)).outcomes:
        if o.verdict is Verdict.FINDING and fingerprint(o.rule, f.site, o.subject, o.url) == f.fingerprint:
            return True, f"复查仍存在：{o.evidence}"
    newest = max((i.date for i in items if i.date), default=None)
    return False, (
        f"复查未再发现（列表页最新信息 {newest:%Y-%m-%d}，共 {len(items)} 条）"
        if newest
        else f"复查未再发现（列表页 {len(items)} 条）"
    )


def recheck(
    store: Store,
    config: Config,
    *,
    as_of: date,
    site_keys: tuple[str, ...] = (),
    finding_ids: tuple[int, ...] = (),
    timeout: float = 15.0,
) -> RecheckResult:
    keys = set(site_keys) or {s.key for s in config.sites}
    open_states = [st.value for st in FindingStatus if st.is_open]
    q = select(Finding).where(Finding.site.in_(keys), Finding.verdict == "finding", Finding.status.in_(open_states))
    if finding_ids:
        q = q.where(Finding.id.in_(finding_ids))
    with store.session() as s:
        findings = s.scalars(q.order_by(Finding.id)).all()
    result = RecheckResult()
    fetched_by_site: dict[str, list[Fetched]] = {}
    verdicts: dict[int, tuple[bool | None, str]] = {}
    headers = {"User-Agent": "monitor-recheck/0.1 (+government website inspection)"}
    sites = {x.key: x for x in config.sites}
    # redirects are followed by fetch(), hop by hop, within the site's network scope
    with httpx.Client(timeout=timeout, follow_redirects=False, headers=headers) as client:
        for f in findings:
            if f.rule not in SUPPORTED:
                result.skipped.append((f.id, f"{f.rule} 需要完整抓取才能复查"))
                continue
            fetched = fetched_by_site.setdefault(f.site, [])
            if f.rule == "W-S1":
                verdicts[f.id] = _judge_link(client, f, fetched, Reach.of(sites.get(f.site)))
            else:
                verdicts[f.id] = _judge_column(store, config, client, f, as_of, fetched)
    for site_key, pages in fetched_by_site.items():  # what was fetched is a fact, kept like a crawl's
        run_id = store.start_run(site_key, kind="recheck")
        writer = BatchWriter(store, run_id)
        for p in pages:
            writer.add(
                "page",
                {
                    "url": p.url,
                    "status": p.status,
                    "error_kind": p.error_kind,
                    "final_url": p.final_url,
                    "error_detail": p.error_detail,
                    "content_type": (p.content_type or "")[:200] or None,
                    "fetched_at": utcnow(),
                },
            )
        writer.flush()
        store.finish_run(run_id, pages=len(pages))
    fixed_after = config.organisation.fixed_after_checks
    with store.session() as s:
        for fid, (present, why) in verdicts.items():
            f = s.get(Finding, fid)
            result.checked += 1
            if present is None:
                result.unknown.append((fid, why))
                continue
            if present:
                result.present.append(fid)
                if lifecycle.observe_present(s, f, as_of=as_of, actor=ACTOR) == "reopened":
                    result.reopened += 1
            else:
                result.absent.append(fid)
                if lifecycle.observe_absent(s, f, as_of=as_of, fixed_after=fixed_after, actor=ACTOR) == "fixed":
                    result.fixed += 1
            s.add(lifecycle_note(f, why, as_of))
    return result


def lifecycle_note(f: Finding, why: str, as_of: date):
    from monitor.store import FindingEvent

    return FindingEvent(
        finding_id=f.id,
        at=utcnow(),
        actor=ACTOR,
        from_status=f.status,
        to_status=f.status,
        reason=why,
        as_of=as_of,
        kind="note",
    )
