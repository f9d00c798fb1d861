"""W-S3 typo-or-outdated-wording: 错别字与过时表述

## What it does
Finds common mis-writes (错别字, a curated confusion set such as 按装→安装,
再接再励→再接再厉) and outdated names (过时表述: agencies renamed or abolished
by the 2008, 2013, 2018 and 2023 reforms, e.g. 国土资源部→自然资源部, and local
forms such as 县环保局, 工商局) in a page, attachment, post or draft. Each
finding names the word, the correction, the sentence, the line and offset.

## Why is this bad?
Inspectors deduct for typos and for names of agencies that no longer exist;
both tell the reader the site is not proof-read or not maintained.

## Example
"请按装最新版本" flags 按装 (应为 安装).
"县环保局开展执法检查" published 2024-05-01 flags 环保局 (应为 生态环境局).
Not flagged: "2015年，原国土资源部印发…", "原环境保护部", "环保局更名为生态环境局",
a mention inside a document title 《国土资源部关于…的通知》, or a page published
before the rename date.

Variant spellings (异形词 such as 想像/想象, and the 帐/账 family: 帐号 → 账号;
``variant: true`` in the lexicon) are not errors: they are a 提示 naming the
standard form, never a deduction.

## Thresholds

## Source
S24, P1, P4 (spec/inspection-rules.md W-S3); rename dates: see outdated.yaml
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Iterator

from monitor.model import Severity, TextFacts
from rules.base import Outcome, Rule, Scope
from rules.content.lexicon import Term, TermMatcher, default_terms, lexicon_version, matcher_for, terms_from
from rules.content.matching import TextIndex, group_hits, historical_reason, occurrence_facts

KIND_TYPO = "错别字"
KIND_OUTDATED = "过时表述"


@dataclass(frozen=True)
class Thresholds:
    extra_typos: tuple[Any, ...] = ()  # entries ({wrong, right}) added to rules/content/data/typos.yaml
    extra_outdated: tuple[Any, ...] = ()  # entries ({wrong, right, since}) added to rules/content/data/outdated.yaml
    ignore: tuple[str, ...] = ()  # words never reported
    max_occurrences: int = 10  # occurrences kept in a finding's facts

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra_typos", terms_from(self.extra_typos, kind=KIND_TYPO, where="W-S3 extra_typos"))
        object.__setattr__(
            self, "extra_outdated", terms_from(self.extra_outdated, kind=KIND_OUTDATED, where="W-S3 extra_outdated")
        )
        object.__setattr__(self, "ignore", tuple(self.ignore or ()))


RULE = Rule(
    id="W-S3",
    name="typo-or-outdated-wording",
    title="错别字与过时表述",
    severity=Severity.DEDUCTION,
    source="S24, P1, P4",
    thresholds=Thresholds,
    scope=Scope.TEXT,
    category="内容准确性",
)


@functools.lru_cache(maxsize=32)
def lexicon(t: Thresholds) -> tuple[Term, ...]:
    ignored = set(t.ignore)
    terms = default_terms("typos") + t.extra_typos + default_terms("outdated") + t.extra_outdated
    return tuple(x for x in terms if x.word not in ignored)


def find_wording_problems(
    text: str, *, published: date | None, today: date, matcher: TermMatcher
) -> Iterator[tuple[Term, int, int]]:
    """Typos and current-looking outdated names in ``text`` (plain function, reused by N-V3).

    ``matcher`` is ``matcher_for(lexicon(t))``, built once per lexicon and cached.
    """
    index: TextIndex | None = None
    for term, start, end in matcher.find(text):
        if term.unless_in_sentence or term.since is not None:
            index = index or TextIndex(text)
        if index is None:  # neither condition below applies
            yield term, start, end
            continue
        if term.unless_in_sentence:
            s, e = index.sentence_bounds(start, end)
            if any(w in text[s:e] for w in term.unless_in_sentence):
                continue
        if term.since is not None:
            if today < term.since:
                continue
            if historical_reason(index, start, end, since=term.since, published=published):
                continue
        yield term, start, end


def check(texts: Iterable[TextFacts], *, today: date, t: Thresholds) -> Iterator[Outcome]:
    matcher = matcher_for(lexicon(t))
    for tx in texts:
        hits = [
            (term.word, s, e, {"term": term})
            for term, s, e in find_wording_problems(tx.text, published=tx.published, today=today, matcher=matcher)
        ]
        if not hits:
            continue
        index = TextIndex(tx.text)
        for g in group_hits(hits):
            term: Term = g.data["term"]
            kind = term.kind or KIND_TYPO
            facts = occurrence_facts(index, g.hits, keep=t.max_occurrences)
            facts.update(
                kind=kind,
                word=term.word,
                suggestion=term.suggestion,
                lexicon_source=term.source,
                text_kind=tx.kind,
                title=tx.title,
                lexicon_version=lexicon_version("outdated" if kind == KIND_OUTDATED else "typos"),
            )
            if term.since:
                facts["since"] = term.since.isoformat()
            times = f"，共 {len(g.hits)} 处" if len(g.hits) > 1 else ""
            if term.variant:
                facts["variant"] = True
                evidence = (
                    f"“{term.word}”为异形词，规范写法为“{term.suggestion}”（提示，不扣分）；"
                    f"第 {facts['line']} 行{times}：{facts['sentence']}"
                )
                yield RULE.finding(
                    subject=term.word,
                    url=tx.url,
                    evidence=evidence,
                    facts=facts,
                    source_url=tx.source_url,
                    severity=Severity.NOTICE,
                )
                continue
            what = "疑似错别字" if kind == KIND_TYPO else "过时表述"
            extra = f"（{term.since.isoformat()} 起已更名）" if term.since else ""
            evidence = (
                f"{what}“{term.word}”，应为“{term.suggestion}”{extra}；第 {facts['line']} 行{times}："
                f"{facts['sentence']}"
            )
            yield RULE.finding(subject=term.word, url=tx.url, evidence=evidence, facts=facts, source_url=tx.source_url)
