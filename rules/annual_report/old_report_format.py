"""A-7 old-report-format: 年度报告未使用2021年新格式

## What it does
Flags a report for the year 2021 or later whose tables use the 2019 trial format
(国办公开办函〔2019〕60号): 表二 “本年新制作数量 / 本年新公开数量 / 对外公开总数量”,
“上一年项目数量 / 本年增/减”, “政府集中采购” instead of the 2021 columns “本年制发件数 /
本年废止件数 / 现行有效件数”, “本年处理决定数量”, “本年收费金额”.

## Why is this bad?
国办公开办函〔2021〕30号 (2021-09-26) made the new format mandatory from the 2021 reports on;
an old-format report is incomplete against 条例第五十条 and is named in inspections.

## Example
2021年度报告, 表二 header “本年新制作数量”: flagged.
2020年度报告 in the 2019 format: not flagged. Format not recognisable: unverified.

## Thresholds

## Source
A1, A3 (spec/inspection-rules.md §5)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from monitor.model.annual import FORMAT_2019, FORMAT_UNKNOWN, AnnualReportFacts
from rules.base import Outcome, Rule, Scope, Severity


@dataclass(frozen=True)
class Thresholds:
    first_year: int = 2021  # first report year that must use the 2021 format


RULE = Rule(
    id="A-7",
    name="old-report-format",
    title="年度报告未使用2021年新格式",
    severity=Severity.DEDUCTION,
    source="A1, A3",
    thresholds=Thresholds,
    scope=Scope.REPORT,
    category="年度报告格式不规范",
)


def check(
    report: AnnualReportFacts, *, today: date, t: Thresholds, previous: AnnualReportFacts | None = None
) -> Iterator[Outcome]:
    if report.year is None:
        yield RULE.unverified(subject="报告格式", url=report.url, evidence="未能识别报告年度，无法判断应使用的格式")
        return
    if report.year < t.first_year:
        return
    if report.format_version == FORMAT_UNKNOWN:
        yield RULE.unverified(
            subject="报告格式",
            url=report.url,
            evidence=f"{report.year}年度报告：表格表头未能识别，无法判断是否使用2021年新格式",
        )
    elif report.format_version == FORMAT_2019:
        markers = "、".join(f"“{m}”" for m in report.format_markers)
        yield RULE.finding(
            subject="报告格式",
            url=report.url,
            evidence=(
                f"{report.year}年度报告仍使用2019年试行格式：表格中出现{markers}，"
                f"应按国办公开办函〔2021〕30号格式填报（本年制发件数、本年废止件数、现行有效件数等）"
            ),
            facts={"year": report.year, "markers": list(report.format_markers)},
        )
