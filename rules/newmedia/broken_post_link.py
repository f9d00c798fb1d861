"""N-S2 broken-post-link: 政务新媒体发布内容中的链接无法访问

## What it does
Flags each link inside a post (the unit's own links: not the platform's
topic, mention or 全文 links) that did not open when the feeds spider checked
it once during the latest successful fetch: HTTP 4xx/5xx, a refused
connection, a DNS failure. A timeout, a 403/429 (blocked) or a link never
checked is not reported as broken.

## Why is this bad?
Inspectors deduct for in-post links and menus that do not work (S16, S19).

## Example
Post links http://example.gov.cn/gone.html → 404: flagged.
Post links t.cn/… that answered 200: not flagged; a 403 answer: not judged.

## Thresholds

## Source
S16, S19 (spec/inspection-rules.md N-S2)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator

from monitor.model import AccountFacts, ErrorKind, Severity, error_label
from rules.base import Outcome, Rule, Scope
from rules.newmedia._common import account_facts

# fetch failures that show the link broken; a timeout or another failure cannot tell
_BROKEN_ERRORS = frozenset({ErrorKind.REFUSED, ErrorKind.DNS, ErrorKind.TLS, ErrorKind.REDIRECTS, ErrorKind.RESET})


@dataclass(frozen=True)
class Thresholds:
    broken_statuses_from: int = 400  # statuses from which a post link is broken
    ignore_statuses: tuple[int, ...] = (401, 403, 429)  # blocked answers: not broken

    def __post_init__(self) -> None:
        object.__setattr__(self, "ignore_statuses", tuple(self.ignore_statuses or ()))


RULE = Rule(
    id="N-S2",
    name="broken-post-link",
    title="政务新媒体内容链接错误",
    severity=Severity.DEDUCTION,
    source="S16, S19",
    thresholds=Thresholds,
    scope=Scope.ACCOUNT,
    category="政务新媒体链接不可用",
)


def check(account: AccountFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    titles = {p.url: p.title for p in account.current_posts}
    for c in account.link_checks:
        if c.error_kind:
            if c.error_kind not in _BROKEN_ERRORS:
                continue  # timeout or other: could not tell
            why = error_label(c.error_kind, c.error_detail)
        elif c.status is not None and c.status >= t.broken_statuses_from and c.status not in t.ignore_statuses:
            why = f"HTTP {c.status}"
        else:
            continue
        title = titles.get(c.post_url, "")
        facts = {
            **account_facts(account),
            "status": c.status,
            "error_kind": c.error_kind,
            "post_url": c.post_url,
            "post_title": title,
        }
        yield RULE.finding(
            subject=c.url,
            url=c.url,
            source_url=c.post_url,
            facts=facts,
            evidence=f"发布内容“{title[:30]}”中的链接无法访问（{why}）",
        )
