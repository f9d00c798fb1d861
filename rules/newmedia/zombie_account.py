"""N-S1 zombie-account: 僵尸账号（长期不更新）

## What it does
Flags an account whose newest post is more than 3 months old (to be put on the
clean-up list, 清理整合) and calls it a 僵尸号 past 1 year. Pinned posts count by
their own date.

## Why is this bad?
Provincial notices list accounts silent for over three months in the 僵尸账号清单
for clean-up; over a year without update is a 僵尸号 that must be closed or
revived (国办发〔2018〕123号: clean up accounts that cannot be maintained).

## Example
Newest post 2026-07-01, checked 2026-11-26: 148 days > 90, 清理整合 list.
Newest post 2025-06-01: 543 days > 365, 僵尸号.
Latest fetch failed: unverifiable (same subject as a known finding, so it stays as it was).

## Thresholds

## Source
S19, S28 (spec/inspection-rules.md N-S1)
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
    cleanup_days: int = 90  # days without a post that put an account on the cleanup list
    zombie_days: int = 365  # days without a post that make it a 僵尸号


RULE = Rule(
    id="N-S1",
    name="zombie-account",
    title="僵尸账号",
    severity=Severity.DEDUCTION,
    source="S19, S28",
    thresholds=Thresholds,
    scope=Scope.ACCOUNT,
    category="僵尸账号",
)


def check(account: AccountFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    failure = source_failure(account)
    newest = newest_post(account, today)
    facts = account_facts(account)
    if failure is not None:
        day = post_day(newest) if newest else None
        if day is not None and (today - day).days <= t.cleanup_days:
            return  # a post within the period is known: not a zombie whatever the source does now
        yield RULE.unverified(
            subject=account.name, url=account.url, facts=facts, evidence=f"无法核实是否为僵尸账号：{failure}"
        )
        return
    if newest is None:
        return  # N-V1 already says the account cannot be judged
    day = post_day(newest)
    if day is None:  # never: the newest post is a dated one
        return
    age = (today - day).days
    if age <= t.cleanup_days:
        return
    zombie = age > t.zombie_days
    level = "僵尸号" if zombie else "清理整合"
    facts.update(
        newest_date=day.isoformat(),
        newest_url=newest.url,
        age_days=age,
        level=level,
        cleanup_days=t.cleanup_days,
        zombie_days=t.zombie_days,
    )
    what = (
        f"超过 {t.zombie_days} 天未更新，属僵尸号，应关停注销或恢复运维"
        if zombie
        else f"超过 {t.cleanup_days} 天未更新，应列入僵尸账号清单清理整合"
    )
    yield RULE.finding(
        subject=account.name,
        url=account.url,
        facts=facts,
        evidence=f"最近一次发布为 {day:%Y-%m-%d}，已 {age} 天未更新，{what}",
    )
