"""Helpers shared by the site-compliance rules (W-S2, W-S5, W-S6, W-S11, W-V6, W-V7).

Interaction columns: the indicators treat 政务咨询类 channels (信箱, 咨询, 留言)
apart from the special channels that do not count as a consultation channel
(网上信访, 纪检举报) and from the columns that are not consultations at all
(在线访谈, 调查征集) (S4, V5).
"""

from __future__ import annotations

import re

from monitor.model import ColumnFacts, ColumnKind, PageFacts, SiteFacts

CONSULT_WORDS = ("咨询", "留言", "信箱", "来信", "建议", "诉求", "问政", "投诉", "互动交流")
NOT_CONSULT_WORDS = ("信访", "举报", "纪检", "监察", "访谈", "征集", "调查", "民意")

SITE_CODE_RE = re.compile(r"(?:网站)?标识码\s*[:：]?\s*(bm\d{8}|\d{10})(?!\d)", re.IGNORECASE)


def is_consultation(
    name: str, *, words: tuple[str, ...] = CONSULT_WORDS, exclude: tuple[str, ...] = NOT_CONSULT_WORDS
) -> bool:
    """A 政务咨询类 channel by its name: a consultation word, none of the special-channel words."""
    return bool(name) and any(w in name for w in words) and not any(w in name for w in exclude)


def consultation_columns(
    site: SiteFacts, *, words: tuple[str, ...] = CONSULT_WORDS, exclude: tuple[str, ...] = NOT_CONSULT_WORDS
) -> list[ColumnFacts]:
    return [
        c
        for c in site.columns
        if c.kind in (ColumnKind.INTERACTION, ColumnKind.OTHER)
        and is_consultation(c.name, words=words, exclude=exclude)
    ]


def usable_home(site: SiteFacts) -> PageFacts | None:
    """The home page when it was fetched and read; None when it failed (W-V1/W-V2 say so)."""
    home = site.home
    if home is None or home.error_kind or (home.status or 0) >= 400:
        return None
    return home


def footer_site_code(site: SiteFacts) -> str | None:
    """The 政府网站标识码 printed in the home page's footer (or, without a footer block, its text)."""
    home = usable_home(site)
    if home is None:
        return None
    m = SITE_CODE_RE.search(home.footer or home.text or "")
    return m.group(1) if m else None


def examples(urls: list[str], n: int = 5) -> list[str]:
    return sorted(dict.fromkeys(urls))[:n]


def home_entrance(
    site: SiteFacts, home: PageFacts, words: tuple[str, ...], url_parts: tuple[str, ...]
) -> tuple[bool, int]:
    """Whether the home page offers an entrance (a link whose text or address says so, or its text does),
    and how many home-page links were looked at (W-S11 找错, W-S16 适老化)."""
    home_urls = {home.url, home.final_url}
    home_links = [l for l in site.links if l.on_home or l.source_url in home_urls]
    found = any(
        any(w in l.anchor_text for w in words) or any(p in l.target_url.lower() for p in url_parts) for l in home_links
    ) or any(w in (home.text or "") for w in words)
    return found, len(home_links)
