"""W-S6 meta-tags-invalid: 网页元数据不规范

## What it does
Checks the ``<meta name=…>`` tags of the 网页设计规范 on every page of the site
that was read as HTML:
- every page: SiteName, SiteDomain, SiteIDCode present;
- SiteIDCode matches ``\\d{10}|bm\\d{8}`` and equals the 标识码 in the home footer;
- column pages (ColumnName present): ColumnName, ColumnDescription,
  ColumnKeywords, ColumnType present;
- article pages (PubDate or ArticleTitle present): ArticleTitle, PubDate,
  ContentSource present, and PubDate readable (YYYY-MM-DD [HH:MM[:SS]]).
One finding per problem (a missing tag, a bad code, an unreadable date), with
the number of pages concerned, how many pages of that class were checked, and
up to five example URLs; the finding's URL is the first example. A tag that is
present but empty counts as missing.

## Why is this bad?
The tags are required by the 网页设计规范 annex of 《政府网站发展指引》 (G2); the
national site database and the inspectors' crawlers key pages on SiteIDCode and
read column types and publication dates from them.

## Example
/xwzx/bmdt/202611/t20261124_1.html has SiteName and SiteDomain but no
SiteIDCode: flagged "1 个页面缺少 SiteIDCode". SiteIDCode 3609990001 on every
page, footer 标识码 3609990001: not flagged.

## Thresholds

## Source
G2 (spec/inspection-rules.md W-S6, §2 page meta tags)
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterator

from monitor.model import PageFacts, Severity, SiteFacts
from rules.base import Outcome, Rule
from rules.website._site import footer_site_code


@dataclass(frozen=True)
class Thresholds:
    site_tags: tuple[str, ...] = ("SiteName", "SiteDomain", "SiteIDCode")  # meta tags every page must have
    # meta tags of a column page
    column_tags: tuple[str, ...] = ("ColumnName", "ColumnDescription", "ColumnKeywords", "ColumnType")
    article_tags: tuple[str, ...] = ("ArticleTitle", "PubDate", "ContentSource")  # meta tags of an article page
    code_pattern: str = r"\d{10}|bm\d{8}"  # the form of SiteIDCode (网站标识码)
    max_examples: int = 5  # pages named per missing tag


RULE = Rule(
    id="W-S6",
    name="meta-tags-invalid",
    title="网页元数据不规范",
    severity=Severity.DEDUCTION,
    source="G2",
    thresholds=Thresholds,
    category="网站标识不规范",
)

_PUBDATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def readable_pubdate(value: str) -> bool:
    value = " ".join(value.split())
    for fmt in _PUBDATE_FORMATS:
        try:
            datetime.strptime(value, fmt)
            return True
        except ValueError:
            continue
    return False


def html_pages(site: SiteFacts) -> list[PageFacts]:
    """The site's own pages that were read as HTML (links checked without parsing carry no text)."""
    return [
        p
        for p in site.pages
        if not p.is_external
        and not p.error_kind
        and (p.status or 0) < 400
        and (p.text is not None or p.meta)
        and "html" in (p.content_type or "text/html")
    ]


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    pages = html_pages(site)
    if not pages:
        return
    problems: dict[tuple[str, str], list[str]] = defaultdict(list)  # (class, problem) -> page URLs
    checked = {"页面": len(pages), "栏目页": 0, "文章页": 0}
    code_re = re.compile(rf"(?:{t.code_pattern})")
    footer_code = footer_site_code(site)
    seen_codes: dict[str, int] = defaultdict(int)

    def has(p: PageFacts, tag: str) -> bool:
        return bool((p.meta.get(tag) or "").strip())

    for p in pages:
        for tag in t.site_tags:
            if not has(p, tag):
                problems[("页面", f"缺少 {tag}")].append(p.url)
        code = (p.meta.get("SiteIDCode") or "").strip()
        if code:
            seen_codes[code] += 1
            if not code_re.fullmatch(code):
                problems[("页面", f"SiteIDCode “{code}” 格式不符")].append(p.url)
            elif footer_code and code != footer_code:
                problems[("页面", f"SiteIDCode “{code}” 与页脚标识码 {footer_code} 不一致")].append(p.url)
        if "ColumnName" in p.meta:
            checked["栏目页"] += 1
            for tag in t.column_tags:
                if not has(p, tag):
                    problems[("栏目页", f"缺少 {tag}")].append(p.url)
        if "PubDate" in p.meta or "ArticleTitle" in p.meta:
            checked["文章页"] += 1
            for tag in t.article_tags:
                if not has(p, tag):
                    problems[("文章页", f"缺少 {tag}")].append(p.url)
            pub = (p.meta.get("PubDate") or "").strip()
            if pub and not readable_pubdate(pub):
                problems[("文章页", f"PubDate “{pub[:30]}” 无法识别")].append(p.url)

    for (klass, what), urls in problems.items():
        urls = sorted(dict.fromkeys(urls))
        n, total = len(urls), checked[klass]
        shown = urls[: t.max_examples]
        yield RULE.finding(
            subject=f"{klass}{what}",
            url=shown[0],
            evidence=f"{n} 个{klass}{what}（共检查 {total} 个{klass}），如 {shown[0]}",
            facts={
                "page_class": klass,
                "problem": what,
                "count": n,
                "checked": total,
                "examples": shown,
                "footer_code": footer_code,
                "codes_seen": dict(seen_codes),
            },
        )
