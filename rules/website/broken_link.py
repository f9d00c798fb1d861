"""W-S1 broken-link: 链接不可用

## What it does
Flags every link target — page, image, attachment or external site — that
answered 404/410 or a server error (5xx, after a retry), or could not be
reached at all (DNS failure, connection refused, TLS error, a redirect loop
or too many redirects, connection reset), and every page that answered 200
while saying it does not exist (soft-404: 页面不存在, 404, 找不到…). An
internal link to ``page#part`` whose page has no element with that id or name
is a broken anchor. One finding per target, listing every page that links to
it with the anchor text, and whether the home page is among them; the facts
say how many attempts the crawler made.

A 403/429 answer (blocked, WAF) or a timeout is *unverified*: never OK, never
broken. When the crawl found its own network broken (SiteFacts.network: most
external hosts failed the same way, or the configured reference site could
not be reached; monitor.crawl.network), every external link that failed to connect
is unverified too: a server without DNS accuses nobody.

## Why is this bad?
链接可用性 is scored: 首页及其他页面不能正常访问的链接 (S36); the 2015 scheme deducts
0.1 per broken link on other pages (P2). Broken attachments hide documents
the site must publish. A "page not found" page served with 200 is as dead as
a 404 to the reader.

## Example
/uploads/zcwj/missing-attachment.pdf answers 404, linked from 1 page: flagged.
/zcwj/a.html answers 200 with the title "页面不存在": flagged (soft-404).
/zcwj/a.html#sec2 where a.html has no id="sec2": flagged (broken anchor).
/x answers 403 twice: unverified.

## Thresholds

## Source
S36, P2 (spec/inspection-rules.md); field notes §4 (trustworthy verdicts)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterator

from monitor.model import LinkFacts, PageFacts, Severity, SiteFacts, error_label
from rules.base import Outcome, Rule


@dataclass(frozen=True)
class Thresholds:
    broken_statuses: tuple[int, ...] = (404, 410)  # broken statuses, besides every 5xx
    unverified_statuses: tuple[int, ...] = (401, 403, 429)  # blocked answers: 待核实, no deduction
    # fetch errors that count as broken
    broken_errors: tuple[str, ...] = ("dns", "refused", "tls", "redirects", "reset")
    unverified_errors: tuple[str, ...] = ("timeout", "other")  # fetch errors that leave the link 待核实
    soft_404: bool = True  # a 200 page worded 页面不存在 is broken
    check_anchors: bool = True  # a #part that does not exist on the target page is broken


RULE = Rule(
    id="W-S1",
    name="broken-link",
    title="链接不可用",
    severity=Severity.DEDUCTION,
    source="S36, P2",
    thresholds=Thresholds,
    category="链接不可用",
)

ATTACHMENT_EXT = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".zip", ".rar")
# fragments a browser resolves without an element (HTML: "top" scrolls to the top)
_IMPLICIT_FRAGMENTS = {"top"}


def verdict(page: PageFacts, t: Thresholds) -> tuple[str, str] | None:
    """('broken'|'unverified', reason) for a fetched target, None when it answered fine."""
    if page.error_kind:
        words = error_label(page.error_kind, page.error_detail)
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
    if t.soft_404 and page.not_found_text and 200 <= status < 300:
        return "broken", f"HTTP {status} 但页面显示“{page.not_found_text}”（软 404）"
    return None


def _parents(refs: list[LinkFacts]) -> list[dict[str, Any]]:
    """Every place the target is linked, once per (page, anchor text, tag)."""
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for l in refs:
        out.setdefault(
            (l.source_url, l.anchor_text, l.tag),
            {"source_url": l.source_url, "anchor_text": l.anchor_text, "tag": l.tag, "on_home": l.on_home},
        )
    return list(out.values())


def _label(page: PageFacts) -> str:
    if page.is_external:
        return "外部链接"
    return "附件" if page.attachment or page.url.lower().endswith(ATTACHMENT_EXT) else "链接"


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    parents: dict[str, list[LinkFacts]] = defaultdict(list)
    for link in site.links:
        parents[link.target_url].append(link)
    by_url: dict[str, PageFacts] = {}
    for page in site.pages:
        by_url.setdefault(page.url, page)
    for page in by_url.values():
        if page.is_home:
            continue
        refs = list(parents.get(page.url, ()))
        if page.final_url and page.final_url != page.url and page.final_url not in by_url:
            refs += parents.get(page.final_url, ())
        if not refs:
            continue
        v = verdict(page, t)
        if v is None:
            continue
        kind, reason = v
        if site.network and page.is_external and page.error_kind:
            kind, reason = "unverified", f"{reason}；本机网络异常，无法核实"
        plist = _parents(refs)
        sources = list(dict.fromkeys(p["source_url"] for p in plist))
        on_home = any(p["on_home"] for p in plist)
        first = plist[0]
        facts = {
            "target": page.url,
            "final_url": page.final_url,
            "status": page.status,
            "error_kind": page.error_kind,
            "reason": reason,
            "attempts": page.attempts,
            "soft_404": page.not_found_text if kind == "broken" and not page.error_kind else None,
            "external": page.is_external,
            "on_home": on_home,
            "parent_count": len(sources),
            "parents": plist,
        }
        label = _label(page)
        if kind == "broken":
            yield RULE.finding(
                subject=page.url,
                url=page.url,
                source_url=first["source_url"],
                facts=facts,
                evidence=f"{label}无法访问（{reason}），共 {len(sources)} 个页面引用{'（含首页）' if on_home else ''}，"
                f"链接文字“{first['anchor_text']}”",
            )
        else:
            yield RULE.unverified(
                subject=page.url,
                url=page.url,
                source_url=first["source_url"],
                facts=facts,
                evidence=f"{label}暂无法核实（{reason}），出现在 {len(sources)} 个页面",
            )
    if t.check_anchors:
        yield from _broken_anchors(site, by_url, t)


def _broken_anchors(site: SiteFacts, by_url: dict[str, PageFacts], t: Thresholds) -> Iterator[Outcome]:
    """Internal links to page#part where the page, fetched fine, has no element with that id or name."""
    by_final = {p.final_url: p for p in by_url.values() if p.final_url}
    missing: dict[tuple[str, str], list[LinkFacts]] = defaultdict(list)
    for link in site.links:
        if link.is_external or not link.fragment or link.fragment.lower() in _IMPLICIT_FRAGMENTS:
            continue
        target = by_url.get(link.target_url) or by_final.get(link.target_url)
        if target is None or target.anchors is None or verdict(target, t) is not None:
            continue
        if link.fragment not in target.anchors:
            missing[(link.target_url, link.fragment)].append(link)
    for (url, frag), refs in missing.items():
        plist = _parents(refs)
        sources = list(dict.fromkeys(p["source_url"] for p in plist))
        on_home = any(p["on_home"] for p in plist)
        first = plist[0]
        subject = f"{url}#{frag}"
        facts = {
            "target": url,
            "fragment": frag,
            "reason": "锚点不存在",
            "status": (by_url.get(url) or by_final[url]).status,
            "external": False,
            "on_home": on_home,
            "parent_count": len(sources),
            "parents": plist,
        }
        yield RULE.finding(
            subject=subject,
            url=subject,
            source_url=first["source_url"],
            facts=facts,
            evidence=f"页内锚点不存在：{url} 中没有“#{frag}”，共 {len(sources)} 个页面引用"
            f"{'（含首页）' if on_home else ''}，链接文字“{first['anchor_text']}”",
        )
