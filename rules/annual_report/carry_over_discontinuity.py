"""A-5 carry-over-discontinuity: 上年结转与上年度报告结转下年度不一致

## What it does
Compares this year's Table 三 二、上年结转 with last year's report 四、结转下年度继续办理, column
by column. Runs only when last year's report is given; otherwise it says nothing.

## Why is this bad?
Requests carried into this year are exactly those last year's report carried out. A difference
means one of the two reports is wrong, or requests went missing between them.

## Example
2020 report 上年结转 自然人3; 2019 report 结转下年度继续办理 自然人2: flagged, difference 1.
Last year's report not for the year before (e.g. 2018 against 2020), or its Table 三 not read:
unverified.

## Thresholds

## Source
third-party checker (spec/inspection-rules.md §5, cross-year relation)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from monitor.model.annual import T3_CARRIED_IN, T3_CARRIED_OUT, T3_COLUMNS, T3_TOTAL, AnnualReportFacts
from rules.annual_report._common import num, val
from rules.base import Outcome, Rule, Scope, Severity


@dataclass(frozen=True)
class Thresholds:
    tolerance: int = 0  # largest difference accepted


RULE = Rule(
    id="A-5",
    name="carry-over-discontinuity",
    title="上年结转与上年度报告结转下年度不一致",
    severity=Severity.DEDUCTION,
    source="third-party checker",
    thresholds=Thresholds,
    scope=Scope.REPORT,
    category="年度报告数据不准确",
)


def check(
    report: AnnualReportFacts, *, today: date, t: Thresholds, previous: AnnualReportFacts | None = None
) -> Iterator[Outcome]:
    if previous is None:
        return
    if report.year and previous.year and previous.year != report.year - 1:
        yield RULE.unverified(
            subject="表三 上年结转",
            url=report.url,
            evidence=f"对照的上年度报告为{previous.year}年度，不是{report.year - 1}年度，未核对",
        )
        return
    if report.t3(T3_CARRIED_IN, T3_TOTAL) is None or previous.t3(T3_CARRIED_OUT, T3_TOTAL) is None:
        yield RULE.unverified(
            subject="表三 上年结转",
            url=report.url,
            evidence="本年度报告的上年结转行或上年度报告的结转下年度行未能读出，未核对",
        )
        return
    prev_year = f"{previous.year}年度" if previous.year else "上年度"
    for col in T3_COLUMNS:
        now, before = report.t3(T3_CARRIED_IN, col), previous.t3(T3_CARRIED_OUT, col)
        diff = val(now) - val(before)
        if abs(diff) > t.tolerance:
            yield RULE.finding(
                subject=f"表三 {col}列 上年结转",
                url=report.url,
                evidence=(
                    f"表三 {col}列：本年度报告上年结转{num(val(now))}（{now.where if now else '未填'}），"
                    f"{prev_year}报告结转下年度继续办理{num(val(before))}"
                    f"（{before.where if before else '未填'}），相差{num(abs(diff))}"
                ),
                facts={
                    "column": col,
                    "carried_in": val(now),
                    "previous_carried_out": val(before),
                    "difference": diff,
                    "previous_url": previous.url,
                },
                source_url=previous.url or None,
            )
