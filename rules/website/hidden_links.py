"""W-V9b hidden-link: 疑似暗链（页面中隐藏的外部链接）

## What it does
Reads the links the crawler found inside elements the page hides from its
readers (inline ``display:none``, ``visibility:hidden``, zero font size, a box
pushed off-screen, the ``hidden`` attribute; LinkFacts.hidden). A hidden link
to another site is reported when its anchor text carries a W-V9 word
(gambling, porn …) or its host is not a trusted domain (government domains
and the national media and reporting sites government pages link to). One
finding per target, with every page that hides it and the anchor text.
Hidden links within the site (drop-down menus) are never reported.

## Why is this bad?
A 暗链 (hidden link planted by an intruder to sell search ranking to gambling or
porn sites) is a security incident and a single-veto item (V1: 暗链, 挂马,
篡改); monitoring services list it beside 挂马 and 篡改 (P1, P4). It is a
candidate veto: a staff member confirms it (facts.needs_confirmation).

## Example
``<div style="display:none"><a href="http://casino.example/">澳门赌场</a></div>``
on an article: flagged. A hidden 部门网站 drop-down linking ``www.xx.gov.cn``: not
flagged. A visible link to the same casino: W-V9 / W-S15, not this rule.

## Thresholds
trusted_domains (gov.cn, 政务, gov, and xinhuanet.com, news.cn,
people.com.cn, cctv.com, 12377.cn, conac.cn, cyberpolice.cn): a hidden link
to one of these (or a subdomain) is reported only when its text has a W-V9
word. The W-V9 word list and a deployment's additions to it apply.
Only inline styles are read: a block hidden by a stylesheet or a script is
not seen.

## Source
S4, S29, P1, P4 (spec/inspection-rules.md W-V9: 暗链)
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from monitor.model import LinkFacts, Severity, SiteFacts
from rules.base import Outcome, Rule
from rules.website._unsafe import host_of, under, unsafe_terms


@dataclass(frozen=True)
class Thresholds:
    trusted_domains: tuple[str, ...] = ("gov.cn", "政务", "gov", "xinhuanet.com", "news.cn", "people.com.cn",
                                        "cctv.com", "12377.cn", "conac.cn", "cyberpolice.cn")


RULE = Rule(id="W-V9b", name="hidden-link", title="疑似暗链", severity=Severity.VETO,
            source="S4, S29, P1, P4", thresholds=Thresholds, category="安全、泄密事故等严重问题")


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    by_target: dict[str, list[LinkFacts]] = defaultdict(list)
    for link in site.links:
        if link.hidden and link.is_external and link.tag == "a":
            by_target[link.target_url].append(link)
    for target, links in by_target.items():
        host = host_of(target)
        words = unsafe_terms(site, " ".join(dict.fromkeys(link.anchor_text for link in links)))
        if not words and under(host, t.trusted_domains):
            continue
        sources = sorted({link.source_url for link in links})
        anchors = list(dict.fromkeys(link.anchor_text for link in links if link.anchor_text))[:5]
        why = f"链接文字含“{'、'.join(words)}”" if words else f"{host} 不是政府或可信网站的域名"
        shown = f"（链接文字“{anchors[0]}”）" if anchors else ""
        more = f"等 {len(sources)} 个页面" if len(sources) > 1 else ""
        yield RULE.finding(
            subject=target, url=sources[0], source_url=sources[0],
            evidence=f"页面 {sources[0]}{more}中有读者看不到的链接指向 {target}{shown}，{why}，疑似暗链（待人工确认）",
            facts={"target": target, "host": host, "sources": sources[:20], "source_count": len(sources),
                   "anchors": anchors, "words": words, "needs_confirmation": True,
                   "suggestion": "核实是否为被植入的暗链，确认后删除并排查网站安全（篡改、挂马）"})
