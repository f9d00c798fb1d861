"""Column ages and update periods, shared by the column rules (W-V3, W-V4, W-V5).

The indicators count stale and empty columns together towards a veto
(应更新但长期未更新, S6), so the rules must agree on what "stale" means.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from monitor.model import ColumnFacts, ColumnKind


@dataclass(frozen=True)
class Periods:
    news_days: int = 14  # 动态、要闻类: 2 weeks (S4)
    notice_policy_days: int = 183  # 通知公告、政策文件类: 6 months (S4)
    personnel_planning_days: int = 365  # 人事、规划计划类: 1 year, not confirmed by a source [U] (S6)


def period_for(col: ColumnFacts, p: Periods) -> int | None:
    """The update period of a column's type, or None when its type has none (static, interaction…)."""
    if col.kind is ColumnKind.NEWS:
        return p.news_days
    if col.kind in (ColumnKind.NOTICE, ColumnKind.POLICY):
        return p.notice_policy_days
    if col.kind in (ColumnKind.PERSONNEL, ColumnKind.PLANNING):
        return p.personnel_planning_days
    return None


def is_empty(col: ColumnFacts) -> bool:
    """A list column that lists nothing; a static page (概况) has no list to be empty."""
    return col.failure is None and not col.items and col.kind is not ColumnKind.STATIC


def counted_by_w_v3(col: ColumnFacts) -> bool:
    """W-V3 covers every news column and the first-level notice/policy columns."""
    return col.kind is ColumnKind.NEWS or (col.kind in (ColumnKind.NOTICE, ColumnKind.POLICY) and col.level == 1)


@dataclass(frozen=True)
class Staleness:
    column: ColumnFacts
    period: int
    newest: date | None  # None: items without readable dates (they count as not updated, S5)
    age: int | None


def stale(col: ColumnFacts, today: date, p: Periods) -> Staleness | None:
    """The column's staleness when it is past its type's period; None when fresh or not applicable."""
    if col.failure is not None or not col.items:
        return None
    period = period_for(col, p)
    if period is None:
        return None
    newest = col.newest
    if newest is None:
        return Staleness(col, period, None, None)
    age = (today - newest.date).days
    return Staleness(col, period, newest.date, age) if age > period else None
