"""A-2 result-total-mismatch: 表三办理结果总计与分项之和不符

## What it does
Checks, for every column of Table 三, that 三、本年度办理结果 （七）总计 equals the sum of the
result rows: （一）予以公开 + （二）部分公开 + （三）不予公开 1–8 + （四）无法提供 1–3 +
（五）不予处理 1–5 + （六）其他处理 (one row in the 2019 trial format, items 1–3 in 2021).

## Why is this bad?
A total that is not the sum of its rows is an inaccurate report; third-party checkers and
inspectors recompute it.

## Example
自然人列: 予以公开9 + 无法提供第1项2 = 11, （七）总计 12: flagged, difference 1.
A result row missing from what was read, with a difference: unverified (the parser may have
lost the row), not a finding.

## Thresholds

## Source
A4 (spec/inspection-rules.md §5, consistency relations)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from monitor.model.annual import (
    T3_COLUMNS,
    T3_RESULT_GROUPS,
    T3_RESULT_TOTAL,
    AnnualReportFacts,
    t3_result_keys,
    t3_row_label,
)
from rules.annual_report._common import num, val, where
from rules.base import Outcome, Rule, Scope, Severity


@dataclass(frozen=True)
class Thresholds:
    tolerance: int = 0  # largest difference accepted


RULE = Rule(
    id="A-2",
    name="result-total-mismatch",
    title="表三办理结果总计与分项之和不符",
    severity=Severity.DEDUCTION,
    source="A4",
    thresholds=Thresholds,
    scope=Scope.REPORT,
    category="年度报告数据不准确",
)


def _leaf_rows(report: AnnualReportFacts) -> list[str]:
    rows = [r for r in report.t3_rows() if r.split(".")[0] in T3_RESULT_GROUPS]
    groups_with_items = {r.split(".")[0] for r in rows if "." in r}
    return [r for r in rows if "." in r or r not in groups_with_items]


def check(
    report: AnnualReportFacts, *, today: date, t: Thresholds, previous: AnnualReportFacts | None = None
) -> Iterator[Outcome]:
    if report.t3(T3_RESULT_TOTAL, T3_COLUMNS[-1]) is None:
        yield RULE.unverified(
            subject="表三", url=report.url, evidence="表三未能读出（七）总计行，无法核对办理结果分项之和"
        )
        return
    leaves = _leaf_rows(report)
    expected = set(t3_result_keys(report.format_version))
    missing = [
        k
        for k in expected
        if k not in leaves
        and not (k == "其他处理" and any(r.startswith("其他处理.") for r in leaves))
        and not (k.startswith("其他处理.") and "其他处理" in leaves)
    ]
    for col in T3_COLUMNS:
        total = report.t3(T3_RESULT_TOTAL, col)
        parts = [report.t3(r, col) for r in leaves]
        summed = sum(val(c) for c in parts)
        diff = val(total) - summed
        if abs(diff) <= t.tolerance:
            continue
        nonzero = [(r, c) for r, c in zip(leaves, parts) if val(c)]
        listed = " + ".join(f"{t3_row_label(r)}{num(val(c))}" for r, c in nonzero) or "0"
        evidence = (
            f"表三 {col}列：（七）总计{num(val(total))}，（一）至（六）各项之和{num(summed)}"
            f"（{listed}），相差{num(abs(diff))}{where([total, *(c for _, c in nonzero)])}"
        )
        facts = {"column": col, "total": val(total), "sum": summed, "difference": diff}
        if missing:
            yield RULE.unverified(
                subject=f"表三 {col}列",
                url=report.url,
                evidence=evidence
                + "；但未读出"
                + "、".join(t3_row_label(k) for k in sorted(missing))
                + "行，可能是解析遗漏",
                facts=facts,
            )
        else:
            yield RULE.finding(subject=f"表三 {col}列", url=report.url, evidence=evidence, facts=facts)
