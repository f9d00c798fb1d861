"""A-3 column-total-mismatch: 表三总计列与申请人各列之和不符

## What it does
Checks, for every row of Table 三, that the 总计 column equals 自然人 + the five 法人或其他组织
columns (商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他).

## Why is this bad?
A row total that is not the sum of its applicants is an inaccurate report; it usually means a
number was typed in the wrong column or not updated after a correction.

## Example
一、本年新收: 自然人8 + 商业企业0 + 科研机构0 + 社会公益组织0 + 法律服务机构0 + 其他1 = 9,
总计 8: flagged, difference 1.

## Thresholds

## Source
A4 (spec/inspection-rules.md §5, consistency relations)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from monitor.model.annual import T3_COLUMNS, T3_TOTAL, AnnualReportFacts, t3_row_label
from rules.annual_report._common import num, terms, val, where
from rules.base import Outcome, Rule, Scope, Severity


@dataclass(frozen=True)
class Thresholds:
    tolerance: int = 0  # largest difference accepted


RULE = Rule(
    id="A-3",
    name="column-total-mismatch",
    title="表三总计列与申请人各列之和不符",
    severity=Severity.DEDUCTION,
    source="A4",
    thresholds=Thresholds,
    scope=Scope.REPORT,
    category="年度报告数据不准确",
)


def check(
    report: AnnualReportFacts, *, today: date, t: Thresholds, previous: AnnualReportFacts | None = None
) -> Iterator[Outcome]:
    if not report.table3:
        yield RULE.unverified(subject="表三", url=report.url, evidence="未能读出表三，无法核对总计列")
        return
    for row in report.t3_rows():
        total = report.t3(row, T3_TOTAL)
        pairs = [(col, report.t3(row, col)) for col in T3_COLUMNS[:-1]]
        summed = sum(val(c) for _, c in pairs)
        diff = val(total) - summed
        if abs(diff) > t.tolerance:
            label = t3_row_label(row)
            yield RULE.finding(
                subject=f"表三 “{label}”行",
                url=report.url,
                evidence=(
                    f"表三 “{label}”行：总计{num(val(total))}，{terms(pairs)} = {num(summed)}，"
                    f"相差{num(abs(diff))}{where([total])}"
                ),
                facts={"row": row, "total": val(total), "sum": summed, "difference": diff},
            )
