"""N-S3 duplicate-account: 同一单位同一平台重复开设账号、未认证或未报送

## What it does
Flags an account when its unit runs another account on the same platform
(一个单位在同一平台原则上只开设一个账号), naming the others. Also flags an
account marked ``verified: false`` (未认证) or ``registered: false`` (not in
the 全国政务新媒体信息报送系统) in sites.yaml. Unknown (not set) is not flagged.

## Why is this bad?
国办发〔2018〕123号 asks for one account per unit per platform and for similar
accounts to be merged; notices criticise duplicate, unverified and unreported
accounts (S41, S32).

## Example
示例县政府办 has 示例县发布 and 示例县政府办（旧号） on WeChat: both flagged.
One WeChat and one Weibo account of the same unit: not flagged.

## Thresholds

## Source
N1, N2, S41, S32 (spec/inspection-rules.md N-S3)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator

from monitor.config import PLATFORM_NAMES
from monitor.model import AccountFacts, Severity
from rules.base import Outcome, Rule, Scope
from rules.newmedia._common import account_facts


@dataclass(frozen=True)
class Thresholds:
    max_per_platform: int = 1  # accounts a unit may have on one platform


RULE = Rule(
    id="N-S3",
    name="duplicate-account",
    title="重复账号或账号未认证、未报送",
    severity=Severity.DEDUCTION,
    source="N1, N2, S41, S32",
    thresholds=Thresholds,
    scope=Scope.ACCOUNT,
    category="账号重复或未规范管理",
)


def check(account: AccountFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    platform = PLATFORM_NAMES.get(account.platform, account.platform)
    facts = account_facts(account)
    if len(account.peers) + 1 > t.max_per_platform:
        names = "、".join(f"“{n}”" for _, n in account.peers)
        yield RULE.finding(
            subject=f"重复账号 {account.platform}",
            url=account.url,
            facts={
                **facts,
                "peers": [k for k, _ in account.peers],
                "count": len(account.peers) + 1,
                "max_per_platform": t.max_per_platform,
            },
            evidence=f"{account.unit}在{platform}平台开设了 {len(account.peers) + 1} 个账号"
            f"（另有{names}），应整合为 {t.max_per_platform} 个",
        )
    if account.verified is False:
        yield RULE.finding(
            subject="未认证",
            url=account.url,
            facts={**facts, "verified": False},
            evidence=f"{platform}账号“{account.name}”未完成政务机构认证",
        )
    if account.registered is False:
        yield RULE.finding(
            subject="未报送",
            url=account.url,
            facts={**facts, "registered": False},
            evidence=f"{platform}账号“{account.name}”未在全国政务新媒体信息报送系统登记",
        )
