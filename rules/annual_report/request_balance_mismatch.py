"""A-1 request-balance-mismatch: 表三收支不平衡

## What it does
Checks, for every column of Table 三 (自然人, the five 法人或其他组织 columns and 总计), the
balance printed in the table header: 一、本年新收 + 二、上年结转 = 三、（七）总计 + 四、结转下年度继续办理.

## Why is this bad?
The format prints this relation (“本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和”);
a column that does not balance is an inaccurate report (发布内容不准确), which the 2021 format
notice names as a ground for accountability.

## Example
自然人列: 新收8 + 上年结转3 = 11, (七)总计10 + 结转下年度0 = 10: flagged, difference 1.
Use instead: 新收8 + 上年结转3 = 11 = 总计11 + 结转0.
Table 三 not read, or a row missing: unverified, not a finding.

## Thresholds

## Source
A3 (spec/inspection-rules.md §5, Table 三 header)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from monitor.model.annual import (
    T3_CARRIED_IN,
    T3_CARRIED_OUT,
    T3_COLUMNS,
    T3_NEW,
    T3_RESULT_TOTAL,
    AnnualReportFacts,
    t3_row_label,
)
from rules.annual_report._common import num, val, where
from rules.base import Outcome, Rule, Scope, Severity


@dataclass(frozen=True)
class Thresholds:
    tolerance: int = 0  # largest difference accepted


RULE = Rule(
    id="A-1",
    name="request-balance-mismatch",
    title="表三收支不平衡",
    severity=Severity.DEDUCTION,
    source="A3",
    thresholds=Thresholds,
    scope=Scope.REPORT,
    category="年度报告数据不准确",
)

_ROWS = (T3_NEW, T3_CARRIED_IN, T3_RESULT_TOTAL, T3_CARRIED_OUT)


def check(
    report: AnnualReportFacts, *, today: date, t: Thresholds, previous: AnnualReportFacts | None = None
) -> Iterator[Outcome]:
    missing = [r for r in _ROWS if report.t3(r, T3_COLUMNS[-1]) is None]
    if missing:
        yield RULE.unverified(
            subject="表三",
            url=report.url,
            evidence="表三未能读出" + "、".join(t3_row_label(r) for r in missing) + "行，无法核对收支平衡",
        )
        return
    for col in T3_COLUMNS:
        new, carried_in, total, carried_out = (report.t3(r, col) for r in _ROWS)
        left = val(new) + val(carried_in)
        right = val(total) + val(carried_out)
        diff = left - right
        if abs(diff) > t.tolerance:
            yield RULE.finding(
                subject=f"表三 {col}列",
                url=report.url,
                evidence=(
                    f"表三 {col}列：本年新收{num(val(new))} + 上年结转{num(val(carried_in))} = {num(left)}，"
                    f"办理结果总计{num(val(total))} + 结转下年度{num(val(carried_out))} = {num(right)}，"
                    f"相差{num(abs(diff))}{where((new, carried_in, total, carried_out))}"
                ),
                facts={
                    "column": col,
                    "left": left,
                    "right": right,
                    "difference": diff,
                    "cells": [c.where for c in (new, carried_in, total, carried_out) if c],
                },
            )
