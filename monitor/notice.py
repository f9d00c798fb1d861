"""Assembles the month's notice (督查通报) from stored findings.

This is the wiring between the store and ``reports``: it selects and groups
findings into a plain view the templates render. Reports decide nothing.
"""
from __future__ import annotations

import calendar
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from monitor.config import Config
from monitor.model import FindingStatus, Severity
from monitor.scoring import ScoringConfig, rank_units, score_sites
from monitor.store import Finding, FindingEvent, Store, utcnow
from rules import all_rules


def month_bounds(month: str) -> tuple[date, date]:
    try:
        y, m = (int(x) for x in month.split("-"))
        first = date(y, m, 1)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"月份“{month}”格式不对，应为 YYYY-MM，如 2026-11") from exc
    return first, date(y, m, calendar.monthrange(y, m)[1])


@dataclass
class ProblemRow:
    no: int
    unit: str
    site: str
    site_name: str
    rule: str
    category: str
    severity: str
    subject: str
    evidence: str
    url: str
    source_url: str | None
    deadline: str
    status: str
    first_seen: str


@dataclass
class NoticeView:
    title: str
    issuer: str
    doc_number: str | None
    month: str
    period: str
    issued_on: str
    deadline: str
    region: str
    sites_checked: int
    sites_failed: int
    pass_rate: str
    veto_rows: list[ProblemRow] = field(default_factory=list)
    deduction_groups: "OrderedDict[str, list[ProblemRow]]" = field(default_factory=OrderedDict)
    unit_rows: list[dict[str, Any]] = field(default_factory=list)
    all_rows: list[ProblemRow] = field(default_factory=list)
    unverified_rows: list[ProblemRow] = field(default_factory=list)
    newmedia: Any = None  # monitor.notice_newmedia.NewMediaView when accounts are configured

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def open_findings_for_notice(store: Store, config: Config, *, as_of: date) -> tuple[list[Finding], list[Finding]]:
    keys = {s.key for s in config.sites} | {a.key for a in config.accounts}
    with store.session() as s:
        rows = s.scalars(select(Finding).where(Finding.site.in_(keys), Finding.first_seen <= as_of)
                         .order_by(Finding.id)).all()
    open_statuses = {st.value for st in FindingStatus if st.is_open} - {FindingStatus.RECHECK.value}
    problems = [f for f in rows if f.verdict == "finding" and f.status in open_statuses]
    unverified = [f for f in rows if f.verdict == "unverified" and f.status in open_statuses]
    return problems, unverified


