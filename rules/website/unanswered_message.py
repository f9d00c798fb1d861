"""W-V7 unanswered-message: 留言超期未答复

## What it does
Reads the message rows of the site's mailbox list pages (SiteFacts.messages,
extracted by spiders/mailbox.py: 留言时间, 回复时间 and the row's status word)
and flags each valid message asked within the 12 months before the monitoring
point that
- has no reply date and no “answered” status (已回复, 已答复, 已办结…) and has
  waited more than 3 months, or
- was answered more than 3 months after it was asked (count_late_answers).
Only 政务咨询类 columns count: a message listed in a 网上信访, 纪检举报, 在线访谈
or 调查征集 column is skipped. A row marked answered without a date is taken
as answered. Each message is one finding with its title, both dates, the
status and the list page it was read from.

## Why is this bad?
Within the year before the monitoring point, a valid message in a 政务咨询类
column left unanswered for more than 3 months vetoes the site (互动回应差, S4 V5).

## Example
县长信箱, “关于农村公路养护的咨询” 留言 2026-08-15, 状态 未回复, checked 2026-11-26:
103 days > 92, flagged (veto). 留言 2026-10-01 未回复: 56 days, not yet.
留言 2025-09-01 (more than a year ago): outside the window.

## Thresholds

## Source
S4 (spec/inspection-rules.md W-V7)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator

from monitor.model import Severity, SiteFacts
from rules.base import Outcome, Rule
from rules.website._site import NOT_CONSULT_WORDS

DONE_WORDS = ("已回复", "已答复", "已办结", "已处理", "办结", "已反馈")


@dataclass(frozen=True)
class Thresholds:
    max_wait_days: int = 92  # days a message may wait for its answer (3 months)
    window_days: int = 365  # messages asked in the last so many days are judged
    count_late_answers: bool = True  # an answer after max_wait_days counts too
    exclude_words: tuple[str, ...] = NOT_CONSULT_WORDS  # special channels (信访, 举报 …): not 政务咨询


RULE = Rule(
    id="W-V7",
    name="unanswered-message",
    title="留言超期未答复",
    severity=Severity.VETO,
    source="S4",
    thresholds=Thresholds,
    category="互动回应差",
)


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    names = {c.url: c.name for c in site.columns}
    for m in site.messages:
        column = m.column_name or names.get(m.column_url, "")
        if any(w in column for w in t.exclude_words) or m.asked is None or m.asked > today:
            continue
        if (today - m.asked).days > t.window_days:
            continue
        if m.answered is None:
            if m.status in DONE_WORDS:
                continue
            waited = (today - m.asked).days
            if waited <= t.max_wait_days:
                continue
            state = f"至今未答复（状态：{m.status}）" if m.status else "至今没有答复时间"
        else:
            waited = (m.answered - m.asked).days
            if not t.count_late_answers or waited <= t.max_wait_days:
                continue
            state = f"{m.answered:%Y-%m-%d} 才答复"
        where = f"“{column}”" if column else "留言列表"
        yield RULE.finding(
            subject=m.url or f"{m.title}（{m.asked:%Y-%m-%d}）",
            url=m.url or m.page_url,
            source_url=m.page_url,
            evidence=f"{where}中的留言“{m.title}”于 {m.asked:%Y-%m-%d} 提交，{state}，"
            f"已 {waited} 天（超过 {t.max_wait_days} 天）",
            facts={
                "column": column,
                "column_url": m.column_url,
                "title": m.title,
                "asked": m.asked.isoformat(),
                "asked_text": m.asked_text,
                "answered": m.answered.isoformat() if m.answered else None,
                "answered_text": m.answered_text,
                "status": m.status,
                "waited_days": waited,
                "max_wait_days": t.max_wait_days,
                "list_page": m.page_url,
            },
        )
