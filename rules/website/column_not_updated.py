"""W-V4 column-not-updated: 应更新但长期未更新栏目

## What it does
Flags each column that should be updated within its type's period but was
not, beyond the columns W-V3 already names: 人事、规划计划类 columns (1 year by
default), notice/policy columns below the first level (6 months), and 僵尸栏目 of
other types (a list of dated entries not updated for a year or more). Undated or
weakly recognised columns are 待核实, never accused (see W-V3). The
veto count follows the indicator: stale columns of every type plus empty
columns, ten or more, veto the site.

## Why is this bad?
应更新但长期未更新 columns ≥ 10 make the site 不合格; a column already reported
under W-V3 is not reported again here (no double deduction, S10).

## Example
人事信息, newest entry 2025-09-01, checked 2026-11-26: 451 days > 365, flagged.

## Thresholds

## Source
S4, S6 (spec/inspection-rules.md)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator

from monitor.model import Severity, SiteFacts
from rules.base import Outcome, Rule
from rules.periods import Periods, shared
from rules.website._columns import counted_by_w_v3, is_empty, stale


@dataclass(frozen=True)
class Thresholds:
    news_days: int = shared("news_days")
    notice_policy_days: int = shared("notice_policy_days")
    personnel_planning_days: int = shared("personnel_planning_days")
    veto_count: int = 10  # stale and empty columns together from which the site is vetoed


RULE = Rule(
    id="W-V4",
    name="column-not-updated",
    title="栏目长期未更新",
    severity=Severity.VETO,
    source="S4, S6",
    thresholds=Thresholds,
    category="栏目不更新",
)


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    periods = Periods(t.news_days, t.notice_policy_days, t.personnel_planning_days)
    all_stale = [s for s in (stale(c, today, periods) for c in site.columns) if s]
    empty = [c for c in site.columns if is_empty(c)]
    total = len(all_stale) + len(empty)
    severity = Severity.VETO if total >= t.veto_count else Severity.DEDUCTION
    for s in all_stale:
        col = s.column
        if counted_by_w_v3(col):
            continue
        yield RULE.finding(
            subject=col.name,
            url=col.url,
            evidence=s.evidence(),
            severity=severity,
            facts={**s.facts(), "should_update_count": total, "veto_count": t.veto_count},
        )