def build_notice(store: Store, config: Config, *, month: str, as_of: date, mark_notified: bool = True) -> NoticeView:
    first, last = month_bounds(month)
    as_of = min(as_of, last) if as_of >= first else as_of
    org = config.organisation
    issued = as_of
    deadline = issued + timedelta(days=org.rectify_days)
    problems, unverified = open_findings_for_notice(store, config, as_of=as_of)

    if mark_notified:
        _mark_notified(store, [f.id for f in problems], deadline)
        problems, unverified = open_findings_for_notice(store, config, as_of=as_of)

    site_names = {s.key: s.name for s in config.sites} | {a.key: a.name for a in config.accounts}
    titles = {e.rule.id: e.rule.problem_category for e in all_rules()}
    order = {e.rule.id: n for n, e in enumerate(all_rules())}

    def row(n: int, f: Finding) -> ProblemRow:
        return ProblemRow(no=n, unit=f.unit, site=f.site, site_name=site_names.get(f.site, f.site), rule=f.rule,
                          category=titles.get(f.rule, f.rule), severity=f.severity, subject=f.subject,
                          evidence=f.evidence, url=f.url, source_url=f.source_url,
                          deadline=(f.deadline or deadline).isoformat(), status=f.status,
                          first_seen=f.first_seen.isoformat())

    ranked = sorted(problems, key=lambda f: (Severity(f.severity).rank, order.get(f.rule, 999), f.unit, f.site, f.id))
    all_rows = [row(n, f) for n, f in enumerate(ranked, 1)]
    site_keys = {s.key for s in config.sites}  # account problems have their own section (政务新媒体)
    veto_rows = [r for r in all_rows if r.severity == Severity.VETO.value and r.site in site_keys]
    groups: OrderedDict[str, list[ProblemRow]] = OrderedDict()
    for r in all_rows:
        if r.severity != Severity.VETO.value and r.site in site_keys:
            groups.setdefault(r.category, []).append(r)

    failed_sites = {f.site for f in problems if f.severity == Severity.VETO.value and f.site in site_keys}
    checked = [s for s in config.sites]
    units: OrderedDict[str, dict[str, Any]] = OrderedDict((u.name, {"unit": u.name, "sites": 0, "failed": 0,
                                                                    "veto": 0, "deduction": 0, "notice": 0})
                                                          for u in config.units)
    for site in checked:
        u = units.setdefault(site.unit, {"unit": site.unit, "sites": 0, "failed": 0, "veto": 0, "deduction": 0,
                                         "notice": 0})
        u["sites"] += 1
        u["failed"] += site.key in failed_sites
    account_failed = {f.site for f in problems if f.severity == Severity.VETO.value and f.site not in site_keys}
    for a in config.accounts:
        u = units.setdefault(a.unit, {"unit": a.unit, "sites": 0, "failed": 0, "veto": 0, "deduction": 0, "notice": 0})
        u["accounts"] = u.get("accounts", 0) + 1
        u["failed"] += a.key in account_failed
    for f in problems:
        u = units.setdefault(f.unit, {"unit": f.unit, "sites": 0, "failed": 0, "veto": 0, "deduction": 0, "notice": 0})
        u[{"否决": "veto", "扣分": "deduction"}.get(f.severity, "notice")] += 1
    # scores (monitor.scoring): a veto, or a score below the pass mark, fails a site; the worst site decides
    site_scores = score_sites(problems, checked, ScoringConfig.from_config(config))
    failed_sites |= {sc.site for sc in site_scores if sc.result == "不合格"}
    unit_scores = {us.unit: us for us in rank_units(site_scores)}
    for u in units.values():
        u.setdefault("accounts", 0)
        us = unit_scores.get(u["unit"])
        u["failed"] = us.failed if us else u["failed"]
        u["result"] = "不合格" if u["failed"] else ("合格" if u["sites"] or u["accounts"] else "—")
        u["score"] = f"{us.average:.1f}" if us and us.average is not None else "—"
        u["rank"] = us.rank if us and us.rank else "—"

    from monitor.notice_newmedia import build_newmedia_view

    newmedia = build_newmedia_view(store, config, rows=all_rows, problems=problems, unverified=unverified)
    if newmedia is not None:  # a unit judged only through accounts none of which could be verified
        for u in units.values():
            mine = [a.key for a in config.accounts if a.unit == u["unit"]]
            if not u["sites"] and mine and not u["failed"] and set(mine) <= set(newmedia.unverifiable_keys):
                u["result"] = "无法核实"
    n = len(checked)
    passed = n - len(failed_sites & {s.key for s in checked})
    y, m = first.year, first.month
    return NoticeView(
        title=f"关于{y}年{m}月{org.region}政府网站和政务新媒体检查情况的通报",
        issuer=org.issuer or org.name, doc_number=f"{org.doc_number}{m}号" if org.doc_number else None,
        month=month, period=f"{first:%Y年%m月%d日}至{min(as_of, last):%Y年%m月%d日}",
        issued_on=f"{issued.year}年{issued.month}月{issued.day}日", deadline=f"{deadline.year}年{deadline.month}月{deadline.day}日",
        region=org.region, sites_checked=n, sites_failed=len(failed_sites),
        pass_rate=f"{(passed / n * 100):.1f}%" if n else "—",
        veto_rows=veto_rows, deduction_groups=groups, unit_rows=list(units.values()), all_rows=all_rows,
        unverified_rows=[row(i, f) for i, f in enumerate(unverified, 1)], newmedia=newmedia)


def _mark_notified(store: Store, ids: list[int], deadline: date) -> None:
    """Issuing the notice is notifying: open findings get the notice's deadline once, and 已通报."""
    if not ids:
        return
    with store.session() as s:
        for f in s.scalars(select(Finding).where(Finding.id.in_(ids))):
            if f.status in (FindingStatus.OPEN.value, FindingStatus.REOPENED.value) or f.deadline is None:
                if f.deadline is None:
                    f.deadline = deadline
                if f.status in (FindingStatus.OPEN.value, FindingStatus.REOPENED.value):
                    s.add(FindingEvent(finding_id=f.id, at=utcnow(), actor="通报", from_status=f.status,
                                       to_status=FindingStatus.NOTIFIED.value,
                                       reason=f"列入督查通报，整改期限 {f.deadline:%Y-%m-%d}"))
                    f.status = FindingStatus.NOTIFIED.value
                    f.updated_at = utcnow()
