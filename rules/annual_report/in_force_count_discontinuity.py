"""A-9 in-force-count-discontinuity: 现行有效件数与上年不衔接（提示）

## What it does
Heuristic, 2021 format only, with last year's report given: for 规章 and 行政规范性文件 in
表二 第二十条第（一）项, expects 现行有效件数(this year) = 现行有效件数(last year) + 本年制发件数
− 本年废止件数, and flags a difference above the tolerance.

## Why is this bad?
The in-force count is a running stock; a jump that the year's new and repealed documents do
not explain usually means a column was filled with the wrong quantity. Documents that expire
without being repealed (有效期届满) also lower the count, so this is a prompt (提示) for a human,
not a deduction.

## Example
2022: 现行有效 20 (2021) + 制发 3 − 废止 1 = 22 expected, 现行有效 30 reported: flagged, difference 8.
Last year's report in the 2019 format (no 现行有效件数), or no previous report: nothing.

## Thresholds

## Source
[D] derived (spec/inspection-rules.md §5, heuristic)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from monitor.model.annual import (
    FORMAT_2021,
    T2_IN_FORCE,
    T2_MADE,
    T2_REPEALED,
    T2_RULES_SECTION,
    AnnualReportFacts,
    Cell,
)
from rules.annual_report._common import num, val
from rules.base import Outcome, Rule, Scope, Severity


@dataclass(frozen=True)
class Thresholds:
    tolerance: int = 0  # largest difference accepted


RULE = Rule(
    id="A-9",
    name="in-force-count-discontinuity",
    title="现行有效件数与上年不衔接",
    severity=Severity.NOTICE,
    source="[D]",
    thresholds=Thresholds,
    scope=Scope.REPORT,
    category="年度报告数据不准确",
)

_ROWS = (("规章", lambda r: r == "规章"), ("行政规范性文件", lambda r: r.endswith("规范性文件")))


def _cell(report: AnnualReportFacts, match: Callable[[str], bool], column: str) -> Cell | None:
    for c in report.table2:
        if c.section == T2_RULES_SECTION and match(c.row) and c.column == column:
            return c
    return None


def check(
    report: AnnualReportFacts, *, today: date, t: Thresholds, previous: AnnualReportFacts | None = None
) -> Iterator[Outcome]:
    if previous is None or report.format_version != FORMAT_2021 or previous.format_version != FORMAT_2021:
        return
    if report.year and previous.year and previous.year != report.year - 1:
        return
    for name, match in _ROWS:
        before = _cell(previous, match, T2_IN_FORCE)
        made, repealed, now = (_cell(report, match, col) for col in (T2_MADE, T2_REPEALED, T2_IN_FORCE))
        if before is None or now is None or before.value is None or now.value is None:
            continue
        expected = val(before) + val(made) - val(repealed)
        diff = val(now) - expected
        if abs(diff) > t.tolerance:
            yield RULE.finding(
                subject=f"表二 {name} 现行有效件数",
                url=report.url,
                evidence=(
                    f"表二 第二十条第（一）项 {name}：上年度现行有效{num(val(before))} + 本年制发{num(val(made))}"
                    f" − 本年废止{num(val(repealed))} = {num(expected)}，本年度填报现行有效{num(val(now))}"
                    f"（{now.where}），相差{num(abs(diff))}，请核实（可能含有效期届满失效的文件）"
                ),
                facts={"row": name, "expected": expected, "reported": val(now), "difference": diff},
                source_url=previous.url or None,
            )
