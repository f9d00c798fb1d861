"""W-S14 annual-site-report-missing: 首页未发布政府网站工作年度报表

## What it does
From 1 February of a year Y, looks on the home page for the previous year's
政府网站工作年度报表: a home-page link whose anchor text (or the title of the
page it points to) holds report_words (年度报表) and the year Y−1
(“2025年度政府网站工作年度报表”, “政府网站工作年度报表（2025年度）”), or those
words next to the year in the home page text. None: flagged. Before
1 February nothing is judged (the deadline is 31 January); a home page that
could not be read is not judged either. The 政府信息公开工作年度报告 is another
document (报告, not 报表) and does not count.

## Why is this bad?
Every government website must publish its 工作年度报表 for the previous year
by 31 January, in a prominent position of its home page (G8).

## Example
Checked 2026-02-10, home link “2025年度政府网站工作年度报表”: not flagged.
Checked 2026-02-10, home page only links “2024年度政府网站工作年度报表”: flagged.
Checked 2026-01-20: not judged.

## Thresholds

## Source
G8 (spec/inspection-rules.md W-S14)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from monitor.model import Severity, SiteFacts
from rules.base import Outcome, Rule
from rules.website._site import usable_home


@dataclass(frozen=True)
class Thresholds:
    deadline_month: int = 2  # month of the first day judged (the report is due by 01-31)
    deadline_day: int = 1  # day of the first day judged
    report_words: tuple[str, ...] = ("年度报表",)  # words naming the report on the home page
    window_chars: int = 30  # how far the year may stand from the words in the home page text


RULE = Rule(
    id="W-S14",
    name="annual-site-report-missing",
    title="首页未发布政府网站工作年度报表",
    severity=Severity.DEDUCTION,
    source="G8",
    thresholds=Thresholds,
    category="功能设计",
)


def names_report(text: str, year: int, t: Thresholds) -> bool:
    """The words and the year together in a short text (an anchor text, a title)."""
    text = re.sub(r"\s+", "", text or "")
    return any(w in text for w in t.report_words) and str(year) in text


def _in_text(text: str, year: int, t: Thresholds) -> bool:
    text = re.sub(r"\s+", "", text or "")
    for w in t.report_words:
        for m in re.finditer(re.escape(w), text):
            near = text[max(0, m.start() - t.window_chars) : m.end() + t.window_chars]
            if str(year) in near:
                return True
    return False


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    if today < date(today.year, t.deadline_month, t.deadline_day):
        return
    home = usable_home(site)
    if home is None:
        return
    year = today.year - 1
    titles = {p.url: (p.meta.get("ArticleTitle") or p.title or "") for p in site.pages}
    home_urls = {home.url, home.final_url}
    home_links = [l for l in site.links if l.on_home or l.source_url in home_urls]
    for link in home_links:
        if names_report(link.anchor_text, year, t) or names_report(titles.get(link.target_url, ""), year, t):
            return
    if _in_text(home.text or "", year, t):
        return
    older = sorted({l.anchor_text for l in home_links if any(w in l.anchor_text for w in t.report_words)})
    found = f"，首页只有：{'、'.join(older[:3])}" if older else ""
    yield RULE.finding(
        subject=f"{year}年度政府网站工作年度报表",
        url=home.url,
        evidence=f"{today:%Y-%m-%d} 首页未找到{year}年度政府网站工作年度报表的链接"
        f"（应于{year + 1}年1月31日前在首页发布，检查了首页 {len(home_links)} 个链接和首页文字）{found}",
        facts={
            "year": year,
            "home_links_checked": len(home_links),
            "other_reports": older[:5],
            "deadline": date(year + 1, 1, 31).isoformat(),
        },
    )
