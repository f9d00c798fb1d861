"""Assembles the month's notice (督查通报) from stored findings.

This is the wiring between the store and ``reports``: it selects and groups
findings into a plain view (``NoticeView``) that the HTML/PDF template and the
DOCX writer render alike. Reports decide nothing. The same stored data gives
the same view, so the same notice, byte for byte.

Hooks for parallel work: ``platform_rows`` (new-media 合格率 per platform) is
rendered only when filled; ``unit_scores`` adds columns (得分, 排名…) to 附件1.
"""

from __future__ import annotations

import calendar
from collections import OrderedDict
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy import select

from monitor.check import lifecycle
from monitor.config import Config
from monitor.model import FindingStatus, Severity
from monitor.model.views import NoticeView, ProblemRow, Review
from rules.scoring import ScoringConfig, rank_units, score_sites
from monitor.store import EvidenceShot, Finding, NoticeFile, NoticeIssue, Store, utcnow
from rules import all_rules

S = FindingStatus
BASIS = (
    "《国务院办公厅秘书局关于印发政府网站与政务新媒体检查指标、监管工作年度考核指标的通知》（国办秘函〔2019〕19号）",
    "《政府网站发展指引》（国办发〔2017〕47号）",
)


def month_bounds(month: str) -> tuple[date, date]:
    try:
        y, m = (int(x) for x in month.split("-"))
        first = date(y, m, 1)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"月份“{month}”格式不对，应为 YYYY-MM，如 2026-11") from exc
    return first, date(y, m, calendar.monthrange(y, m)[1])


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


OPEN_FOR_NOTICE = {st.value for st in S if st.is_open} - {S.RECHECK.value}
# A real 督查通报 names a few typical cases per problem type and leaves the full list to the annex per unit
# and the ledger: a category with at most LIST_ALL problems is listed whole, a larger one by TYPICAL examples.
LIST_ALL = 5
TYPICAL = 3
VETO_LIST_ALL = 10  # veto items are few and grave: listed whole up to this many, else VETO_TYPICAL of them
VETO_TYPICAL = 5
FULL_LIST_MAX = 200  # 附件2 lists every problem up to this many rows, else counts per unit and type


UNIT_COLUMNS = [
    ("unit", "单位"),
    ("sites", "网站数"),
    ("accounts", "账号数"),
    ("veto", "单项否决问题"),
    ("deduction", "扣分问题"),
    ("result", "检查结果"),
    ("rank", "排名"),
]
SCORE_LABELS = {"score": "得分", "deduction_points": "扣分", "bonus": "加分", "grade": "等次"}


def open_findings_for_notice(store: Store, config: Config, *, as_of: date) -> tuple[list[Finding], list[Finding]]:
    keys = {s.key for s in config.sites} | {a.key for a in config.accounts}
    with store.session() as s:
        rows = s.scalars(
            select(Finding).where(Finding.site.in_(keys), Finding.first_seen <= as_of).order_by(Finding.id)
        ).all()
    problems = [f for f in rows if f.verdict == "finding" and f.status in OPEN_FOR_NOTICE]
    unverified = [f for f in rows if f.verdict == "unverified" and f.status in OPEN_FOR_NOTICE]
    return problems, unverified


def review_last_month(store: Store, config: Config, *, month_first: date, as_of: date) -> Review:
    """Last month's notified findings and their status at ``as_of``, from the append-only history."""
    prev_last = month_first - timedelta(days=1)
    prev_first = prev_last.replace(day=1)
    keys = {s.key for s in config.sites} | {a.key for a in config.accounts}
    with store.session() as s:
        ids = [i for (i,) in s.execute(select(Finding.id).where(Finding.site.in_(keys)))]
    review = Review(month=f"{prev_first:%Y-%m}")
    for events in lifecycle.histories(store, ids).values():
        notified = any(
            e.kind == "status"
            and e.to_status == S.NOTIFIED.value
            and e.as_of is not None
            and prev_first <= e.as_of <= prev_last
            for e in events
        )
        if not notified:
            continue
        review.notified += 1
        now = lifecycle.status_on(events, as_of)
        if now == S.FIXED.value:
            review.fixed += 1
        elif now == S.OVERDUE.value:
            review.overdue += 1
        elif now == S.WONTFIX.value:
            review.wontfix += 1
        elif now == S.DISMISSED.value:
            review.dismissed += 1
        elif now == S.REOPENED.value or any(
            e.to_status == S.REOPENED.value and e.as_of and e.as_of <= as_of and e.as_of > prev_first for e in events
        ):
            review.reopened += 1
        else:
            review.pending += 1
    return review


