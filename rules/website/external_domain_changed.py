"""W-S15 external-domain-changed: 外部链接指向的网站已变质（外链变异）

## What it does
Reads the external pages the crawler checked (a link's target on another
site: status and title) and flags each one whose title carries a W-V9 word
(gambling, porn …): the domain the site links to now serves something else,
typically because it expired and was bought by a gambling or porn operator.
One finding per target, listing the pages that link to it and the anchor
text. A target that no longer resolves at all (NXDOMAIN) is a broken link:
W-S1 reports it.

## Why is this bad?
Government sites link to partner sites for years; when such a domain lapses,
the link sends readers to gambling or porn under the government's name.
Monitoring services check link targets for this (外链变异, S50, P4).

## Example
A 友情链接 to http://old-partner.example/ whose page title is now
"澳门新葡京娱乐场": flagged. An external page titled "示例市人民政府": not flagged.

## Thresholds
The W-V9 word list and a deployment's additions to it (W-V9 extra_terms …) apply. Only the title
is read (external pages are checked, not parsed).

## Source
S50, P4 (spec/inspection-rules.md W-S15)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from monitor.model import Severity, SiteFacts
from rules.base import Outcome, Rule
from rules.website._unsafe import host_of, unsafe_terms


@dataclass(frozen=True)
class Thresholds:
    pass


RULE = Rule(
    id="W-S15",
    name="external-domain-changed",
    title="外部链接指向的网站已变质",
    severity=Severity.DEDUCTION,
    source="S50, P4",
    thresholds=Thresholds,
    category="链接不可用",
)


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    parents: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for link in site.links:
        if link.is_external:
            parents[link.target_url].append((link.source_url, link.anchor_text))
    seen: set[str] = set()
    for page in site.pages:
        if not page.is_external or page.url in seen or not page.title or (page.status or 0) >= 400:
            continue
        seen.add(page.url)
        words = unsafe_terms(site, page.title)
        if not words:
            continue
        links = parents.get(page.url, [])
        sources = sorted({s for s, _ in links})
        anchors = list(dict.fromkeys(a for _, a in links if a))[:5]
        landed = page.final_url if page.final_url and host_of(page.final_url) != host_of(page.url) else None
        where = f"（跳转到 {landed}）" if landed else ""
        via = f"，链接文字“{anchors[0]}”" if anchors else ""
        src = f"，来自 {sources[0]}" + (f" 等 {len(sources)} 个页面" if len(sources) > 1 else "") if sources else ""
        yield RULE.finding(
            subject=page.url,
            url=sources[0] if sources else site.home_url,
            source_url=sources[0] if sources else None,
            evidence=f"外部链接 {page.url}{where} 现在打开的是“{page.title[:80]}”，含“{'、'.join(words)}”{via}{src}",
            facts={
                "target": page.url,
                "final_url": page.final_url,
                "title": page.title[:300],
                "words": words,
                "sources": sources[:20],
                "source_count": len(sources),
                "anchors": anchors,
                "suggestion": "删除或更正该外部链接，并核查其他友情链接的域名是否仍属原单位",
            },
        )
