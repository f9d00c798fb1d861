"""Plain matchers for serious wrong expressions: formula order and leaders' names, posts, order.

Used by W-V8 on pages and drafts and by N-V3 on new-media posts. Every
function takes the text and lexicon data and returns problems with their
character span; the rules turn them into outcomes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import ahocorasick_rs

from rules.content.lexicon import Leader, OrderedFormula

LIST_SEPARATORS = set("、，, \u3000和及与")
LEADER_GAP_CHARS = LIST_SEPARATORS | set("同志副常务代：:")
MAX_LIST_GAP = 3  # characters between two items of one enumeration
DEPUTY_MARKS = ("副", "原", "代", "时任", "前任", "曾任")
_MARK1 = {m for m in DEPUTY_MARKS if len(m) == 1}
_MARK2 = {m for m in DEPUTY_MARKS if len(m) == 2}


@dataclass(frozen=True)
class Problem:
    kind: str  # 表述顺序错误 | 职务与姓名不符 | 领导排序错误 | 领导姓名错误
    start: int
    end: int
    found: str  # the text as written
    suggestion: str
    detail: str = ""


# ---------------------------------------------------------------- ordered formulas


@functools.lru_cache(maxsize=16)
def _formula_automaton(
    formulas: tuple[OrderedFormula, ...],
) -> tuple[ahocorasick_rs.AhoCorasick | None, list[tuple[int, int]]]:
    patterns: list[str] = []
    owners: list[tuple[int, int]] = []
    for fi, f in enumerate(formulas):
        for ii, item in enumerate(f.items):
            patterns.append(item)
            owners.append((fi, ii))
    if not patterns:
        return None, owners
    return ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest), owners


def formula_order_problems(text: str, formulas: tuple[OrderedFormula, ...]) -> list[Problem]:
    """Enumerations that list every item of a fixed formula, but not in its order.

    Only complete enumerations count (all four 四个意识, all twelve values of the
    社会主义核心价值观): a partial list may legitimately stress a few items.
    """
    ac, owners = _formula_automaton(formulas)
    if ac is None:
        return []
    problems: list[Problem] = []
    run: list[tuple[int, int, int, int]] = []  # (formula, item, start, end)

    def close() -> None:
        if not run:
            return
        fi = run[0][0]
        items = [r[1] for r in run]
        f = formulas[fi]
        if len(items) == len(f.items) and sorted(items) == list(range(len(f.items))) and items != sorted(items):
            start, end = run[0][2], run[-1][3]
            problems.append(
                Problem(
                    kind="表述顺序错误",
                    start=start,
                    end=end,
                    found=text[start:end],
                    suggestion="、".join(f.items),
                    detail=f"“{f.name}”的规范顺序为：{'、'.join(f.items)}",
                )
            )
        run.clear()

    for idx, start, end in ac.find_matches_as_indexes(text):
        fi, ii = owners[idx]
        if run and (run[0][0] != fi or not _gap_ok(text, run[-1][3], start, LIST_SEPARATORS)):
            close()
        run.append((fi, ii, start, end))
    close()
    return problems


def _gap_ok(text: str, a: int, b: int, allowed: set[str]) -> bool:
    return b - a <= MAX_LIST_GAP and all(c in allowed for c in text[a:b])


# ---------------------------------------------------------------- leaders


@dataclass(frozen=True)
class LeaderIndex:
    leaders: tuple[Leader, ...]
    ac: ahocorasick_rs.AhoCorasick
    owners: tuple[tuple[str, Any], ...]  # per pattern: ("name", Leader) | ("post", post) | ("wrong", Leader)
    holders: dict[str, tuple[str, ...]]  # post -> names holding it


@functools.lru_cache(maxsize=16)
def leader_index(leaders: tuple[Leader, ...]) -> LeaderIndex | None:
    owners: dict[str, tuple[str, Any]] = {}
    holders: dict[str, list[str]] = {}
    for ld in leaders:
        owners.setdefault(ld.name, ("name", ld))
        for post in ld.posts:
            owners.setdefault(post, ("post", post))
            holders.setdefault(post, []).append(ld.name)
        for w in ld.wrong:
            owners.setdefault(w, ("wrong", ld))
    if not owners:
        return None
    patterns = list(owners)
    ac = ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
    return LeaderIndex(
        leaders=leaders,
        ac=ac,
        owners=tuple(owners[p] for p in patterns),
        holders={k: tuple(v) for k, v in holders.items()},
    )


def leader_problems(text: str, leaders: tuple[Leader, ...], *, check_order: bool = True) -> list[Problem]:
    """Wrong name/post pairs, misspelled names and leaders listed out of protocol order."""
    index = leader_index(leaders)
    if index is None:
        return []
    problems: list[Problem] = []
    matches = [(index.owners[i], s, e) for i, s, e in index.ac.find_matches_as_indexes(text)]
    names: list[tuple[Leader, int, int]] = []
    for n, ((kind, obj), s, e) in enumerate(matches):
        if kind == "wrong":
            problems.append(
                Problem(
                    kind="领导姓名错误",
                    start=s,
                    end=e,
                    found=text[s:e],
                    suggestion=obj.name,
                    detail=f"领导姓名应为“{obj.name}”",
                )
            )
        elif kind == "name":
            names.append((obj, s, e))
        elif kind == "post":
            if (text[s - 1 : s] in _MARK1 and not obj.startswith(text[s - 1 : s])) or text[max(0, s - 2) : s] in _MARK2:
                continue  # 副县长 / 原县长 / 代县长 / 时任县长 …: not the post itself
            nxt = matches[n + 1] if n + 1 < len(matches) else None
            if nxt and nxt[0][0] == "name" and nxt[1] - e <= 1 and text[e : nxt[1]].strip() == "":
                leader = nxt[0][1]
                if obj not in leader.posts:
                    holders = "、".join(index.holders.get(obj, ()))
                    problems.append(
                        Problem(
                            kind="职务与姓名不符",
                            start=s,
                            end=nxt[2],
                            found=text[s : nxt[2]],
                            suggestion=f"{obj}{holders}" if holders else f"{'、'.join(leader.posts)}{leader.name}",
                            detail=f"词库中“{obj}”为{holders or '（无）'}，{leader.name}的职务为"
                            f"{'、'.join(leader.posts) or '（未列）'}",
                        )
                    )
    if check_order:
        problems.extend(_order_problems(text, names, matches))
    return problems


def _order_problems(
    text: str, names: list[tuple[Leader, int, int]], matches: list[tuple[tuple[str, Any], int, int]]
) -> list[Problem]:
    post_end = {s: e for (kind, _), s, e in matches if kind == "post"}
    problems: list[Problem] = []
    run: list[tuple[Leader, int, int]] = []

    def gap_ok(a: int, b: int) -> bool:
        if b - a > 16:
            return False
        i = a
        while i < b:
            if i in post_end and post_end[i] <= b:
                i = post_end[i]
            elif text[i] in LEADER_GAP_CHARS:
                i += 1
            else:
                return False
        return True

    def close() -> None:
        distinct: list[tuple[Leader, int, int]] = []
        for ld, s, e in run:
            if all(ld.name != d[0].name for d in distinct):
                distinct.append((ld, s, e))
        if len(distinct) >= 2:
            orders = [d[0].order for d in distinct]
            if orders != sorted(orders):
                start, end = run[0][1], run[-1][2]
                expected = "、".join(d[0].name for d in sorted(distinct, key=lambda d: d[0].order))
                problems.append(
                    Problem(
                        kind="领导排序错误",
                        start=start,
                        end=end,
                        found=text[start:end],
                        suggestion=expected,
                        detail=f"按排序应为：{expected}",
                    )
                )
        run.clear()

    for item in names:
        if run and not gap_ok(run[-1][2], item[1]):
            close()
        run.append(item)
    close()
    return problems
