"""N-V1 account-not-updated: 政务新媒体账号监测时间点前 2 周内无更新

## What it does
Flags an account whose newest post, on or before the monitoring point, is
older than 14 days. A pinned post (置顶) counts by its own publish date: an old
pinned post shown first does not make the account fresh. Every post the
monitor has ever seen for the account counts, not only the ones the latest
fetch returned.

## Why is this bad?
The national indicators veto a government account with no post in the two
weeks before the check (发布类账号2周内无更新).

## Example
Newest post 2021-06-11, checked 2021-06-26: 15 days > 14, flagged.
Pinned post of 2021-06-08 first, newest post 2021-06-17, checked 2021-06-24: 7 days, not flagged.
Latest fetch failed (HTTP error, ok=0, malformed, blocked): unverifiable, never stale.
Fetch succeeded but the source returned no dated post: unverifiable.

## Thresholds

## Source
S29, N2 (spec/inspection-rules.md N-V1)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator

from monitor.model import AccountFacts, Severity
from rules.base import Outcome, Rule, Scope
from rules.newmedia._common import account_facts, newest_post, post_day, source_failure


@dataclass(frozen=True)
class Thresholds:
    max_days: int = 14  # days the newest post may be old (2 weeks)


RULE = Rule(
    id="N-V1",
    name="account-not-updated",
    title="政务新媒体更新不及时",
    severity=Severity.VETO,
    source="S29, N2",
    thresholds=Thresholds,
    scope=Scope.ACCOUNT,
    category="政务新媒体更新不及时",
)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def check(account: AccountFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    subject = account.name
    failure = source_failure(account)
    newest = newest_post(account, today)
    facts = account_facts(account)
    if failure is not None:
        facts.update(
            outcome=account.latest.outcome if account.latest else None,
            last_known_post=_iso(post_day(newest)) if newest else None,
        )
        yield RULE.unverified(subject=subject, url=account.url, facts=facts, evidence=f"无法核实更新情况：{failure}")
        return
    if newest is None:
        facts.update(outcome="ok", posts=0)
        yield RULE.unverified(
            subject=subject, url=account.url, facts=facts, evidence="数据源未返回任何带发布日期的内容，无法核实更新情况"
        )
        return
    day = post_day(newest)
    if day is None:  # never: the newest post is a dated one
        return
    age = (today - day).days
    if age > t.max_days:
        facts.update(
            newest_date=day.isoformat(),
            newest_title=newest.title,
            newest_url=newest.url,
            newest_pinned=newest.pinned,
            age_days=age,
            max_days=t.max_days,
        )
        yield RULE.finding(
            subject=subject,
            url=account.url,
            facts=facts,
            evidence=f"最近一次发布为 {day:%Y-%m-%d}（“{newest.title[:40]}”），"
            f"截至 {today:%Y-%m-%d} 已 {age} 天未更新（应在 {t.max_days} 天内更新）",
        )
