"""Column ages and update periods, shared by the column rules (W-V3, W-V4, W-V5).

The indicators count stale and empty columns together towards a veto
(应更新但长期未更新, S6), so the rules must agree on what "stale" means.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from monitor.model import ColumnFacts, ColumnKind
from rules.periods import Periods

__all__ = [
    "Periods",
    "ZOMBIE_DAYS",
    "Staleness",
    "counted_by_w_v3",
    "is_empty",
    "period_for",
    "stale",
    "unverified_reason",
]


def period_for(col: ColumnFacts, p: Periods) -> int | None:
    """The update period of a column's type, or None when its type has none (static, interaction…)."""
    if col.kind is ColumnKind.NEWS:
        return p.news_days
    if col.kind in (ColumnKind.NOTICE, ColumnKind.POLICY):
        return p.notice_policy_days
    if col.kind in (ColumnKind.PERSONNEL, ColumnKind.PLANNING):
        return p.personnel_planning_days
    return None


ZOMBIE_DAYS = 365  # 僵尸栏目: not updated for a year or more


def is_empty(col: ColumnFacts) -> bool:
    """A list column that lists nothing; a static page (概况) has no list to be empty.

    The page must show it: a 暂无信息-style marker, or a list container with no entry (rendered in
    Chromium when a script fills it). A column recognised on weak evidence, or whose script-filled list
    was not rendered, is not judged. Facts from before recognition was recorded (``how`` None) keep the
    old reading: no entry at all.
    """
    if col.failure is not None or col.items or col.kind is ColumnKind.STATIC:
        return False
    if col.how is None:
        return True
    return not col.weak and not col.script_unrendered and col.empty_evidence is not None


def unverified_reason(col: ColumnFacts) -> str | None:
    """Why a column cannot be judged (listed as 待核实, never accused), or None when it can be."""
    if col.failure is not None:
        return "列表页未能读取"
    if col.weak:
        return "仅凭导航或面包屑识别，列表证据不足"
    if not col.items:
        if is_empty(col) or col.kind is ColumnKind.STATIC:
            return None
        if col.script_unrendered:
            return "列表由脚本生成，未能在浏览器中渲染"
        return "页面未显示信息条目，也没有“暂无信息”等空栏目标记"
    if not col.dated_items:
        return "栏目信息均无可确认的发布日期（列表未标日期，链接的文章也未读到日期）"
    return None


def counted_by_w_v3(col: ColumnFacts) -> bool:
    """W-V3 covers every news column and the first-level notice/policy columns."""
    return col.kind is ColumnKind.NEWS or (col.kind in (ColumnKind.NOTICE, ColumnKind.POLICY) and col.level == 1)


@dataclass(frozen=True)
class Staleness:
    column: ColumnFacts
    period: int
    newest: date
    age: int

    @property
    def zombie(self) -> bool:
        return self.age >= ZOMBIE_DAYS

    def evidence(self) -> str:
        col = self.column
        text = (
            f"“{col.name}”栏目最新信息发布于 {self.newest:%Y-%m-%d}，已 {self.age} 天未更新"
            f"（{col.kind.value}类栏目应在 {self.period} 天内更新）"
        )
        return text + "，超过一年未更新，属僵尸栏目" if self.zombie else text

    def facts(self) -> dict[str, Any]:
        col, newest = self.column, self.column.newest
        return {
            "column": col.name,
            "column_type": col.kind.value,
            "level": col.level,
            "newest_date": self.newest.isoformat(),
            "newest_title": newest.title if newest else None,
            "newest_url": newest.url if newest else None,
            "newest_date_source": (newest.date_source if newest else "") or None,
            "age_days": self.age,
            "period_days": self.period,
            "zombie": self.zombie,
            "recognised_by": col.how,
        }


def stale(col: ColumnFacts, today: date, p: Periods) -> Staleness | None:
    """The column's staleness when it is past its type's period; None when fresh, not applicable or not
    verifiable (weakly recognised, or no entry with a date that can be known: 待核实, never 不更新).

    The newest dated entry counts wherever it sits in the list: an old 置顶 entry at the top does not make a
    column stale. A column of no update period (其他) is judged only as a 僵尸栏目 (a year), and only when it
    has a run of dated entries (three or more): a one-entry page of 历史沿革 is not a list that stopped.
    """
    if col.failure is not None or not col.items or col.weak:
        return None
    newest = col.newest
    if newest is None or newest.date is None:
        return None
    age = (today - newest.date).days
    period = period_for(col, p)
    if period is None:
        if col.kind is not ColumnKind.OTHER or col.how is None or len(col.dated_items) < 3:
            return None
        period = ZOMBIE_DAYS
        return Staleness(col, period, newest.date, age) if age >= period else None
    return Staleness(col, period, newest.date, age) if age > period else None
