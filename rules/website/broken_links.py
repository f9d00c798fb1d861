"""W-S1 broken-link: 链接不可用

## What it does
Flags every link target — page, image, attachment or external site — that
answered 404/410 or a server error, or could not be reached at all (DNS
failure, connection refused, TLS error, too many redirects, connection reset).
One finding per target, listing every page that links to it with the anchor
text, and whether the home page is among them.

A 403/429 answer (blocked, WAF) or a timeout is *unverified*: never OK, never
broken.

## Why is this bad?
链接可用性 is scored: 首页及其他页面不能正常访问的链接 (S36); the 2015 scheme deducts
0.1 per broken link on other pages (P2). Broken attachments hide documents
the site must publish.

## Example
/uploads/zcwj/missing-attachment.pdf answers 404, linked from 1 page: flagged.

## Thresholds
broken_statuses (404, 410 and every 5xx), unverified_statuses (401, 403, 429)

## Source
S36, P2 (spec/inspection-rules.md)
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from monitor.model import LinkFacts, PageFacts, Severity, SiteFacts
from rules.base import Outcome, Rule


@dataclass(frozen=True)
class Thresholds:
    broken_statuses: tuple[int, ...] = (404, 410)
    unverified_statuses: tuple[int, ...] = (401, 403, 429)
    broken_errors: tuple[str, ...] = ("dns", "refused", "tls", "redirects", "reset")
    unverified_errors: tuple[str, ...] = ("timeout", "other")


RULE = Rule(id="W-S1", name="broken-link", title="链接不可用", severity=Severity.DEDUCTION, source="S36, P2",
            thresholds=Thresholds, category="链接不可用")

ATTACHMENT_EXT = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".zip", ".rar")
ERROR_WORDS = {"dns": "域名无法解析", "refused": "连接被拒绝", "tls": "TLS/证书错误", "redirects": "重定向过多或循环",
               "reset": "连接被重置", "timeout": "请求超时", "other": "网络错误"}


def verdict(page: PageFacts, t: Thresholds) -> tuple[str, str] | None:
    """('broken'|'unverified', reason) for a fetched target, None when it answered fine."""
    if page.error_kind:
        words = ERROR_WORDS.get(page.error_kind, page.error_kind)
        if page.error_kind in t.broken_errors:
            return "broken", words
        if page.error_kind in t.unverified_errors:
            return "unverified", words
        return None
    status = page.status or 0
    if status in t.broken_statuses or status >= 500:
        return "broken", f"HTTP {status}"
    if status in t.unverified_statuses:
        return "unverified", f"HTTP {status}（可能被拦截）"
    return None


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    parents: dict[str, list[LinkFacts]] = defaultdict(list)
    for link in site.links:
        parents[link.target_url].append(link)
    for page in site.pages:
        if page.is_home or page.url not in parents:
            continue
        v = verdict(page, t)
        if v is None:
            continue
        kind, reason = v
        refs = parents[page.url]
        sources = list(dict.fromkeys(l.source_url for l in refs))
        on_home = any(l.on_home for l in refs)
        first = refs[0]
        facts = {"target": page.url, "status": page.status, "error_kind": page.error_kind, "reason": reason,
                 "external": page.is_external, "on_home": on_home, "parent_count": len(sources),
                 "parents": [{"source_url": l.source_url, "anchor_text": l.anchor_text, "tag": l.tag,
                              "on_home": l.on_home} for l in refs]}
        label = "外部链接" if page.is_external else ("附件" if page.url.lower().endswith(ATTACHMENT_EXT) else "链接")
        if kind == "broken":
            yield RULE.finding(subject=page.url, url=page.url, source_url=first.source_url, facts=facts,
                               evidence=f"{label}无法访问（{reason}），共 {len(sources)} 个页面引用{'（含首页）' if on_home else ''}，"
                                        f"链接文字“{first.anchor_text}”")
        else:
            yield RULE.unverified(subject=page.url, url=page.url, source_url=first.source_url, facts=facts,
                                  evidence=f"{label}暂无法核实（{reason}），出现在 {len(sources)} 个页面")
