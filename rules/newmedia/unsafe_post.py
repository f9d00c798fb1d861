"""N-V3 unsafe-post: 政务新媒体发布内容存在严重错误、安全或泄密问题

## What it does
Runs the rule book's content rules (every TEXT-scope rule: W-V8 严重表述错误,
W-V9 敏感内容, W-S4 个人信息未脱敏, W-S3 错别字与过时表述 …) on the text of each
post the latest successful fetch returned, with the post's own publish date.
It is the same rule code as for web pages, not a copy: each hit is reported
as N-V3 with the content rule's id, severity and facts.

## Why is this bad?
Serious wrong expressions, unsafe content and leaked personal data in a
government account's posts are candidate vetoes (检查指标 N-V3); typos and
outdated names cost points, as on a website.

## Example
Post "…联系人张三，手机13812345678…" flags 未脱敏的手机号 138****5678 (W-S4 via N-V3).
Post "严厉打击六合彩等非法赌博活动" is not flagged (W-V9 allow context).
Latest fetch failed: the posts of the last successful fetch are judged.

## Thresholds

## Source
S30 (spec/inspection-rules.md N-V3); the content rules' own sources
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator

import rules
from monitor.model import AccountFacts, Severity, TextFacts
from rules.base import Outcome, Rule, Scope, Verdict
from rules.newmedia._common import account_facts, post_day


@dataclass(frozen=True)
class Thresholds:
    # the content rules run (empty: every TEXT-scope rule, each with its own thresholds)
    content_rules: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "content_rules", tuple(self.content_rules or ()))


RULE = Rule(
    id="N-V3",
    name="unsafe-post",
    title="政务新媒体发布内容问题",
    severity=Severity.VETO,
    source="S30",
    thresholds=Thresholds,
    scope=Scope.ACCOUNT,
    category="政务新媒体内容问题",
)


def post_texts(account: AccountFacts) -> list[TextFacts]:
    """The account's current posts as the content rules read them (kind="post")."""
    out = []
    for p in account.current_posts:
        body = p.text if p.title and p.title in p.text else "\n".join(x for x in (p.title, p.text) if x)
        if body.strip():
            out.append(
                TextFacts(
                    url=p.url or f"{account.url}#{p.post_id}",
                    text=body,
                    title=p.title,
                    published=post_day(p),
                    kind="post",
                    site=account.account,
                )
            )
    return out


def check(account: AccountFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    texts = post_texts(account)
    if not texts:
        return
    found = rules.run(Scope.TEXT, texts, today=today, overrides=account.thresholds, select=t.content_rules or None)
    for o in found.outcomes:
        if o.verdict is not Verdict.FINDING:
            continue
        title = rules.get_rule(o.rule).rule.title
        facts = {**o.facts, **account_facts(account), "content_rule": o.rule, "content_title": title}
        # the subject is what a reader sees: the word itself, never an internal rule id (W-S3 …)
        yield RULE.finding(
            subject=o.subject,
            url=o.url,
            facts=facts,
            severity=o.severity,
            evidence=f"发布内容{title}：{o.evidence}",
            source_url=account.url,
        )
