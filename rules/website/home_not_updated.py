"""W-V2 home-not-updated: 首页不更新

## What it does
Takes the newest dated entry on the home page and flags the site when it is
older than the limit (14 days). A home page that shows no dated entry at all
is flagged too: information without a publication date counts as not updated.
Entries showing a month-day only (11-20) take their year from the page or the
linked article; when none does, the home page is 待核实, not flagged.

## Why is this bad?
A home page with no new information for 2 weeks vetoes the whole site
(单项否决, 国办秘函〔2019〕19号).

## Example
Newest home entry 2026-11-01, checked 2026-11-26: 25 days > 14, flagged.
Home page not fetched: unverified (W-V1 judges reachability), not flagged.

## Thresholds

## Source
S4, S5 (spec/inspection-rules.md)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator

from monitor.model import Severity, SiteFacts
from rules.base import Outcome, Rule


@dataclass(frozen=True)
class Thresholds:
    max_age_days: int = 14  # days the newest home-page entry may be old (2 weeks)


RULE = Rule(
    id="W-V2",
    name="home-not-updated",
    title="首页不更新",
    severity=Severity.VETO,
    source="S4, S5",
    thresholds=Thresholds,
    category="首页不更新",
)


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    home = site.home
    if home is None or home.error_kind or (home.status or 0) >= 400:
        yield RULE.unverified(
            subject="首页",
            url=site.home_url,
            evidence="首页未能打开，无法判断是否更新",
            facts={"status": home.status if home else None, "error_kind": home.error_kind if home else None},
        )
        return
    dated = [i for i in site.home_items if i.date is not None]
    if not dated and any(i.date_text for i in site.home_items):
        # month-days (11-20) whose year neither the page nor the linked articles gave: dates are shown
        yield RULE.unverified(
            subject="首页",
            url=site.home_url,
            evidence="首页信息只显示月日，无法确定年份，无法判断是否更新",
            facts={"items": len(site.home_items)},
        )
        return
    if not dated:
        yield RULE.finding(
            subject="首页",
            url=site.home_url,
            evidence="首页没有带发布日期的信息，按未更新计",
            facts={"newest_date": None, "age_days": None, "period_days": t.max_age_days, "items": len(site.home_items)},
        )
        return
    newest_date, newest = max(((i.date, i) for i in dated if i.date is not None), key=lambda pair: pair[0])
    age = (today - newest_date).days
    if age > t.max_age_days:
        yield RULE.finding(
            subject="首页",
            url=site.home_url,
            evidence=f"首页最新信息发布于 {newest_date:%Y-%m-%d}，已 {age} 天未更新（超过 {t.max_age_days} 天）",
            facts={
                "newest_date": newest_date.isoformat(),
                "newest_title": newest.title,
                "newest_url": newest.url,
                "age_days": age,
                "period_days": t.max_age_days,
            },
        )
