"""W-V5 empty-column: 空白栏目

## What it does
Flags each list column that lists nothing, as the page shows it: a 暂无信息-style
marker, or a list container with no entry (rendered in Chromium when a script
fills it). A list whose entries carry no date is not empty (W-V3 dates them by
their articles). Static pages (机构概况 and the like), weakly recognised columns
and script-filled lists that could not be rendered are never called empty.
Five or more empty columns veto the site; fewer are deductions.

## Why is this bad?
空白栏目 ≥ 5 make the site 不合格 (S4); 开普云 warns from 3 (P1).

## Example
统计数据 shows “暂无信息”: flagged. A list page that failed to load: not judged.

## Thresholds

## Source
S4, P1 (spec/inspection-rules.md)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator

from monitor.model import Severity, SiteFacts
from rules.base import Outcome, Rule
from rules.website._columns import is_empty


@dataclass(frozen=True)
class Thresholds:
    veto_count: int = 5  # empty columns from which the site is vetoed; fewer are deductions


RULE = Rule(
    id="W-V5",
    name="empty-column",
    title="空白栏目",
    severity=Severity.VETO,
    source="S4, P1",
    thresholds=Thresholds,
    category="空白栏目",
)


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    empty = [c for c in site.columns if is_empty(c)]
    severity = Severity.VETO if len(empty) >= t.veto_count else Severity.DEDUCTION
    for col in empty:
        yield RULE.finding(
            subject=col.name,
            url=col.url,
            severity=severity,
            evidence=f"“{col.name}”栏目没有任何信息（空白栏目）",
            facts={
                "column": col.name,
                "column_type": col.kind.value,
                "items": 0,
                "empty_evidence": col.empty_evidence,
                "recognised_by": col.how,
                "list_pages": list(col.list_pages),
                "empty_count": len(empty),
                "veto_count": t.veto_count,
            },
        )
