"""W-S11 error-report-entrance-missing: 首页缺少“我为政府网站找错”入口

## What it does
Looks for the “我为政府网站找错” entrance on the home page: a home-page link
whose anchor text (or image alt/title) holds one of entrance_words, or a link
to the national error-report platform (zfwzzc.www.gov.cn, jiucuo), or those
words in the home page text. None of them: flagged. A home page that could
not be read is not judged.

Department sites that are not required to carry it can switch the rule off
with required: false.

## Why is this bad?
County-level-and-above portals and State Council department sites must put
the entrance on the home page (national 2016 notice, S43); its messages are
followed up and counted in the annual assessment (S21, S10).

## Example
Home page header link “我为政府网站找错” → /jiucuo.html: not flagged.
Home page without the words or a link to zfwzzc.www.gov.cn: flagged.

## Thresholds

## Source
S43, S21 (spec/inspection-rules.md W-S11)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator

from monitor.model import Severity, SiteFacts
from rules.base import Outcome, Rule
from rules.website._site import home_entrance, usable_home


@dataclass(frozen=True)
class Thresholds:
    required: bool = True  # false: a notice only
    entrance_words: tuple[str, ...] = ("我为政府网站找错", "政府网站找错")  # words of the 找错 entrance
    entrance_url_parts: tuple[str, ...] = ("zfwzzc", "jiucuo")  # URL parts of the entrance


RULE = Rule(
    id="W-S11",
    name="error-report-entrance-missing",
    title="首页缺少“我为政府网站找错”入口",
    severity=Severity.DEDUCTION,
    source="S43, S21",
    thresholds=Thresholds,
    category="功能设计",
)


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    home = usable_home(site)
    if home is None or not t.required:
        return
    found, links_checked = home_entrance(site, home, tuple(t.entrance_words), tuple(t.entrance_url_parts))
    if found:
        return
    yield RULE.finding(
        subject="我为政府网站找错",
        url=home.url,
        evidence=f"首页未找到“我为政府网站找错”入口（检查了首页 {links_checked} 个链接和首页文字）",
        facts={"home_links_checked": links_checked, "words": list(t.entrance_words)},
    )
