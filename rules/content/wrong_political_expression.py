"""W-V8 wrong-political-expression: 严重表述错误

## What it does
Finds serious wrong expressions in a page, attachment, post or draft:
wrong forms of political formulas and state or party names (a curated list,
e.g. 以习近平总书记为核心的党中央 → 以习近平同志为核心的党中央), complete
enumerations of a fixed formula in the wrong order (四个意识, 四个自信,
五位一体, 社会主义核心价值观, 四个全面), and, with the deployment's leaders
lexicon, a known post written next to another leader's name, a misspelled
leader's name, and leaders listed together out of protocol order.

## Why is this bad?
A serious wrong expression vetoes the whole site (single-veto item V1); the
2015 census named a misspelled leader's name as its example. Every hit is a
candidate: a staff member confirms it (facts.needs_confirmation).

## Example
"增强政治意识、核心意识、大局意识、看齐意识" → 顺序应为 政治意识、大局意识、核心意识、看齐意识.
Leaders [{name: 张三, posts: [县委书记], order: 1}, {name: 李四, posts: [县长], order: 2}]:
"县长张三" → 职务与姓名不符; "李四、张三出席" → 排序应为 张三、李四.
Not flagged: "政治意识、大局意识" (a partial list), "副县长张三", "原县长张三".

## Thresholds

## Source
S4, S5, P4 (spec/inspection-rules.md W-V8)
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
    default_ordered_formulas,
    default_terms,
    leader_from,
    lexicon_version,
    matcher_for,
    terms_from,
)
from rules.content.matching import TextIndex, group_hits, occurrence_facts
from rules.content.politics import formula_order_problems, leader_problems


@dataclass(frozen=True)
class Thresholds:
    # the deployment's leaders ({name, posts[], order, wrong[]}); monitor check-text --leaders loads them
    leaders: tuple[Any, ...] = ()
    check_leader_order: bool = True  # report leaders listed out of protocol order
    extra_formulas: tuple[Any, ...] = ()  # entries ({wrong, right}) added to rules/content/data/formulas.yaml
    ignore: tuple[str, ...] = ()  # forms never reported
    max_occurrences: int = 10  # occurrences kept in a finding's facts

    def __post_init__(self) -> None:
        object.__setattr__(self, "leaders", tuple(leader_from(x, where="W-V8 leaders") for x in self.leaders or ()))
        object.__setattr__(
            self, "extra_formulas", terms_from(self.extra_formulas, kind="表述错误", where="W-V8 extra_formulas")
        )
        object.__setattr__(self, "ignore", tuple(self.ignore or ()))


RULE = Rule(
    id="W-V8",
    name="wrong-political-expression",
    title="严重表述错误",
    severity=Severity.VETO,
    source="S4, S5, P4",
    thresholds=Thresholds,
    scope=Scope.TEXT,
    category="严重表述错误",
)


@functools.lru_cache(maxsize=32)
def lexicon(t: Thresholds) -> tuple[Term, ...]:
    ignored = set(t.ignore)
    return tuple(x for x in default_terms("formulas") + t.extra_formulas if x.word not in ignored)


def find_wrong_expressions(
    text: str, t: Thresholds, matcher: TermMatcher | None = None
) -> Iterator[tuple[str, int, int, dict[str, Any]]]:
    """(key, start, end, data) for every wrong expression in ``text`` (plain function, reused by N-V3).

    Pass ``matcher_for(lexicon(t))`` when calling it for many texts.
    """
    ignored = set(t.ignore)
    for term, s, e in (matcher or matcher_for(lexicon(t))).find(text):
        yield (
            term.word,
            s,
            e,
            {
                "kind": "表述错误",
                "found": term.word,
                "suggestion": term.suggestion,
                "detail": f"规范表述为“{term.suggestion}”",
                "lexicon_source": term.source,
            },
        )
    problems = formula_order_problems(text, default_ordered_formulas())
    if t.leaders:
        problems += leader_problems(text, t.leaders, check_order=t.check_leader_order)
    for p in problems:
        if p.found in ignored:
            continue
        yield (
            f"{p.kind}:{p.found}",
            p.start,
            p.end,
            {"kind": p.kind, "found": p.found, "suggestion": p.suggestion, "detail": p.detail},
        )


def check(texts: Iterable[TextFacts], *, today: date, t: Thresholds) -> Iterator[Outcome]:
    matcher = matcher_for(lexicon(t))
    for tx in texts:
        hits = sorted(find_wrong_expressions(tx.text, t, matcher), key=lambda h: h[1])
        if not hits:
            continue
        index = TextIndex(tx.text)
        for g in group_hits(hits):
            d = g.data
            facts = occurrence_facts(index, g.hits, keep=t.max_occurrences)
            facts.update(
                kind=d["kind"],
                word=d["found"],
                suggestion=d["suggestion"],
                detail=d["detail"],
                needs_confirmation=True,
                text_kind=tx.kind,
                title=tx.title,
                lexicon_version=lexicon_version("formulas"),
            )
            if "lexicon_source" in d:
                facts["lexicon_source"] = d["lexicon_source"]
            times = f"，共 {len(g.hits)} 处" if len(g.hits) > 1 else ""
            evidence = (
                f"疑似严重表述错误（{d['kind']}，待人工确认）：“{d['found']}”，{d['detail']}；"
                f"第 {facts['line']} 行{times}：{facts['sentence']}"
            )
            yield RULE.finding(subject=d["found"], url=tx.url, evidence=evidence, facts=facts, source_url=tx.source_url)
