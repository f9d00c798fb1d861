"""W-V10 redated-article: 旧稿重发（同一正文以不同日期重复发布）

## What it does
Looks for the same article body published under two different dates: two
fetched internal HTML pages with a publication date whose normalised body is
identical, the newer one dated within window_days of today. The body is the
page's visible text without the site's template: text segments (the crawler
joins text nodes with spaces) found on at least boilerplate_share of the
site's pages, and on at least boilerplate_min_pages of them, are navigation,
header or footer and are dropped; then each page's own title, every date
(2026-11-26, 2026年11月26日, 2026/11/26) and time, and all whitespace are
removed. Bodies shorter than min_chars are ignored (short notices repeat
legitimately). Pages with the same date (one page reachable under two URLs)
are not flagged, nor are column list pages (their dates are their entries'). One candidate veto per re-dated page, naming the original
page and both dates; a staff member confirms it (facts.needs_confirmation; facts.candidate keeps it 待人工确认, out of the
notice and totals, until an auditor confirms it: the same article cross-posted to two columns on two dates is
common and must not become a veto on its own),
since a re-issued notice can be legitimate.

## Why is this bad?
Re-publishing old articles with new dates to look updated is 弄虚作假 (2017
national spot check, S35) and a forged update counts against the site's
veto items on updates (S4).

## Example
/xwzx/202611/t20261120_2.html (2026-11-20) has the same 600-character body as
/xwzx/202605/t20260512_7.html (2026-05-12), checked 2026-11-26: flagged.
The same body at /a.html and /b.html both dated 2026-11-20: not flagged.

## Thresholds

## Source
S4, S35 (spec/inspection-rules.md W-V10)
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from monitor.model import PageFacts, Severity, SiteFacts
from rules.base import Outcome, Rule


@dataclass(frozen=True)
class Thresholds:
    window_days: int = 30  # days back in which a re-dated copy counts
    min_chars: int = 200  # shortest body compared
    boilerplate_share: float = 0.3  # share of pages a paragraph must be on to be boilerplate, left out
    boilerplate_min_pages: int = 5  # pages a paragraph must be on to be boilerplate


RULE = Rule(
    id="W-V10",
    name="redated-article",
    title="旧稿重发（同一正文以不同日期发布）",
    severity=Severity.VETO,
    source="S4, S35",
    thresholds=Thresholds,
    category="弄虚作假",
)

_DATE = re.compile(
    r"\d{4}\s*(?:[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}|年\s*\d{1,2}\s*月\s*(?:\d{1,2}\s*日)?)"
    r"|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}:\d{2}(?::\d{2})?"
)


def _titles(p: PageFacts) -> list[str]:
    out = {p.meta.get("ArticleTitle") or "", (p.title or "").split("_")[0], p.title or ""}
    return sorted((x.strip() for x in out if x and len(x.strip()) >= 4), key=len, reverse=True)


def body(p: PageFacts, boilerplate: set[str]) -> str:
    """The page's text without template segments, its title, dates and whitespace."""
    text = " ".join(s for s in (p.text or "").split() if s not in boilerplate)
    for title in _titles(p):
        text = text.replace(title, " ")
    text = _DATE.sub(" ", text)
    return re.sub(r"\s+", "", text)


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    lists = {c.url for c in site.columns} | {u for c in site.columns for u in c.list_pages}
    pages: dict[str, PageFacts] = {}
    for p in site.pages:
        if (
            p.url in lists
            or p.is_external
            or p.attachment
            or p.is_home
            or p.error_kind
            or (p.status or 0) >= 400
            or not p.text
        ):
            continue
        pages.setdefault(p.final_url or p.url, p)
    if not pages:
        return
    seen: Counter[str] = Counter()
    for p in pages.values():
        seen.update(set((p.text or "").split()))
    limit = max(t.boilerplate_min_pages, t.boilerplate_share * len(pages))
    boilerplate = {s for s, n in seen.items() if n >= limit}

    groups: dict[str, list[PageFacts]] = {}
    for p in pages.values():
        if p.pub_date is None:
            continue
        b = body(p, boilerplate)
        if len(b) < t.min_chars:
            continue
        groups.setdefault(hashlib.sha1(b.encode("utf-8")).hexdigest(), []).append(p)

    for digest, group in groups.items():
        group.sort(key=lambda p: (p.pub_date, p.url))
        first = group[0]
        first_day = first.pub_date
        for p in group[1:]:
            day = p.pub_date
            if day is None or first_day is None:  # never: only dated pages are grouped
                continue
            if day == first_day or (today - day).days > t.window_days or day > today:
                continue
            size = len(body(p, boilerplate))
            yield RULE.finding(
                subject=p.url,
                url=p.url,
                source_url=first.url,
                evidence=f"疑似旧稿重发：{p.url}（发布日期 {day:%Y-%m-%d}）与 {first.url}"
                f"（发布日期 {first_day:%Y-%m-%d}）正文相同（{size} 字），需人工确认",
                facts={
                    "needs_confirmation": True,
                    "candidate": True,
                    "url": p.url,
                    "date": day.isoformat(),
                    "original_url": first.url,
                    "original_date": first_day.isoformat(),
                    "body_chars": size,
                    "body_sha1": digest,
                    "copies": [{"url": x.url, "date": x.pub_date.isoformat() if x.pub_date else None} for x in group],
                },
            )
