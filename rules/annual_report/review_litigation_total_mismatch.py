"""A-4 review-litigation-total-mismatch: 表四总计与分项之和不符

## What it does
Checks Table 四 (行政复议、行政诉讼情况): in each of its three groups — 行政复议, 行政诉讼
未经复议直接起诉, 行政诉讼复议后起诉 — 结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 总计.

## Why is this bad?
A group total that is not the sum of its results is an inaccurate report.

## Example
行政复议: 结果维持1 + 结果纠正0 + 其他结果0 + 尚未审结0 = 1, 总计 2: flagged, difference 1.
Table 四 not read: unverified.

## Thresholds

## Source
A4 (spec/inspection-rules.md §5, consistency relations)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from monitor.model.annual import T4_GROUPS, T4_PARTS, T4_TOTAL, AnnualReportFacts
from rules.annual_report._common import num, terms, val, where
from rules.base import Outcome, Rule, Scope, Severity


@dataclass(frozen=True)
class Thresholds:
    tolerance: int = 0  # largest difference accepted


RULE = Rule(
    id="A-4",
    name="review-litigation-total-mismatch",
    title="表四总计与分项之和不符",
    severity=Severity.DEDUCTION,
    source="A4",
    thresholds=Thresholds,
    scope=Scope.REPORT,
    category="年度报告数据不准确",
)


def check(
    report: AnnualReportFacts, *, today: date, t: Thresholds, previous: AnnualReportFacts | None = None
) -> Iterator[Outcome]:
    if not report.table4:
        yield RULE.unverified(subject="表四", url=report.url, evidence="未能读出表四，无法核对行政复议、行政诉讼总计")
        return
    for group in T4_GROUPS:
        total = report.t4(group, T4_TOTAL)
        pairs = [(col, report.t4(group, col)) for col in T4_PARTS]
        summed = sum(val(c) for _, c in pairs)
        diff = val(total) - summed
        if abs(diff) > t.tolerance:
            yield RULE.finding(
                subject=f"表四 {group}",
                url=report.url,
                evidence=(
                    f"表四 {group}：总计{num(val(total))}，{terms(pairs)} = {num(summed)}，"
                    f"相差{num(abs(diff))}{where([total])}"
                ),
                facts={"group": group, "total": val(total), "sum": summed, "difference": diff},
            )
