"""W-V9 unsafe-content: 敏感内容（反动、暴力、色情、赌博）

## What it does
Finds text promoting gambling, porn, violence or cult propaganda in a page,
attachment, post or draft: a short curated default list (六合彩 tips,
博彩/赌场 promotion, 裸聊, 出售枪支, 法轮大法好 …) that a deployment extends. A
hit is dropped when its sentence shows the site reporting or fighting the
thing (打击, 查处, 严禁, 扫黄打非, 禁毒, 反诈, 邪教 …), so words that
government sites use legitimately are not flagged.

## Why is this bad?
Publishing or linking reactionary, violent or pornographic content vetoes
the site (single-veto item V1); such text on a government page usually means
a planted spam link or a hacked page. Every hit is a candidate veto that a
staff member confirms (facts.needs_confirmation).

## Example
"澳门新葡京娱乐，注册送彩金" → flagged (赌博).
Not flagged: "严厉打击六合彩等非法赌博活动", "开展扫黄打非专项行动", "天安门", "毛主席".

## Thresholds

## Source
S4, S29, P1, P4 (spec/inspection-rules.md W-V9)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Iterator

from monitor.model import Severity, TextFacts
from rules.base import Outcome, Rule, Scope
from rules.content.lexicon import (
    Term,
    TermMatcher,
    default_allow_context,
    default_terms,
    lexicon_version,
    matcher_for,
    terms_from,
)
from rules.content.matching import TextIndex, group_hits, occurrence_facts


@dataclass(frozen=True)
class Thresholds:
    extra_terms: tuple[Any, ...] = ()  # entries added to rules/content/data/sensitive.yaml: a word or {word, category}
    extra_allow_context: tuple[str, ...] = ()  # sentence phrases that mark a legitimate mention (打击, 通报 …)
    ignore: tuple[str, ...] = ()  # words never reported
    max_occurrences: int = 10  # occurrences kept in a finding's facts

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra_terms", terms_from(self.extra_terms, kind="敏感内容", where="W-V9 extra_terms"))
        object.__setattr__(self, "extra_allow_context", tuple(self.extra_allow_context or ()))
        object.__setattr__(self, "ignore", tuple(self.ignore or ()))


RULE = Rule(
    id="W-V9",
    name="unsafe-content",
    title="敏感内容",
    severity=Severity.VETO,
    source="S4, S29, P1, P4",
    thresholds=Thresholds,
    scope=Scope.TEXT,
    category="安全、泄密事故等严重问题",
)


@functools.lru_cache(maxsize=32)
def lexicon(t: Thresholds) -> tuple[tuple[Term, ...], tuple[str, ...]]:
    ignored = set(t.ignore)
    terms = tuple(x for x in default_terms("sensitive") + t.extra_terms if x.word not in ignored)
    return terms, default_allow_context() + t.extra_allow_context


def find_unsafe(text: str, t: Thresholds, matcher: TermMatcher | None = None) -> Iterator[tuple[Term, int, int]]:
    """Unsafe terms in ``text`` whose sentence does not read as reporting or fighting them."""
    terms, allow = lexicon(t)
    index = None
    for term, s, e in (matcher or matcher_for(terms)).find(text):
        index = index or TextIndex(text)
        a, b = index.sentence_bounds(s, e)
        sentence = text[a:b]
        if any(w in sentence for w in allow) or any(w in sentence for w in term.allow):
            continue
        yield term, s, e


def check(texts: Iterable[TextFacts], *, today: date, t: Thresholds) -> Iterator[Outcome]:
    matcher = matcher_for(lexicon(t)[0])
    for tx in texts:
        hits = [(term.word, s, e, {"term": term}) for term, s, e in find_unsafe(tx.text, t, matcher)]
        if not hits:
            continue
        index = TextIndex(tx.text)
        for g in group_hits(hits):
            term: Term = g.data["term"]
            category = term.kind if term.kind and term.kind != "敏感内容" else "敏感内容"
            facts = occurrence_facts(index, g.hits, keep=t.max_occurrences)
            facts.update(
                kind="敏感内容",
                category=category,
                word=term.word,
                suggestion="核实是否为被植入的违规内容或暗链，确认后删除并排查网站安全",
                needs_confirmation=True,
                text_kind=tx.kind,
                title=tx.title,
                lexicon_version=lexicon_version("sensitive"),
            )
            times = f"，共 {len(g.hits)} 处" if len(g.hits) > 1 else ""
            evidence = (
                f"疑似违规内容（{category}，待人工确认）：“{term.word}”；第 {facts['line']} 行{times}："
                f"{facts['sentence']}"
            )
            yield RULE.finding(subject=term.word, url=tx.url, evidence=evidence, facts=facts, source_url=tx.source_url)
