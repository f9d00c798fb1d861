"""W-V3 stale-column: 栏目不更新（动态要闻类、通知公告与政策文件类一级栏目）

## What it does
Flags each news column (动态、要闻类) whose newest dated entry is older than
14 days, and each first-level notice or policy column (通知公告、政策文件类一级栏目)
whose newest entry is older than 6 months. The newest dated entry counts
wherever it sits (an old 置顶 entry does not make a column stale); entries the
list shows undated take the linked article's date. A column none of whose
entries has a date that can be known, or recognised on weak evidence, is
待核实 (see ``monitor columns``), never accused. A year or more without update
is said to be a 僵尸栏目 in the text and in ``facts["zombie"]``. Five or more
such columns veto the site; fewer are reported as deductions.

## Why is this bad?
Inspectors count these columns; five or more make the site 不合格.

## Example
乡镇动态, newest entry 2026-10-12, checked 2026-11-26: 45 days > 14, flagged.
A column whose list page could not be read: not judged here.

## Thresholds

## Source
S4 (spec/inspection-rules.md)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator

from monitor.model import Severity, SiteFacts
from rules.base import Outcome, Rule
from rules.periods import Periods, shared
from rules.website._columns import counted_by_w_v3, stale


@dataclass(frozen=True)
class Thresholds:
    news_days: int = shared("news_days")
    notice_policy_days: int = shared("notice_policy_days")
    veto_count: int = 5  # stale columns from which the site is vetoed; fewer are deductions


RULE = Rule(
    id="W-V3",
    name="stale-column",
    title="栏目不更新",
    severity=Severity.VETO,
    source="S4",
    thresholds=Thresholds,
    category="栏目不更新",
)


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    periods = Periods(news_days=t.news_days, notice_policy_days=t.notice_policy_days)
    found = [s for s in (stale(c, today, periods) for c in site.columns if counted_by_w_v3(c)) if s]
    severity = Severity.VETO if len(found) >= t.veto_count else Severity.DEDUCTION
    for s in found:
        col = s.column
        yield RULE.finding(
            subject=col.name,
            url=col.url,
            evidence=s.evidence(),
            severity=severity,
            facts={**s.facts(), "stale_count": len(found), "veto_count": t.veto_count},
        )
