"""W-S16 elderly-mode-missing: 首页未提供适老化/无障碍入口

## What it does
Looks for an elder-friendly or accessible mode on the home page: a home-page
link whose anchor text (or image alt/title) holds one of entrance_words
(适老化, 无障碍, 长者模式, 关怀版…), or whose address holds one of
entrance_url_parts (wza, 无障碍 toolbars), or those words in the home page
text. None: an informational finding (提示). A home page that could not be
read is not judged. Whether the elder mode shows ads is not checked.

## Why is this bad?
工信部's 2021 专项行动 asks government websites for an adapted mode (larger,
adjustable fonts, screen reading, no ads in it, 《互联网网站适老化通用设计规范》);
no national inspection threshold was found, so this is a notice, not a
deduction (G11, S40).

## Example
Home page header link “适老化版” or “无障碍浏览”: not flagged.
Home page without any of the words or links: 提示.

## Thresholds

## Source
G11, S40 (spec/inspection-rules.md W-S16)
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
    # words of the entrance on the home page
    entrance_words: tuple[str, ...] = (
        "适老化",
        "无障碍",
        "长者模式",
        "长者版",
        "关怀版",
        "关怀模式",
        "老年模式",
        "读屏",
    )
    entrance_url_parts: tuple[str, ...] = ("wza", "accessib", "shilaohua")  # URL parts of the entrance


RULE = Rule(
    id="W-S16",
    name="elderly-mode-missing",
    title="首页未提供适老化/无障碍入口",
    severity=Severity.NOTICE,
    source="G11, S40",
    thresholds=Thresholds,
    category="功能设计",
)


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    home = usable_home(site)
    if home is None:
        return
    found, links_checked = home_entrance(site, home, tuple(t.entrance_words), tuple(t.entrance_url_parts))
    if found:
        return
    yield RULE.finding(
        subject="适老化/无障碍入口",
        url=home.url,
        evidence=f"首页未找到适老化或无障碍浏览入口（检查了首页 {links_checked} 个链接和首页文字，"
        f"查找“{'、'.join(t.entrance_words[:4])}”等）",
        facts={"home_links_checked": links_checked, "words": list(t.entrance_words)},
    )
