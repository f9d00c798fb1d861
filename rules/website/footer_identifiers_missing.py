"""W-S5 footer-identifiers-missing: 网页底部缺少网站标识

## What it does
Reads the home page's bottom function area (网页底部功能区, PageFacts.footer;
the whole home page text when no footer block was found) and checks the four
identifiers every government site must show there:
- 党政机关网站标识: the words 党政机关 (the badge's alt text) or a home-page
  link/image pointing at the badge service (dzjg, conac, scopsr);
- 政府网站标识码: 标识码 followed by ten digits or bm + eight digits;
- ICP备案编号: …ICP备…号 (赣ICP备12345678号, 京ICP备05070218号-1);
- 公安机关备案: …公网安备…号 (赣公网安备 36099902000123号).
One finding names every missing identifier. A home page that could not be
read is not judged (W-V1/W-V2 report it).

## Why is this bad?
The 2017 Q4 national spot check criticised pages whose bottom area does not
list 党政机关网站标识、网站标识码、ICP备案编号和公安机关备案标识 (S27); the four come
from the site's opening steps (开办审批 → 标识 → ICP → 公安备案 → 标识码, G5).

## Example
Footer "政府网站标识码：3609990001 赣ICP备12345678号" with no 公网安备 and no
党政机关 badge: flagged, missing 党政机关网站标识、公安机关备案.
Footer with all four (the badge as an image with alt 党政机关): not flagged.

## Thresholds

## Source
S27, G5 (spec/inspection-rules.md W-S5)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from monitor.model import Severity, SiteFacts
from rules.base import Outcome, Rule
from rules.website._site import SITE_CODE_RE, usable_home


@dataclass(frozen=True)
class Thresholds:
    badge_words: tuple[str, ...] = ("党政机关",)  # words of the 党政机关网站标识 (image alt or text)
    badge_url_parts: tuple[str, ...] = ("dzjg", "conac", "scopsr")  # URL parts of the badge's link or image


RULE = Rule(
    id="W-S5",
    name="footer-identifiers-missing",
    title="网页底部缺少网站标识",
    severity=Severity.DEDUCTION,
    source="S27, G5",
    thresholds=Thresholds,
    category="网站标识不规范",
)

ICP_RE = re.compile(r"ICP\s*备\s*[\dA-Za-z]{4,}\s*号(?:\s*-\s*\d+)?", re.IGNORECASE)
POLICE_RE = re.compile(r"公网安备\s*[:：]?\s*\d{8,}\s*号")


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    home = usable_home(site)
    if home is None:
        return
    text = home.footer or home.text or ""
    where = "页脚" if home.footer else "首页全文（未识别出页脚区域）"
    badge_links = [
        l
        for l in site.links
        if l.source_url in (home.url, home.final_url) and any(p in l.target_url.lower() for p in t.badge_url_parts)
    ]
    found = {
        "党政机关网站标识": (
            next((w for w in t.badge_words if w in text), None) or (badge_links[0].target_url if badge_links else None)
        ),
        "政府网站标识码": (m.group(0) if (m := SITE_CODE_RE.search(text)) else None),
        "ICP备案编号": (m.group(0) if (m := ICP_RE.search(text)) else None),
        "公安机关备案": (m.group(0) if (m := POLICE_RE.search(text)) else None),
    }
    missing = [k for k, v in found.items() if v is None]
    if not missing:
        return
    yield RULE.finding(
        subject="首页底部标识",
        url=home.url,
        evidence=f"首页底部缺少{'、'.join(missing)}（检查范围：{where}）",
        facts={
            "missing": missing,
            "found": {k: v for k, v in found.items() if v},
            "searched": where,
            "footer": (home.footer or "")[:500],
        },
    )
