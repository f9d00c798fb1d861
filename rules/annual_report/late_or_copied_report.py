"""A-8 late-or-copied-report: 年度报告逾期发布或与上年雷同

## What it does
Two checks on how the report was published:
1. late: the publication date (the page date, given by the caller) is after the deadline of the
   year after the report year — 01-31 for a department (县级以上人民政府部门, 条例第四十九条),
   03-31 for a people's government (条例第五十条). An issuer that cannot be told apart gets the
   government deadline (the later one), so that a doubt never becomes a finding;
2. copied: with last year's report given, the running text (tables and digits left out) is
   near-identical to last year's (character 5-gram Jaccard similarity at or above the limit).
No publication date: the lateness check is unverified. No previous report: no copy check.

## Why is this bad?
国办公开办函〔2021〕30号: “不按时发布、…内容雷同、敷衍塞责” causing bad consequences are
grounds for accountability (条例第四十七条); copied reports are a known failing (东莞 2008–2010).

## Example
某局2021年度报告, published 2022-02-05, deadline 2022-01-31: flagged, 5 days late.
2021 report whose text is 96% the 2020 text: flagged.

## Thresholds

## Source
A1, A5, S49 (spec/inspection-rules.md §5)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from monitor.model.annual import AnnualReportFacts
from rules.base import Outcome, Rule, Scope, Severity


@dataclass(frozen=True)
class Thresholds:
    # MM-DD in the year after the report year; statutory date is recollection [U], local rules may be earlier (怀化 01-28)
    department_deadline: str = "01-31"
    government_deadline: str = "03-31"  # MM-DD in the year after the report year, for a government's own report [U]
    max_similarity: float = 0.9  # similarity to last year's report at or above which it counts as copied [U]
    shingle: int = 5  # characters per shingle of the similarity


RULE = Rule(
    id="A-8",
    name="late-or-copied-report",
    title="年度报告逾期发布或与上年雷同",
    severity=Severity.DEDUCTION,
    source="A1, A5, S49",
    thresholds=Thresholds,
    scope=Scope.REPORT,
    category="年度报告发布不规范",
)


def deadline(report: AnnualReportFacts, t: Thresholds) -> tuple[date, str]:
    """Deadline and the issuer kind it was chosen for (in Chinese)."""
    if report.issuer_kind == "department":
        month_day, who = t.department_deadline, "政府部门"
    elif report.issuer_kind == "government":
        month_day, who = t.government_deadline, "人民政府"
    else:
        month_day, who = t.government_deadline, "发布机关类型未能识别，按人民政府"
    month, day = (int(x) for x in month_day.split("-"))
    return date((report.year or 0) + 1, month, day), who  # called for a report of a known year


def similarity(a: str, b: str, k: int) -> float:
    def shingles(text: str) -> set[str]:
        text = re.sub(r"[\d\s\W_]+", "", text)
        return {text[i : i + k] for i in range(max(len(text) - k + 1, 0))}

    sa, sb = shingles(a), shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def check(
    report: AnnualReportFacts, *, today: date, t: Thresholds, previous: AnnualReportFacts | None = None
) -> Iterator[Outcome]:
    if report.year is None:
        yield RULE.unverified(subject="发布时间", url=report.url, evidence="未能识别报告年度，无法判断是否逾期")
    elif report.published is None:
        yield RULE.unverified(subject="发布时间", url=report.url, evidence="未取得发布日期，无法判断是否逾期发布")
    else:
        due, who = deadline(report, t)
        if report.published > due:
            late = (report.published - due).days
            yield RULE.finding(
                subject="发布时间",
                url=report.url,
                evidence=(
                    f"{report.year}年度报告发布日期{report.published.isoformat()}，"
                    f"晚于截止日期{due.isoformat()}（{who}），逾期{late}天"
                ),
                facts={"published": report.published.isoformat(), "deadline": due.isoformat(), "days_late": late},
            )
    if previous is not None and previous.narrative_text and report.narrative_text:
        ratio = similarity(report.narrative_text, previous.narrative_text, t.shingle)
        if ratio >= t.max_similarity:
            prev_year = f"{previous.year}年度" if previous.year else "上年度"
            yield RULE.finding(
                subject="报告正文",
                url=report.url,
                evidence=(
                    f"报告正文（不含表格和数字）与{prev_year}报告相似度{ratio:.0%}，达到雷同界限{t.max_similarity:.0%}"
                ),
                facts={"similarity": round(ratio, 3), "previous_url": previous.url},
                source_url=previous.url or None,
            )