def _rank(units: list[dict[str, Any]]) -> None:
    """Ranking for 附件1 among units with a score: qualified first, then by score, then by problem counts.
    A unit without a score (vetoed, or judged through accounts only) is listed, not ranked."""
    ranked = [u for u in units if (u["sites"] or u["accounts"]) and isinstance(u.get("score"), (int, float))]

    def key(u: dict[str, Any]) -> tuple:
        score = u.get("score")
        return (u["result"] != "合格", -score if isinstance(score, (int, float)) else 0, u["veto"], u["deduction"])

    prev, rank = None, 0
    for n, u in enumerate(sorted(ranked, key=key), 1):
        if key(u) != prev:
            rank, prev = n, key(u)
        u["rank"] = rank
    for u in units:
        u.setdefault("rank", "—")


class NoticeError(ValueError):
    """Issuing refused (already issued, no issuer named), worded for the person issuing."""


def _typical(rows: list[ProblemRow], k: int) -> list[ProblemRow]:
    """k examples a reader learns most from: flagged (逾期/再次出现) and illustrated first, one per unit before
    a second from the same unit; ties keep the notice's order, so the same data gives the same choice."""
    ranked = sorted(rows, key=lambda r: (not r.flag, r.shot_id is None, r.no))
    out: list[ProblemRow] = []
    seen: set[str] = set()
    for r in ranked:
        if len(out) < k and r.unit not in seen:
            out.append(r)
            seen.add(r.unit)
    for r in ranked:
        if len(out) < k and r not in out:
            out.append(r)
    return sorted(out, key=lambda r: r.no)


def _unit_counts(rows: list[ProblemRow], top: int = 5) -> str:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.unit] = counts.get(r.unit, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    text = "、".join(f"{u} {n} 个" for u, n in ranked[:top])
    return text + ("等" if len(ranked) > top else "")


def summarise(
    veto_rows: list[ProblemRow], groups: "OrderedDict[str, list[ProblemRow]]", all_rows: list[ProblemRow]
) -> tuple[list[dict], list[dict], list[dict]]:
    """Per problem type: counts, units involved and typical examples (the body); per unit and type (附件2)."""
    sections = []
    if veto_rows:
        listed = veto_rows if len(veto_rows) <= VETO_LIST_ALL else _typical(veto_rows, VETO_TYPICAL)
        sections.append(
            {
                "title": "单项否决问题",
                "veto": True,
                "count": len(veto_rows),
                "units": len({r.unit for r in veto_rows}),
                "by_unit": _unit_counts(veto_rows),
                "examples": listed,
                "more": len(veto_rows) - len(listed),
            }
        )
    for category, rows in groups.items():
        listed = rows if len(rows) <= LIST_ALL else _typical(rows, TYPICAL)
        sections.append(
            {
                "title": category,
                "veto": False,
                "count": len(rows),
                "units": len({r.unit for r in rows}),
                "by_unit": _unit_counts(rows),
                "examples": listed,
                "more": len(rows) - len(listed),
            }
        )
    cats: OrderedDict[tuple[str, str], list[ProblemRow]] = OrderedDict()
    for r in all_rows:
        cats.setdefault((r.category, r.severity), []).append(r)
    category_rows = [
        {
            "category": c,
            "severity": sev,
            "count": len(rows),
            "units": len({r.unit for r in rows}),
            "sites": len({r.site for r in rows}),
            "overdue": sum(1 for r in rows if r.flag),
        }
        for (c, sev), rows in cats.items()
    ]
    per_unit: OrderedDict[str, list[ProblemRow]] = OrderedDict()
    for r in sorted(all_rows, key=lambda r: (r.unit, r.no)):
        per_unit.setdefault(r.unit, []).append(r)
    unit_summary = []
    for unit, rows in per_unit.items():
        kinds: dict[str, int] = {}
        for r in rows:
            kinds[r.category] = kinds.get(r.category, 0) + 1
        unit_summary.append(
            {
                "unit": unit,
                "count": len(rows),
                "veto": sum(1 for r in rows if r.severity == Severity.VETO.value),
                "flagged": sum(1 for r in rows if r.flag),
                "kinds": "，".join(f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])),
            }
        )
    return sections, category_rows, unit_summary


