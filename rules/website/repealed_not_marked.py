"""W-S13 repealed-not-marked: 废止失效文件未标注

## What it does
Looks at the documents listed in the site's policy columns (政策文件类: the
entries of every column of that kind) and flags one that is no longer in force
but is not marked so:
1. Repealed by a later document: another page of the site says
   “《标题》（文号）同时废止 / 予以废止 / 停止执行 / 失效” or “废止《标题》”, and a listed
   document has that exact title (whitespace and brackets ignored) or that
   文号 in its text; the repealing page must not be older than the repealed
   one.
2. Expired: the document's own text states “有效期至YYYY年M月D日”, or
   “有效期N年” counted from “自YYYY年M月D日起施行” (else from its publication
   date), that day is past, and the text does not say it was extended (延续, 延长).
A document counts as marked when its list title or page title holds 废止, 失效
or 停止执行, or its text holds 已废止, 已失效, 已停止执行, 【废止】, （失效）, 效力状态：失效
or the like. The heuristic prefers silence to a wrong finding: any such mark
anywhere on the page, or a title it cannot match exactly, means no finding.

## Why is this bad?
《政府网站发展指引》 requires modified, repealed and expired documents to be
clearly marked (修改/废止/失效应明确标注, G1); readers act on documents that no
longer apply.

## Example
/zcwj/…/t20260801_1.html “示例县城乡环境卫生管理办法” is listed unmarked while
/zcwj/…/t20261101_2.html says “《示例县城乡环境卫生管理办法》（示政发〔2025〕3号）同时废止”: flagged.
The same with “【已废止】” in the old document's title: not flagged.
“有效期至2025年12月31日”, checked 2026-11-26, unmarked: flagged.

## Thresholds

## Source
G1 (spec/inspection-rules.md §2 Content, W-S13)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from monitor.model import ColumnKind, PageFacts, Severity, SiteFacts
from rules.base import Outcome, Rule


@dataclass(frozen=True)
class Thresholds:
    column_kinds: tuple[str, ...] = (ColumnKind.POLICY.value,)  # column kinds whose documents are read
    mark_title_words: tuple[str, ...] = ("废止", "失效", "停止执行")  # words in a title that mark a document repealed
    # words in a text that mark it repealed
    mark_text_words: tuple[str, ...] = (
        "已废止",
        "已失效",
        "已停止执行",
        "废止】",
        "失效】",
        "（废止）",
        "（失效）",
        "[废止]",
        "[失效]",
        "状态：废止",
        "状态：失效",
        "效力状态：失效",
        "效力状态：废止",
    )
    extension_words: tuple[str, ...] = ("延续", "延长")  # words of a validity extension: not a repeal


RULE = Rule(
    id="W-S13",
    name="repealed-not-marked",
    title="废止失效文件未标注",
    severity=Severity.DEDUCTION,
    source="G1",
    thresholds=Thresholds,
    category="内容准确性",
)

_DOCNO = r"（([^（）]{2,20}〔\d{4}〕\d{1,4}号)）"
_REPEAL_AFTER = re.compile(r"《([^《》]{4,80})》\s*(?:" + _DOCNO + r")?[^。；;，,《]{0,12}?(?:废止|停止执行|失效)")
_REPEAL_BEFORE = re.compile(r"废止\s*(?:了)?\s*《([^《》]{4,80})》\s*(?:" + _DOCNO + r")?")
_VALID_UNTIL = re.compile(r"有效期(?:至|到|截至|截止)\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_VALID_YEARS = re.compile(r"有效期(?:为)?\s*([1-9]|[一二两三四五六七八九十])\s*年")
_FROM = re.compile(r"自\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*起(?:施行|执行|实施|生效)")
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def norm_title(title: str) -> str:
    return re.sub(r"[\s《》“”\"'（）()【】\[\]]", "", title or "")


def _date(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def _add_years(d: date, n: int) -> date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February
        return d.replace(year=d.year + n, day=28)


def _sentence(text: str, start: int, end: int) -> str:
    s = max(text.rfind("。", 0, start), text.rfind("\n", 0, start)) + 1
    e = text.find("。", end)
    return " ".join(text[s : (e + 1 if e >= 0 else len(text))].split())[:300]


def expiry(text: str, published: date | None) -> tuple[date, str] | None:
    """The day a document's stated validity ends, with the words that say so."""
    m = _VALID_UNTIL.search(text)
    if m:
        d = _date(*m.groups())
        return (d, m.group(0)) if d else None
    m = _VALID_YEARS.search(text)
    if m:
        years = int(m.group(1)) if m.group(1).isdigit() else _CN_NUM[m.group(1)]
        f = _FROM.search(text)
        start = _date(*f.groups()) if f else published
        if start:
            return _add_years(start, years), m.group(0)
    return None


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    pages = {p.url: p for p in site.pages if p.text and not p.is_external}
    listed: dict[str, tuple[str, str]] = {}  # url -> (list title, column name)
    for col in site.columns:
        if col.kind.value in t.column_kinds:
            for item in col.items:
                if item.url in pages:
                    listed.setdefault(item.url, (item.title, col.name))
    if not listed:
        return

    def title_of(url: str) -> str:
        p = pages[url]
        return p.meta.get("ArticleTitle") or listed[url][0] or (p.title or "").split("_")[0]

    def marked(url: str) -> bool:
        p = pages[url]
        titles = (listed[url][0], p.title or "", p.meta.get("ArticleTitle", ""))
        return any(w in x for x in titles for w in t.mark_title_words) or any(
            w in (p.text or "") for w in t.mark_text_words
        )

    by_title: dict[str, list[str]] = {}
    for url in listed:
        by_title.setdefault(norm_title(title_of(url)), []).append(url)

    reported: set[str] = set()
    for src in pages.values():
        text = src.text or ""
        if "废止" not in text and "停止执行" not in text and "失效" not in text:
            continue
        for rx in (_REPEAL_AFTER, _REPEAL_BEFORE):
            for m in rx.finditer(text):
                title, docno = m.group(1), m.group(2)
                targets = list(by_title.get(norm_title(title), []))
                if not targets and docno:
                    targets = [u for u in listed if docno in (pages[u].text or "")]
                for url in targets:
                    if url == src.url or url in reported or marked(url):
                        continue
                    old: PageFacts = pages[url]
                    if old.pub_date and src.pub_date and src.pub_date < old.pub_date:
                        continue
                    reported.add(url)
                    sentence = _sentence(text, m.start(), m.end())
                    yield RULE.finding(
                        subject=url,
                        url=url,
                        source_url=src.url,
                        evidence=f"《{title_of(url)}》已被 {src.url} 废止（“{sentence}”），但文件页面和列表未标注“已废止”",
                        facts={
                            "kind": "repealed",
                            "title": title_of(url),
                            "column": listed[url][1],
                            "repealed_by": src.url,
                            "repealed_by_title": src.meta.get("ArticleTitle") or src.title,
                            "sentence": sentence,
                            "doc_number": docno,
                            "published": old.pub_date.isoformat() if old.pub_date else None,
                        },
                    )

    for url in listed:
        if url in reported or marked(url):
            continue
        p = pages[url]
        found = expiry(p.text or "", p.pub_date)
        if found is None:
            continue
        until, words = found
        if until >= today or any(w in (p.text or "") for w in t.extension_words):
            continue
        yield RULE.finding(
            subject=url,
            url=url,
            evidence=f"《{title_of(url)}》写明“{words}”，已于 {until:%Y-%m-%d} 到期，但页面和列表未标注“已失效”",
            facts={
                "kind": "expired",
                "title": title_of(url),
                "column": listed[url][1],
                "valid_until": until.isoformat(),
                "words": words,
                "published": p.pub_date.isoformat() if p.pub_date else None,
            },
        )
