"""W-S2 scored-column-not-updated: 重点栏目更新不及时（扣分）

## What it does
Flags the columns the scored indicators name with their own update period:
- 政策文件类一级栏目 with no new entry for 6 months (−5, 发布解读);
- 办事统计 columns with no new entry for 3 months (−2, 办事服务);
- 留言答复 columns with no new entry for 2 months (−3, 互动交流).

How the columns are recognised (ColumnFacts carries a name and a kind):
- 办事统计: the column name holds one of service_stats_words (办事统计, 办件统计,
  办件公示, 办理情况统计…), whatever its kind;
- 留言答复: a column of kind 互动交流 (or 其他) whose name holds one of
  reply_words (信箱, 留言, 咨询, 答复, 回复, 来信…) and none of the special
  channels (信访, 举报, 访谈, 征集, 调查).

No double counting (因空白、应更新未更新…不在本指标项下重复扣分, S10): empty
columns are W-V5's, and a first-level policy column is W-V3's as soon as it is
past W-V3's own period (6 months by default, the same as here); that W-V3
finding carries the −5 in scoring. This rule names a policy column only when a
site set W-V3's period longer than this one. Columns whose list page failed
are not judged; a column none of whose entries has a date that can be known is 待核实, not judged.

## Why is this bad?
A 2019 ministry self-check deducts these exact points (S9); Nanjing flags a
局长信箱 not updated within 2 months (S12).

## Example
县长信箱 newest message 2026-08-01, checked 2026-11-26: 117 days > 61, flagged (−3).
办事统计 newest entry 2026-10-01: 56 days ≤ 92, not flagged.

## Thresholds

## Source
S9, S12, S10 (spec/inspection-rules.md W-S2)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator

from monitor.model import ColumnFacts, ColumnKind, Severity, SiteFacts
from rules.base import Outcome, Rule
from rules.periods import shared
from rules.website._columns import is_empty
from rules.website._site import NOT_CONSULT_WORDS


@dataclass(frozen=True)
class Thresholds:
    policy_days: int = 183  # 政策文件类一级栏目 (−5, 发布解读): 6 months (S9)
    service_stats_days: int = 92  # 办事统计 columns (−2, 办事服务): 3 months (S9)
    replies_days: int = 61  # 留言答复 columns (−3, 互动交流): 2 months (S12)
    # W-V3's period for first-level policy columns: a policy column past it is W-V3's, not reported here (S10)
    notice_policy_days: int = shared("notice_policy_days")
    # a column whose name holds one of these is a 办事统计 column, whatever its kind
    service_stats_words: tuple[str, ...] = (
        "办事统计",
        "办件统计",
        "办件公示",
        "办理情况统计",
        "办件情况",
        "办件量统计",
    )
    reply_words: tuple[str, ...] = ("信箱", "留言", "咨询", "答复", "回复", "来信", "问政", "诉求")  # 留言答复 names
    reply_exclude_words: tuple[str, ...] = NOT_CONSULT_WORDS  # special channels (信访, 举报 …): not 留言答复


RULE = Rule(
    id="W-S2",
    name="scored-column-not-updated",
    title="重点栏目更新不及时",
    severity=Severity.DEDUCTION,
    source="S9, S12, S10",
    thresholds=Thresholds,
    category="栏目更新不及时",
)

PARTS = {
    "policy": ("政策文件", "发布解读"),
    "service_stats": ("办事统计", "办事服务"),
    "replies": ("留言答复", "互动交流"),
}


def part_of(col: ColumnFacts, t: Thresholds) -> str | None:
    if any(w in col.name for w in t.service_stats_words):
        return "service_stats"
    if (
        col.kind in (ColumnKind.INTERACTION, ColumnKind.OTHER)
        and any(w in col.name for w in t.reply_words)
        and not any(w in col.name for w in t.reply_exclude_words)
    ):
        return "replies"
    if col.kind is ColumnKind.POLICY and col.level == 1:
        return "policy"
    return None


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    periods = {"policy": t.policy_days, "service_stats": t.service_stats_days, "replies": t.replies_days}
    for col in site.columns:
        part = part_of(col, t)
        if part is None or col.failure is not None or is_empty(col) or not col.items or col.weak:
            continue
        period = periods[part]
        newest = col.newest
        if newest is None or newest.date is None:
            continue  # no entry with a date that can be known: 待核实, not 未更新
        age = (today - newest.date).days
        if age <= period:
            continue
        if part == "policy" and (age is None or age > t.notice_policy_days):
            continue  # W-V3 names it (and scoring deducts the −5 there)
        label, indicator = PARTS[part]
        evidence = (
            f"“{col.name}”栏目最新信息发布于 {newest.date:%Y-%m-%d}，已 {age} 天未更新"
            f"（{label}类栏目应在 {period} 天内更新）"
        )
        yield RULE.finding(
            subject=col.name,
            url=col.url,
            evidence=evidence,
            facts={
                "column": col.name,
                "column_type": col.kind.value,
                "level": col.level,
                "part": part,
                "part_label": label,
                "indicator": indicator,
                "newest_date": newest.date.isoformat(),
                "newest_title": newest.title if newest else None,
                "newest_url": newest.url if newest else None,
                "age_days": age,
                "period_days": period,
            },
        )
