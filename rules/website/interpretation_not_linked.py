"""W-S12 interpretation-not-linked: 政策解读与政策文件未关联

## What it does
Pairs policy interpretations (政策解读) with the policy documents they explain,
through the links the crawler recorded:
- an interpretation is a page listed in a 政策文件类 column whose name holds
  interpretation_words (解读), or any fetched internal page whose title holds
  them (list pages of columns excepted);
- a policy document is a page listed in a 政策文件类 column whose name does not
  hold them, and whose own title does not either.
Two findings, kept precise:
1. an interpretation, fetched and parsed, that links to no policy document at
   all (nor to a link whose text says 原文, e.g. a PDF of the document);
2. a policy document, fetched and parsed, that an interpretation links to but
   that has no link back to that interpretation.
Nothing is judged when the site lists no policy document (nothing to link to).
The heuristic prefers silence: a document outside the crawled lists counts as
unknown, not as missing, for the back-link check; an interpretation that
links only to such documents is still reported under 1, since the inspector
cannot see the relation either.

## Why is this bad?
政策解读 must be published together with, and linked to, the document it
explains (解读关联, 发布解读 indicator, S8); inspectors deduct for
interpretations not linked both ways (S13).

## Example
/zcjd/…/t1.html links “政策原文：示例县……办法” → /zcwj/…/a.html, and a.html links
“相关解读” back: not flagged. t1.html without any such link: flagged. a.html
without the link back: flagged on a.html.

## Thresholds

## Source
S13, S8 (spec/inspection-rules.md W-S12)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator, TypeGuard

from monitor.model import ColumnKind, LinkFacts, PageFacts, Severity, SiteFacts
from rules.base import Outcome, Rule


@dataclass(frozen=True)
class Thresholds:
    interpretation_words: tuple[str, ...] = ("解读",)  # title words of an interpretation (解读) page
    original_words: tuple[str, ...] = ("原文",)  # anchor words of a link to the original document


RULE = Rule(
    id="W-S12",
    name="interpretation-not-linked",
    title="政策解读与政策文件未关联",
    severity=Severity.DEDUCTION,
    source="S13, S8",
    thresholds=Thresholds,
    category="发布解读",
)


def _readable(p: PageFacts | None) -> TypeGuard[PageFacts]:
    return p is not None and not p.is_external and not p.error_kind and (p.status or 0) < 400 and p.text is not None


def _title(p: PageFacts) -> str:
    return p.meta.get("ArticleTitle") or (p.title or "").split("_")[0]


def check(site: SiteFacts, *, today: date, t: Thresholds) -> Iterator[Outcome]:
    def interp_word(s: str) -> bool:
        return any(w in (s or "") for w in t.interpretation_words)

    pages: dict[str, PageFacts] = {}
    for p in site.pages:
        pages.setdefault(p.url, p)
        if p.final_url:
            pages.setdefault(p.final_url, p)
    list_urls = {c.url for c in site.columns} | {u for c in site.columns for u in c.list_pages}

    policy: dict[str, str] = {}  # url -> list title
    interp: dict[str, str] = {}
    for col in site.columns:
        if col.kind is not ColumnKind.POLICY:
            continue
        for item in col.items:
            if item.url in list_urls:
                continue
            if interp_word(col.name) or interp_word(item.title):
                interp.setdefault(item.url, item.title)
            else:
                policy.setdefault(item.url, item.title)
    if not policy:
        return
    for p in site.pages:
        if p.is_home or p.is_external or p.attachment or p.url in list_urls or p.url in policy:
            continue
        if interp_word(_title(p)):
            interp.setdefault(p.url, _title(p))

    def canon(url: str) -> str:
        p = pages.get(url)
        return p.url if p is not None else url

    policy_canon = {canon(u): u for u in policy}
    # the links of the pages read below only (interpretations, policy documents), not of every page: a site's
    # links come page by page, so each run of one source is looked up once
    wanted = {canon(u) for u in interp} | {pages[u].url if u in pages else u for u in policy_canon}
    out_links: dict[str, list[LinkFacts]] = {}
    source, bucket = None, None
    for l in site.links:
        if l.source_url != source:
            source = l.source_url
            key = canon(source)
            bucket = out_links.setdefault(key, []) if key in wanted else None
        if bucket is not None:
            bucket.append(l)

    missing: dict[str, list[tuple[str, str]]] = {}
    for url, title in sorted(interp.items()):
        page = pages.get(url)
        if not _readable(page):
            continue
        links = out_links.get(page.url, [])
        to_policy = sorted({canon(l.target_url) for l in links if canon(l.target_url) in policy_canon})
        if not to_policy and not any(any(w in l.anchor_text for w in t.original_words) for l in links):
            yield RULE.finding(
                subject=page.url,
                url=page.url,
                evidence=f"政策解读《{title or _title(page)}》未链接对应的政策文件（页面 {len(links)} 个链接中"
                f"没有指向政策文件栏目所列文件或“原文”的链接）",
                facts={
                    "kind": "interpretation_without_document",
                    "title": title or _title(page),
                    "links_checked": len(links),
                    "policy_documents_known": len(policy),
                },
            )
            continue
        for doc_url in to_policy:
            doc = pages.get(doc_url)
            if _readable(doc) and page.url not in {canon(l.target_url) for l in out_links.get(doc.url, [])}:
                missing.setdefault(doc.url, []).append((page.url, title or _title(page)))

    for doc_url, interps in missing.items():
        doc = pages[doc_url]
        doc_title = policy[policy_canon[doc_url]] or _title(doc)
        names = "、".join(f"《{t_}》（{u}）" for u, t_ in interps[:3])
        yield RULE.finding(
            subject=doc.url,
            url=doc.url,
            source_url=interps[0][0],
            evidence=f"政策文件《{doc_title}》被解读{names}链接，但文件页面未链接回{'该' if len(interps) == 1 else '这些'}解读",
            facts={
                "kind": "document_without_backlink",
                "title": doc_title,
                "interpretations": [{"url": u, "title": t_} for u, t_ in interps],
            },
        )
