"""The rectification ledger (整改台账): every finding of the month with its status and full history.

Wiring only: reads findings and their append-only history from the store and
hands plain rows to ``reports.ledger``, which writes the XLSX.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from monitor.check import lifecycle
from monitor.config import Config
from monitor.model import FindingStatus as S
from monitor.model.views import LedgerRow, LedgerView
from monitor.notices.notice import month_bounds
from monitor.store import Finding, Store
from rules import all_rules


def event_line(e: lifecycle.Event) -> str:
    day = (e.as_of or e.at.date()).isoformat()
    if e.kind == "note":
        return f"{day} {e.actor}备注：{e.reason}"
    if e.kind == "deadline":
        return f"{day} {e.actor}：{e.reason}"
    return f"{day} {e.actor}：{e.from_status or '—'} → {e.to_status}（{e.reason}）"


def referrers(f: Finding) -> tuple[list[str], list[str]]:
    """Where a unit goes to fix it: every referring page of a dead link (facts["parents"]) and its link texts,
    else the page the problem was found on."""
    parents = (f.facts or {}).get("parents") if isinstance(f.facts, dict) else None
    if isinstance(parents, list) and parents:
        pages = list(dict.fromkeys(str(p.get("source_url") or "") for p in parents if isinstance(p, dict)))
        anchors = list(dict.fromkeys(str(p.get("anchor_text") or "").strip() for p in parents if isinstance(p, dict)))
        return [p for p in pages if p], [a for a in anchors if a]
    return ([f.source_url] if f.source_url else []), []


def build_ledger(
    store: Store, config: Config, *, month: str, as_of: date | None = None, unit: str | None = None
) -> LedgerView:
    """Findings seen by the month's end that were not already closed before it began."""
    first, last = month_bounds(month)
    as_of = min(as_of or last, last)
    keys = {s.key for s in config.sites} | {a.key for a in config.accounts}
    names = {s.key: s.name for s in config.sites} | {a.key: a.name for a in config.accounts}
    titles = {e.rule.id: e.rule.problem_category for e in all_rules()}
    q = select(Finding).where(Finding.site.in_(keys), Finding.verdict == "finding", Finding.first_seen <= as_of)
    if unit:
        q = q.where(Finding.unit == unit)
    with store.session() as s:
        findings = s.scalars(q.order_by(Finding.unit, Finding.first_seen, Finding.id)).all()
    events = lifecycle.histories(store, [f.id for f in findings])
    rows: list[LedgerRow] = []
    for f in findings:
        hist = events.get(f.id, [])
        if f.fixed_on and f.fixed_on < first and f.status == S.FIXED.value:
            continue  # closed before this month: in an earlier ledger
        checks = [e for e in hist if e.kind in ("status", "note") and e.actor.startswith("系统")]
        last = checks[-1] if checks else None
        recheck = f"{(last.as_of or last.at.date()):%Y-%m-%d} {last.actor}：{last.reason}" if last else ""
        rows.append(
            LedgerRow(
                no=len(rows) + 1,
                fid=f.id,
                found_on=f.first_seen.isoformat(),
                unit=f.unit,
                site_name=names.get(f.site, f.site),
                rule=f.rule,
                category=f"{titles.get(f.rule, f.rule)}（{f.rule}）",
                description=f.evidence,
                url=f.url,
                severity=f.severity,
                deadline=f.deadline.isoformat() if f.deadline else "",
                status=f.status,
                fixed_on=f.fixed_on.isoformat() if f.fixed_on else "",
                recheck=recheck,
                history=[event_line(e) for e in hist],
                pages=referrers(f)[0],
                anchors=referrers(f)[1],
            )
        )
    return LedgerView(
        title=f"{config.organisation.region}政府网站和政务新媒体问题整改台账（{first.year}年{first.month}月）",
        month=month,
        as_of=as_of.isoformat(),
        rows=rows,
    )