def _contact_line(config: Config) -> str:
    c = config.organisation.contact
    if c is None:
        return ""
    parts = (
        [f"联系人：{c.name}"]
        + ([f"联系电话：{c.phone}"] if c.phone else [])
        + ([f"电子邮箱：{c.email}"] if c.email else [])
    )
    return "（" + "，".join(parts) + "）"


def beijing(at) -> str:
    """A stored (naive UTC) time as people read it."""
    from datetime import timezone

    from monitor.timeutil import CHINA

    return at.replace(tzinfo=timezone.utc).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def issued_notices(store: Store, month: str) -> list[NoticeIssue]:
    with store.session() as s:
        return list(s.scalars(select(NoticeIssue).where(NoticeIssue.month == month).order_by(NoticeIssue.id)))


def issue_notice(
    store: Store, config: Config, *, month: str, as_of: date, actor: str, force: bool = False, **kw: Any
) -> tuple[NoticeView, int]:
    """Issue (印发) the month's notice once: findings become 已通报 with their deadline, and who issued it and
    when is recorded. A second issue of the same month is refused unless ``force`` (then recorded as such)."""
    month_bounds(month)
    actor = (actor or "").strip()
    if not actor:
        raise NoticeError("请说明由谁印发通报（--by 姓名）")
    earlier = issued_notices(store, month)
    if earlier and not force:
        e = earlier[-1]
        raise NoticeError(
            f"{month} 的督查通报已于 {beijing(e.issued_at)} 由 {e.issued_by} 印发，"
            "不再重复印发；确需重新印发（如更正后）请加 --force"
        )
    view = build_notice(store, config, month=month, as_of=as_of, mark_notified=True, actor=actor, **kw)
    with store.session() as s:
        row = NoticeIssue(
            month=month,
            issued_at=utcnow(),
            issued_by=actor,
            as_of=as_of,
            deadline=date.fromisoformat(view.deadline_date),
            findings=len(view.all_rows),
            forced=bool(earlier),
            units=[u["unit"] for u in view.unit_rows],
        )
        s.add(row)
        s.flush()
        issue_id = row.id
    view.draft, view.issued_by = False, actor
    return view, issue_id


def register_files(
    store: Store, config: Config, issue_id: int, month: str, files: list[tuple[Path, str | None, str]]
) -> None:
    """Record which file is for whom: (path, unit or None for the whole notice, kind)."""
    root = Path(config.storage.notices_dir).resolve()
    with store.session() as s:
        for path, unit, kind in files:
            p = Path(path).resolve()
            rel = p.relative_to(root).as_posix() if p.is_relative_to(root) else str(p)
            s.add(NoticeFile(issue_id=issue_id, month=month, path=rel, unit=unit, kind=kind))


