"""Overview: per unit open / overdue / fixed this month / veto items, and a 12-month trend chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, or_, select
from starlette.requests import Request

from monitor.model import FindingStatus as S
from monitor.model import Severity
from monitor.store import Finding
from monitor.web.auth import require, store_of
from monitor.web.render import query, render

OPEN = [s.value for s in S if s.is_open]
OVERDUE_CANDIDATES = [S.OPEN.value, S.NOTIFIED.value, S.REOPENED.value, S.SUBMITTED.value]


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, n: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, 1)


def _n(cond):
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def overdue_condition(today: date):
    return or_(
        Finding.status == S.OVERDUE.value, and_(Finding.deadline < today, Finding.status.in_(OVERDUE_CANDIDATES))
    )


def unit_rows(store, *, today: date, unit: str | None, units: list[str]) -> list[dict]:
    first = month_start(today)
    q = (
        select(
            Finding.unit,
            _n(Finding.status.in_(OPEN)),
            _n(overdue_condition(today)),
            _n(and_(Finding.status == S.FIXED.value, Finding.fixed_on >= first)),
            _n(and_(Finding.severity == Severity.VETO.value, Finding.status.in_(OPEN))),
            _n(Finding.status == S.SUBMITTED.value),
            _n(Finding.status == S.RECHECK.value),
            _n(Finding.status == S.FIXED.value),
        )
        .where(Finding.verdict == "finding")
        .group_by(Finding.unit)
    )
    if unit is not None:
        q = q.where(Finding.unit == unit)
    with store.session() as s:
        found = {r[0]: r[1:] for r in s.execute(q)}
    names = [unit] if unit is not None else list(dict.fromkeys([*units, *sorted(found)]))
    rows = []
    for name in names:
        open_, overdue, fixed, veto, submitted, recheck, fixed_all = found.get(name, (0,) * 7)
        rows.append(
            {
                "unit": name,
                "open": open_,
                "overdue": overdue,
                "fixed_month": fixed,
                "veto": veto,
                "submitted": submitted,
                "recheck": recheck,
                "fixed_all": fixed_all,
                "rate": rectify_rate(fixed_all, open_),
                "link": query("/findings", unit=name, status="open"),
            }
        )
    return rows


def rectify_rate(fixed: int, open_: int) -> str:
    """整改率: fixed among the findings that are fixed or still open (无法整改 counts in neither)."""
    return f"{fixed / (fixed + open_) * 100:.1f}%" if fixed + open_ else "—"


def trend(store, *, today: date, unit: str | None, months: int = 12) -> list[dict]:
    """Per month: findings first seen, findings fixed, and findings still open at the month's end.

    Two GROUP BY queries served by covering indexes (by day), summed per month here:
    open at a month's end = first seen by then (not 无法整改) − fixed by then.
    """
    starts = [add_months(month_start(today), -i) for i in range(months - 1, -1, -1)]
    # never open problems: decided 无法整改, judged 不成立, or candidates nobody confirmed
    wontfix = Finding.status.in_([S.WONTFIX.value, S.DISMISSED.value, S.PENDING.value]).label("wontfix")
    by_first = select(Finding.first_seen, wontfix, func.count()).where(Finding.verdict == "finding")
    by_fixed = select(Finding.fixed_on, func.count()).where(
        Finding.verdict == "finding",
        Finding.fixed_on.is_not(None),
        Finding.status.not_in([S.WONTFIX.value, S.DISMISSED.value, S.PENDING.value]),
    )
    if unit is not None:
        by_first, by_fixed = by_first.where(Finding.unit == unit), by_fixed.where(Finding.unit == unit)
    with store.session() as s:
        first_rows = s.execute(by_first.group_by(Finding.first_seen, wontfix)).all()
        fixed_rows = s.execute(by_fixed.group_by(Finding.fixed_on)).all()
    out = []
    for start in starts:
        end = add_months(start, 1)
        out.append(
            {
                "month": f"{start:%Y-%m}",
                "label": f"{start.month}月",
                "new": sum(n for d, _w, n in first_rows if start <= d < end),
                "fixed": sum(n for d, n in fixed_rows if start <= d < end),
                "open": max(
                    0, sum(n for d, w, n in first_rows if d < end and not w) - sum(n for d, n in fixed_rows if d < end)
                ),
            }
        )
    return out


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[dict]
    line: str
    points: list[dict]
    labels: list[dict]
    ticks: list[dict]


def trend_chart(points: list[dict], width: int = 760, height: int = 240) -> Chart:
    """Coordinates of an inline SVG chart: bars for new and fixed, a line for open at month end."""
    left, right, top, bottom = 48, 12, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max([1] + [max(p["new"], p["fixed"], p["open"]) for p in points])
    step = plot_w / max(1, len(points))

    def y(v: int) -> float:
        return round(top + plot_h - plot_h * v / top_value, 1)

    bars, line_pts, dots, labels = [], [], [], []
    bar_w = max(2.0, step * 0.3)
    for i, p in enumerate(points):
        x0 = left + i * step + step * 0.15
        for j, key in enumerate(("new", "fixed")):
            yv = y(p[key])
            bars.append(
                {
                    "x": round(x0 + j * bar_w, 1),
                    "y": yv,
                    "w": round(bar_w, 1),
                    "h": round(top + plot_h - yv, 1),
                    "kind": key,
                    "title": f"{p['month']} {'新发现' if key == 'new' else '已整改'} {p[key]}",
                }
            )
        cx = round(left + i * step + step / 2, 1)
        line_pts.append(f"{cx},{y(p['open'])}")
        dots.append({"x": cx, "y": y(p["open"]), "title": f"{p['month']} 月末未整改 {p['open']}"})
        labels.append({"x": cx, "y": height - 8, "text": p["label"]})
    ticks = [{"y": y(v), "text": str(v)} for v in sorted({0, top_value // 2, top_value})]
    return Chart(width, height, bars, " ".join(line_pts), dots, labels, ticks)


async def overview(request: Request):
    user = require(request)
    app = request.app.state
    today = app.today()
    unit = user.unit if user.role == "unit" else None
    units = [u.name for u in app.config.units]
    rows = unit_rows(store_of(request), today=today, unit=unit, units=units)
    months = trend(store_of(request), today=today, unit=unit)
    totals = {
        k: sum(r[k] for r in rows)
        for k in ("open", "overdue", "fixed_month", "veto", "submitted", "recheck", "fixed_all")
    }
    totals["rate"] = rectify_rate(totals["fixed_all"], totals["open"])
    totals["submitted_link"] = query("/findings", status=S.SUBMITTED.value)
    totals["recheck_link"] = query("/findings", status=S.RECHECK.value)
    return render(
        request,
        "overview.html",
        {
            "page_title": "总览",
            "today": today,
            "rows": rows,
            "totals": totals,
            "months": months,
            "chart": trend_chart(months),
        },
    )
