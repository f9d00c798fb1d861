"""A-6 narrative-number-mismatch: 正文数字与合计或表格不符

## What it does
Reads the numbers stated in the running text and checks two things:
1. a stated total with its parts (“全年主动公开政府信息8331条，其中，通过政府网站发布4611条、
   政务新媒体发布3720条”): the parts must add up to the total — always when they exceed it,
   and when two or more parts fall short of it (``parts_must_cover_total``);
2. a number that names a table quantity equals the table: “收到…申请 8 件” = 表三 一、本年新收
   总计; “上年度结转的 3 项” = 二、上年结转 总计; “结转下年度 N 件” = 四、结转下年度 总计;
   “行政复议 N 件” / “无…行政复议” = 表四 行政复议 总计; “行政诉讼 N 件” = the two 行政诉讼 totals.

## Why is this bad?
Text and tables that disagree are an inaccurate report (发布内容不准确); readers quote the text.

## Example
“收到新增公开政府信息的申请 9 件” while 表三 本年新收 总计 is 8: flagged.
“主动公开8331条，其中网站4611条、新媒体3720条”: 4611 + 3720 = 8331, not flagged.
Only “其中” introduces parts; “包括…” lists are often partial and are not checked.

## Thresholds

## Source
A4 (spec/inspection-rules.md §5, “narrative numbers must match tables”)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from monitor.model.annual import (
    T3_CARRIED_IN,
    T3_CARRIED_OUT,
    T3_NEW,
    T3_TOTAL,
    T4_REVIEW,
    T4_SUIT_AFTER,
    T4_SUIT_DIRECT,
    T4_TOTAL,
    AnnualReportFacts,
    Cell,
    t3_row_label,
)
from rules.annual_report._common import num, val, where
from rules.base import Outcome, Rule, Scope, Severity


@dataclass(frozen=True)
class Thresholds:
    tolerance: int = 0  # largest difference accepted
    parts_must_cover_total: bool = True  # two or more parts after 其中 must add up to the total, not just stay below it


RULE = Rule(
    id="A-6",
    name="narrative-number-mismatch",
    title="正文数字与合计或表格不符",
    severity=Severity.DEDUCTION,
    source="A4",
    thresholds=Thresholds,
    scope=Scope.REPORT,
    category="年度报告数据不准确",
)

LAWSUIT = "行政诉讼"  # claim quantity for both 行政诉讼 groups (spiders.annual_narrative.LAWSUIT)


def _short(sentence: str, limit: int = 60) -> str:
    return sentence if len(sentence) <= limit else sentence[:limit] + "…"


def _table_cells(report: AnnualReportFacts, quantity: str) -> tuple[str, list[Cell | None]]:
    if quantity in (T3_NEW, T3_CARRIED_IN, T3_CARRIED_OUT):
        return f"表三 “{t3_row_label(quantity)}”行总计", [report.t3(quantity, T3_TOTAL)]
    if quantity == T4_REVIEW:
        return "表四 行政复议总计", [report.t4(T4_REVIEW, T4_TOTAL)]
    if quantity == LAWSUIT:
        return "表四 行政诉讼两项总计之和", [report.t4(T4_SUIT_DIRECT, T4_TOTAL), report.t4(T4_SUIT_AFTER, T4_TOTAL)]
    return quantity, []


def check(
    report: AnnualReportFacts, *, today: date, t: Thresholds, previous: AnnualReportFacts | None = None
) -> Iterator[Outcome]:
    for s in report.sums:
        summed = sum(p.value for p in s.parts)
        diff = s.total.value - summed
        over = summed - s.total.value > t.tolerance
        short = diff > t.tolerance and len(s.parts) >= 2 and t.parts_must_cover_total
        if over or short:
            listed = " + ".join(f"{p.label}{num(p.value)}{p.unit}" for p in s.parts)
            yield RULE.finding(
                subject=f"正文{s.where}",
                url=report.url,
                evidence=(
                    f"正文{s.where}：“{_short(s.sentence)}”中合计{num(s.total.value)}{s.total.unit}，"
                    f"其中各项之和{listed} = {num(summed)}{s.total.unit}，相差{num(abs(diff))}"
                ),
                facts={"total": s.total.value, "sum": summed, "where": s.where},
            )
    for c in report.claims:
        name, cells = _table_cells(report, c.quantity)
        if not cells or any(cell is None for cell in cells):
            yield RULE.unverified(
                subject=f"正文{c.where}",
                url=report.url,
                evidence=f"正文{c.where}写明{c.quantity}{c.value}件，但未能读出{name}，未核对",
            )
            continue
        table_value = sum(val(cell) for cell in cells)
        if abs(c.value - table_value) > t.tolerance:
            yield RULE.finding(
                subject=f"正文{c.where}",
                url=report.url,
                evidence=(
                    f"正文{c.where}：“{_short(c.sentence)}”写明{c.quantity}{c.value}件，"
                    f"{name}为{num(table_value)}{where(cells)}，相差{num(abs(c.value - table_value))}"
                ),
                facts={"quantity": c.quantity, "text_value": c.value, "table_value": table_value, "where": c.where},
            )
