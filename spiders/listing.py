"""List pages: which entries a column shows, each paired with its date.

Pure helpers over a parsel ``Selector``; the spiders call them and store what
they return. Nothing here judges whether a column is stale.
"""
from __future__ import annotations

import re
from datetime import date
from urllib.parse import urljoin

from parsel import Selector

from monitor.model import ItemFacts
from spiders.dates import parse_date

# Blocks that carry dates which are not list entries.
_SKIP_ANCESTORS = "ancestor::*[self::footer or @id='footer' or contains(@class,'footer')]"
_EMPTY_MARKERS = ("暂无信息", "暂无数据", "暂无内容", "没有记录", "暂无相关信息")
_PUBLISHED = re.compile(r"(?:发布时间|发布日期|发文日期|成文日期|日期|时间)\s*[:：]\s*(.{6,24})")


def _text(sel: Selector) -> str:
    return " ".join(t.strip() for t in sel.xpath(".//text()").getall() if t.strip())


def list_items(sel: Selector, base_url: str, *, today: date | None = None) -> list[ItemFacts]:
    """Entries of a list: an ``li`` or table row holding one link, paired with the date beside it."""
    items: list[ItemFacts] = []
    seen: set[str] = set()
    for entry in sel.xpath(f"//li[.//a[@href]][not({_SKIP_ANCESTORS})] | //tr[.//a[@href]][not({_SKIP_ANCESTORS})]"):
        links = entry.xpath(".//a[@href]")
        if len(links) != 1:
            continue
        href = links[0].attrib.get("href", "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        title = (links[0].attrib.get("title") or _text(links[0])).strip()
        raw = _text(entry)
        date_text = raw.replace(_text(links[0]), " ", 1)
        d = parse_date(date_text, today=today)
        if d is None:
            continue
        url = urljoin(base_url, href)
        if url in seen:
            continue
        seen.add(url)
        m = re.search(r"\d{1,4}\s*[-/.年]\s*\d{1,2}(?:\s*[-/.月]\s*\d{1,2}\s*日?)?", date_text)
        items.append(ItemFacts(url=url, title=title, date=d, date_text=m.group(0) if m else date_text.strip()))
    return items


def looks_empty(sel: Selector) -> bool:
    """A list page that says it lists nothing (暂无信息…)."""
    body = " ".join(sel.xpath("//body//text()").getall())
    return any(marker in body for marker in _EMPTY_MARKERS)


def column_meta(sel: Selector) -> tuple[str | None, str | None]:
    """The ``ColumnName`` and ``ColumnType`` meta tags of the 网页设计规范, when present."""
    name = sel.xpath("//meta[@name='ColumnName']/@content").get()
    kind = sel.xpath("//meta[@name='ColumnType']/@content").get()
    return (name.strip() if name else None, kind.strip() if kind else None)


def article_date(sel: Selector) -> tuple[date | None, str]:
    """The publication date of an article page: meta PubDate, then a 发布时间 label."""
    meta = sel.xpath("//meta[@name='PubDate' or @name='pubdate' or @name='publishdate']/@content").get()
    if meta:
        d = parse_date(meta)
        if d:
            return d, meta.strip()
    for node in sel.xpath(f"//body//text()[not({_SKIP_ANCESTORS})]").getall():
        m = _PUBLISHED.search(node)
        if m:
            d = parse_date(m.group(1))
            if d:
                return d, m.group(0).strip()
    return None, ""
