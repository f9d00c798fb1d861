"""W-S10 site-search-unusable: 站内搜索缺失或不可用

## What it does
Reads what the crawl saw of the home page's site search (SiteFacts.searches):
the crawler looks for a search form on the home page, searches it for the
title of an item the home page lists (its longest run of words, at most 20
characters) and reads the first result page. Reported:
- no search box on the home page at all;
- the search answered an error (HTTP ≥ 400, or no answer: refused, timeout …);
- the first result page does not link the item searched for.
A search box that a script drives (no form to submit) cannot be tried here:
*unverified*, never a finding. No search facts (a crawl made before this check
existed, or a home page that could not be fetched) say nothing.

## Why is this bad?
站内搜索 is a required function of a government site (S12): a reader must find
what the site published. Inspectors search for a published title and mark the
search as not usable when it is not on the first page (S28).

## Example
Home page with ``<form action="/search/"><input name="q">`` and the result
page for "示例县防汛工作会议" links that article: nothing. The same result page
without it: flagged "搜索已发布信息……未在结果第一页找到". No form: flagged.

## Thresholds

## Source
S12, S28 (spec/inspection-rules.md W-S10)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator

from monitor.model import SearchFacts, Severity, SiteFacts, error_label
from rules.base import Outcome, Rule


@dataclass(frozen=True)
class Thresholds:
    pass


RULE = Rule(
    id="W-S10",
    name="site-search-unusable",
    title="站内搜索缺失或不可用",
    severity=Severity.DEDUCTION,
    source="S12, S28",
    thresholds=Thresholds,
    category="功能设计",
)


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    if not site.searches:
        return
    by_kind: dict[str, SearchFacts] = {}
    for s in site.searches:
        by_kind.setdefault(s.kind, s)
    home = site.searches[0].page_url
    if "none" in by_kind:
        yield RULE.finding(subject="站内搜索", url=home, evidence="首页未发现站内搜索框", facts={"page_url": home})
        return
    if "box" in by_kind:
        yield RULE.unverified(
            subject="站内搜索",
            url=home,
            evidence="首页有搜索框，但由脚本提交，无法自动检验是否可用",
            facts={"page_url": home},
        )
        return
    form, result = by_kind.get("form"), by_kind.get("result")
    if form is None or form.query is None:
        return  # a form, but nothing on the home page to search for
    if result is None:
        yield RULE.unverified(
            subject="站内搜索",
            url=home,
            evidence=f"搜索“{form.query}”未得到结果（抓取未完成）",
            facts={"query": form.query, "action": form.action},
        )
        return
    facts = {
        "query": result.query,
        "action": result.action,
        "expected_url": result.expected_url,
        "result_url": result.result_url,
        "status": result.status,
        "error_kind": result.error_kind,
    }
    if result.error_kind or (result.status or 0) >= 400:
        why = error_label(result.error_kind) if result.error_kind else f"HTTP {result.status}"
        yield RULE.finding(
            subject="站内搜索",
            url=home,
            facts=facts,
            evidence=f"站内搜索无法使用：搜索“{result.query}”时 {result.action} {why}",
        )
    elif not result.found:
        yield RULE.finding(
            subject="站内搜索",
            url=home,
            facts=facts,
            evidence=f"搜索已发布信息“{result.query}”，结果第一页未找到该信息（{result.expected_url}）",
        )