def build_notice(
    store: Store,
    config: Config,
    *,
    month: str,
    as_of: date,
    mark_notified: bool = False,
    actor: str = "通报",
    unit_scores: Mapping[str, Mapping[str, Any]] | None = None,
    platform_rows: list[dict[str, Any]] | None = None,
) -> NoticeView:
    first, last = month_bounds(month)
    as_of = min(as_of, last) if as_of >= first else as_of
    org = config.organisation
    issued = as_of
    deadline = issued + timedelta(days=org.rectify_days)
    keys = [s.key for s in config.sites] + [a.key for a in config.accounts]
    with store.session() as s:  # a deadline that passed is 逾期 by the notice's day, checked or not
        lifecycle.sweep_overdue(s, as_of=as_of, sites=keys)
    problems, unverified = open_findings_for_notice(store, config, as_of=as_of)

    if mark_notified and problems:
        with store.session() as s:
            for f in s.scalars(select(Finding).where(Finding.id.in_([f.id for f in problems]))):
                lifecycle.mark_notified(s, f, deadline, as_of=as_of, actor=actor)
        problems, unverified = open_findings_for_notice(store, config, as_of=as_of)

    site_names = {s.key: s.name for s in config.sites} | {a.key: a.name for a in config.accounts}
    titles = {e.rule.id: e.rule.problem_category for e in all_rules()}
    order = {e.rule.id: n for n, e in enumerate(all_rules())}
    shots = latest_shots(store, [f.id for f in problems])
    reopened = {
        fid
        for fid, evs in lifecycle.histories(store, [f.id for f in problems]).items()
        if any(e.to_status == S.REOPENED.value and e.as_of and first <= e.as_of <= as_of for e in evs)
    }

    def flag(f: Finding) -> str:
        if f.status == S.OVERDUE.value:
            return "逾期未整改"
        return "整改后再次出现" if f.id in reopened or f.status == S.REOPENED.value else ""

    def row(n: int, f: Finding) -> ProblemRow:
        shot = shots.get(f.id)
        return ProblemRow(
            no=n,
            fid=f.id,
            unit=f.unit,
            site=f.site,
            site_name=site_names.get(f.site, f.site),
            rule=f.rule,
            category=titles.get(f.rule, f.rule),
            severity=f.severity,
            subject=f.subject,
            evidence=f.evidence,
            url=f.url,
            source_url=f.source_url,
            deadline=(f.deadline or deadline).isoformat(),
            status=f.status,
            first_seen=f.first_seen.isoformat(),
            flag=flag(f),
            shot_id=shot.id if shot else None,
            shot_caption=(f"截图：{shot.page_url}（{shot.as_of:%Y-%m-%d}，{shot.highlight}）" if shot else ""),
        )

    ranked = sorted(problems, key=lambda f: (Severity(f.severity).rank, order.get(f.rule, 999), f.unit, f.site, f.id))
    all_rows = [row(n, f) for n, f in enumerate(ranked, 1)]
    site_keys = {s.key for s in config.sites}
    account_keys = {a.key for a in config.accounts}
    # 二、主要问题 lists the websites' problems; accounts have their own 政务新媒体 part (notice_newmedia)
    veto_rows = [r for r in all_rows if r.severity == Severity.VETO.value and r.site in site_keys]
    groups: OrderedDict[str, list[ProblemRow]] = OrderedDict()
    for r in all_rows:
        if r.severity != Severity.VETO.value and r.site in site_keys:
            groups.setdefault(r.category, []).append(r)

    failed = {f.site for f in problems if f.severity == Severity.VETO.value}
    # scoring: a site fails on a veto or on a score below the pass mark; a unit takes its worst site
    site_scores = score_sites(problems, list(config.sites), ScoringConfig.from_config(config))
    failed |= {sc.site for sc in site_scores if sc.result == "不合格"}
    if unit_scores is None:
        unit_scores = {
            us.unit: {"score": round(us.average, 1) if us.average is not None else "—"}
            for us in rank_units(site_scores)
        }
    blank = {"sites": 0, "accounts": 0, "failed": 0, "veto": 0, "deduction": 0, "notice": 0}
    units: OrderedDict[str, dict[str, Any]] = OrderedDict((u.name, {"unit": u.name, **blank}) for u in config.units)
    for item, kind in [(s, "sites") for s in config.sites] + [(a, "accounts") for a in config.accounts]:
        u = units.setdefault(item.unit, {"unit": item.unit, **blank})
        u[kind] += 1
        u["failed"] += item.key in failed
    for f in problems:
        u = units.setdefault(f.unit, {"unit": f.unit, **blank})
        u[{"否决": "veto", "扣分": "deduction"}.get(f.severity, "notice")] += 1
    for u in units.values():
        u["result"] = "不合格" if u["failed"] else ("合格" if u["sites"] or u["accounts"] else "—")

    from monitor.notices.notice_newmedia import build_newmedia_view

    newmedia = build_newmedia_view(store, config, rows=all_rows, problems=problems, unverified=unverified)
    if newmedia is not None:  # a unit judged only through accounts none of which could be verified
        for u in units.values():
            mine = [a.key for a in config.accounts if a.unit == u["unit"]]
            if not u["sites"] and mine and not u["failed"] and set(mine) <= set(newmedia.unverifiable_keys):
                u["result"] = "无法核实"
    columns = list(UNIT_COLUMNS)
    for name, values in (unit_scores or {}).items():  # scoring (rules/scoring.py) adds its columns
        u = units.setdefault(name, {"unit": name, **blank, "result": "—"})
        u.update(values)
        for k in values:
            if k not in dict(columns):
                columns.insert(len(columns) - 1, (k, SCORE_LABELS.get(k, k)))
    unit_rows = list(units.values())
    _rank(unit_rows)
    for u in unit_rows:
        for k, _ in columns:
            u.setdefault(k, "—")

    sections, category_rows, unit_summary = summarise(veto_rows, groups, all_rows)
    shown = {r.shot_id for sec in sections for r in sec["examples"] if r.shot_id}  # only examples carry pictures
    n = len(site_keys)
    passed = n - len(failed & site_keys)
    na = len(account_keys)
    a_passed = na - len(failed & account_keys)
    y, m = first.year, first.month
    return NoticeView(
        title=f"关于{y}年{m}月{org.region}政府网站和政务新媒体检查情况的通报",
        issuer=org.issuer or org.name,
        doc_number=f"{org.doc_number}{m}号" if org.doc_number else None,
        addressees=org.addressees,
        basis=BASIS,
        month=month,
        period=f"{cn_date(first)}至{cn_date(min(as_of, last))}",
        issued_on=cn_date(issued),
        deadline=cn_date(deadline),
        region=org.region,
        sites_checked=n,
        sites_failed=len(failed & site_keys),
        pass_rate=f"{(passed / n * 100):.1f}%" if n else "—",
        accounts_checked=na,
        accounts_failed=len(failed & account_keys),
        account_pass_rate=f"{(a_passed / na * 100):.1f}%" if na else "—",
        platform_rows=list(platform_rows or []),
        review=review_last_month(store, config, month_first=first, as_of=as_of),
        veto_rows=veto_rows,
        deduction_groups=groups,
        unit_columns=columns,
        unit_rows=unit_rows,
        all_rows=all_rows,
        unverified_rows=[row(i, f) for i, f in enumerate(unverified, 1)],
        shots={sh.id: sh.png for sh in shots.values() if sh.id in shown},
        newmedia=newmedia,
        draft=not mark_notified,
        deadline_date=deadline.isoformat(),
        category_rows=category_rows,
        sections=sections,
        full_list=len(all_rows) <= FULL_LIST_MAX,
        unit_summary=unit_summary,
        cc=org.cc or "",
        contact=_contact_line(config),
        printed_by=f"{org.issuer or org.name}{' ' * 2}{cn_date(issued)}印发",
    )


def latest_shots(store: Store, finding_ids: list[int]) -> dict[int, EvidenceShot]:
    """The newest stored screenshot of each finding (reports only embed what was stored)."""
    if not finding_ids:
        return {}
    with store.session() as s:
        rows = s.scalars(
            select(EvidenceShot).where(EvidenceShot.finding_id.in_(finding_ids)).order_by(EvidenceShot.id)
        ).all()
    return {r.finding_id: r for r in rows}
